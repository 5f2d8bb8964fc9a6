// Starts a real redis-server on a free loopback port in a temp dir, for tests; stops it again.

export interface TestRedis {
  /** e.g. redis://127.0.0.1:43121 */
  url: string;
  port: number;
  /** Stops the server process only (as a crash or restart would); `up` starts it again. */
  down(): Promise<void>;
  /** Starts a new, empty server on the same port after `down`. */
  up(): Promise<void>;
  /** Stops the server and removes its dir. */
  stop(): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error(`Cannot start redis-server: port ${port} did not open in ${timeoutMs} ms`);
}

/** Runs `redis-server` with no persistence on a free port; resolves once it accepts connections. */
export async function startRedis(): Promise<TestRedis> {
  const dir = await Deno.makeTempDir({ prefix: "roomcast-redis-" });
  const port = freePort();
  let child: Deno.ChildProcess | undefined;

  const spawn = async () => {
    // No RDB/AOF: a restart loses everything, the hardest case for the hub's recovery.
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
    child = new Deno.Command("redis-server", {
      args: [...args, "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitForPort(port, 5000);
  };
  const stop = async () => {
    if (!child) return;
    const running = child;
    child = undefined;
    try {
      running.kill("SIGTERM");
    } catch { /* already gone */ }
    await running.status;
  };

  await spawn();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    down: stop,
    up: spawn,
  };
}
