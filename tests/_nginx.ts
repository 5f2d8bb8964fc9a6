// Starts Debian's nginx in the foreground on a free port in a temp prefix, for proxy tests.
import { join } from "node:path";

export interface TestNginx {
  /** e.g. http://127.0.0.1:43121/ */
  url: string;
  port: number;
  /** The error log so far (a failing test prints it). */
  errors(): Promise<string>;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** @default "nginx" */
  binary?: string;
}

/** A port nothing listens on now (taken and let go; nginx binds it right after). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Runs nginx with `http` (what goes inside `http { }`, e.g. a conf.d file) made by `config(port)`
 * for a free port, `daemon off`, everything under a temp prefix; as root its worker runs as
 * `nobody`. Resolves once the port answers.
 */
export async function startNginx(
  config: (port: number) => string,
  options: NginxOptions = {},
): Promise<TestNginx> {
  const prefix = await Deno.makeTempDir({ prefix: "roomcast-nginx-" });
  const temp = join(prefix, "temp");
  await Deno.mkdir(temp);
  // The unprivileged worker writes request bodies and proxied responses here.
  await Deno.chmod(prefix, 0o755);
  await Deno.chmod(temp, 0o777);
  const port = freePort();
  const root = Deno.uid() === 0;
  const temps = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((kind) => `  ${kind}_temp_path ${join(temp, kind)};`).join("\n");
  const conf = [
    "daemon off;",
    "worker_processes 1;",
    root ? "user nobody nogroup;" : "",
    `pid ${join(prefix, "nginx.pid")};`,
    `error_log ${join(prefix, "error.log")} warn;`,
    "events { worker_connections 1024; }",
    "http {",
    `  access_log ${join(prefix, "access.log")};`,
    temps,
    config(port),
    "}",
  ].join("\n");
  const confPath = join(prefix, "nginx.conf");
  await Deno.writeTextFile(confPath, conf);
  const child = new Deno.Command(options.binary ?? "nginx", {
    // -e: the error log before the config is read, so nothing is written to /var/log/nginx.
    args: ["-p", prefix, "-c", confPath, "-e", join(prefix, "error.log")],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let exited = false;
  const status = child.status.finally(() => exited = true);
  const errors = async () =>
    await Deno.readTextFile(join(prefix, "error.log")).catch(() => "") +
    (exited ? await stderr : "");

  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await status;
    await stderr;
    await Deno.remove(prefix, { recursive: true }).catch(() => {});
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      if (exited || Date.now() > deadline) {
        const log = await errors();
        await stop();
        throw new Error(`nginx did not start on port ${port}:\n${log}\n${conf}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return { url: `http://127.0.0.1:${port}/`, port, errors, stop };
}
