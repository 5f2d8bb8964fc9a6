// Bench helper: N receiving WebSocket clients in one Go process (bench/ws_receiver/main.go), built
// once with Debian's Go into the ignored .bench/. Costs the clients' side little enough that a
// fan-out bench on 2 cores measures the servers, not this process. Needs `apt-get install golang-go`.

const root = new URL("../.bench/ws_receiver/", import.meta.url).pathname;
const source = new URL("./ws_receiver/", import.meta.url).pathname;
const binary = `${root}ws_receiver`;

/** How the receivers reach a server and join its channel. */
export interface ReceiverSpec {
  port: number;
  path: string;
  proto: "roomcast" | "floor" | "socketio";
  headers?: Record<string, string>;
  /** Sent once upgraded (Roomcast's and the floor's subscribe). */
  subscribe?: string;
}

export interface ReceiverReport {
  delivered: number;
  p50Ms: number;
  p99Ms: number;
  /** The last delivery's time, as `nowUs()` counts. */
  lastAtUs: number;
}

/** Unix time in µs, the clock the receivers compare a delivery's send time with. */
export const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** A message's content the receivers can time: `b <id> <unix µs>`. */
export const timedContent = (id: number) => `b ${id} ${nowUs()}`;

export async function buildReceiver(): Promise<string> {
  const fresh = await Promise.all([Deno.stat(binary), Deno.stat(`${source}main.go`)])
    .then(([built, src]) => built.mtime! >= src.mtime!, () => false);
  if (fresh) return binary;
  await Deno.mkdir(root, { recursive: true });
  const out = await new Deno.Command("go", {
    args: ["build", "-o", binary, "main.go"],
    cwd: source,
    env: { GOTOOLCHAIN: "local", HOME: root, GOCACHE: `${root}gocache`, GO111MODULE: "off" },
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`go build: ${new TextDecoder().decode(out.stderr)}`);
  return binary;
}

/** Opens `count` receivers on `spec` and resolves once every one of them has subscribed. */
export async function startReceivers(spec: ReceiverSpec, count: number) {
  const args = [`-port=${spec.port}`, `-path=${spec.path}`, `-proto=${spec.proto}`, `-n=${count}`];
  if (spec.subscribe) args.push(`-subscribe=${spec.subscribe}`);
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    args.push(`-header=${name}: ${value}`);
  }
  const child = new Deno.Command(await buildReceiver(), {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const writer = child.stdin.getWriter();
  let buffered = "";
  const readLine = async (): Promise<string> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("the Go receivers exited");
      buffered += value;
    }
    const end = buffered.indexOf("\n");
    const line = buffered.slice(0, end);
    buffered = buffered.slice(end + 1);
    return line;
  };
  const ask = async (command: string) => {
    await writer.write(new TextEncoder().encode(`${command}\n`));
    return await readLine();
  };
  if (await readLine() !== "ready") throw new Error("the Go receivers did not get ready");
  return {
    pid: child.pid,
    mark: () => ask("mark"),
    async report(): Promise<ReceiverReport> {
      const [delivered, p50, p99, last] = (await ask("report")).split(" ").map(Number);
      return { delivered, p50Ms: p50 / 1000, p99Ms: p99 / 1000, lastAtUs: last };
    },
    async close() {
      await writer.write(new TextEncoder().encode("quit\n")).catch(() => {});
      await writer.close().catch(() => {});
      await child.status;
      await lines.cancel().catch(() => {});
    },
  };
}

export type Receivers = Awaited<ReturnType<typeof startReceivers>>;
