// Starts the real Roomcast server as a child process on free ports, for integration tests.
import { engineEnv } from "./_engines.ts";
import { join } from "node:path";
import { htpasswdLine } from "../storage/htpasswd.ts";

export interface TestServer {
  /** e.g. http://127.0.0.1:43121/ (with BASE_PATH when set). */
  url: string;
  origin: string;
  port: number;
  /** The server process, e.g. to read its memory from /proc/<pid>/status. */
  pid: number;
  dataDir: string;
  /** Every log line the server printed so far. */
  logs: string[];
  /** False once the server process has exited. */
  running(): boolean;
  /** Waits for a log line whose `msg` matches. */
  waitForLog(match: RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** htpasswd users for `<dataDir>/.htpasswd`; default admin:adminpw; null writes no file. */
  admins?: Record<string, string> | null;
  dataDir?: string;
  /** Runs the server with this open-file limit (soft and hard), through `prlimit`. */
  nofile?: number;
  /**
   * Folders the server sees read-only (a private mount namespace, `unshare -m`, with read-only
   * bind mounts): what Deno Deploy's no-local-disk means, checked by the kernel.
   */
  readOnly?: string[];
  /** The checkout whose main.ts runs (benches compare commits); default this one. */
  root?: string;
  /** Extra `deno run` flags, e.g. `--cpu-prof` for a bench's profile. */
  denoArgs?: string[];
}

const root = new URL("../", import.meta.url).pathname;

/** Runs `main.ts` in a fresh data dir on port 0 and resolves once it listens. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "roomcast-test-" });
  if (options.admins !== null) {
    const admins = options.admins ?? { admin: "adminpw" };
    const lines = Object.entries(admins).map(([u, p]) => htpasswdLine(u, p, 4) + "\n").join("");
    await Deno.writeTextFile(join(dataDir, ".htpasswd"), lines);
  }

  // The same V8 flag as `deno task start`, so tests and benchmarks run what users run.
  const checkout = options.root ?? root;
  const args = [
    "run",
    "--v8-flags=--max-semi-space-size=1",
    ...options.denoArgs ?? [],
    "-A",
    join(checkout, "main.ts"),
  ];
  const [command, commandArgs] = wrapped(Deno.execPath(), args, options);
  const child = new Deno.Command(command, {
    args: commandArgs,
    cwd: checkout,
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      RTMP_PORT: "0",
      DATA_DIR: dataDir,
      LOG_LEVEL: "debug",
      ...await engineEnv(dataDir),
      ...options.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  const logs: string[] = [];
  const waiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let buffered = "";
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        logs.push(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        for (const wake of waiters) wake();
      }
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  // `gone`: the process ended; `exited`: that, and its last lines read (what waitForLog needs).
  let gone = false;
  let exited = false;
  /** A signal to a process that may end meanwhile (killing an ended one throws). */
  const signal = (name: Deno.Signal) => {
    if (gone) return;
    try {
      child.kill(name);
    } catch { /* it ended just now */ }
  };
  // The exit can be known before the last lines written are read from the pipes: those are read
  // first (a second at most, in case a child of the server still holds them), so a waitForLog
  // does not give up on a line the server did write just before exiting ("Stopped").
  const status = child.status.then(async (s) => {
    gone = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([pumps, new Promise((resolve) => timer = setTimeout(resolve, 1000))]);
    clearTimeout(timer);
    exited = true;
    for (const wake of waiters) wake();
    return s;
  });

  const waitForLog = (match: RegExp, timeoutMs = 15_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        for (const line of logs) {
          try {
            const entry = JSON.parse(line);
            if (match.test(entry.msg)) return done(() => resolve(entry));
          } catch { /* not a JSON line */ }
        }
        if (exited) done(() => reject(new Error(`Server exited:\n${logs.join("\n")}`)));
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(new Error(`No log ${match} within ${timeoutMs} ms:\n${logs.join("\n")}`))
          ),
        timeoutMs,
      );
      const done = (fn: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      };
      waiters.add(check);
      check();
    });

  const listening = await waitForLog(/^Listening$/, 30_000).catch(async (error) => {
    // A server that crashed at start is gone already: its logs are in the error, not a kill's.
    signal("SIGKILL");
    await status;
    await pumps;
    throw error;
  });
  const port = Number(listening.port);
  const basePath = options.env?.BASE_PATH ?? "/";
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin + (basePath.startsWith("/") ? basePath : "/" + basePath).replace(/\/?$/, "/"),
    origin,
    port,
    pid: child.pid,
    dataDir,
    logs,
    running: () => !gone,
    waitForLog,
    async close() {
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 5_000);
      await status;
      clearTimeout(timer);
      await pumps;
      if (!options.dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** The command line, through `prlimit` and/or `unshare` with read-only mounts when asked. */
function wrapped(deno: string, args: string[], options: StartOptions): [string, string[]] {
  let argv = [deno, ...args];
  if (options.nofile) argv = ["prlimit", `--nofile=${options.nofile}:${options.nofile}`, ...argv];
  if (options.readOnly?.length) {
    const mount = 'set -e; while [ "$1" != -- ]; do mount --bind -o ro "$1" "$1"; shift; done';
    const script = `${mount}; shift; exec "$@"`;
    argv = ["unshare", "-m", "sh", "-c", script, "sh", ...options.readOnly, "--", ...argv];
  }
  return [argv[0], argv.slice(1)];
}

/** `Authorization` header value for Basic auth. */
export function basic(user: string, password: string): string {
  return "Basic " + btoa(`${user}:${password}`);
}
