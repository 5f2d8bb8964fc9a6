// Starts a throwaway PostgreSQL 15 cluster on a free loopback port in a temp folder, for tests.
import { join } from "node:path";

export interface TestPostgres {
  /** postgres://… of the cluster's `postgres` database. */
  readonly url: string;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the cluster (fast shutdown) and removes its folder. */
  stop(): Promise<void>;
}

const BIN_DIRS = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/bin"];

function binary(name: string): string {
  for (const dir of BIN_DIRS) {
    try {
      Deno.statSync(join(dir, name));
      return join(dir, name);
    } catch { /* next */ }
  }
  throw new Error(`Cannot start PostgreSQL: ${name} not found (apt-get install postgresql)`);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** PostgreSQL refuses to run as root: as root, every command runs as the `postgres` user. */
async function run(argv: string[], dir: string): Promise<void> {
  const root = Deno.uid() === 0;
  const command = root ? "runuser" : argv[0];
  const args = root ? ["-u", "postgres", "--", ...argv] : argv.slice(1);
  const out = await new Deno.Command(command, { args, cwd: dir, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    throw new Error(`Cannot run ${argv[0]}: ${text.trim()}`);
  }
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = await Deno.makeTempDir({ prefix: "roomcast-pg-" });
  if (Deno.uid() === 0) {
    await new Deno.Command("chown", { args: ["postgres:postgres", dir] }).output();
  }
  const data = join(dir, "data");
  const port = freePort();
  await run([binary("initdb"), "-D", data, "-U", "postgres", "-A", "trust", "--no-sync"], dir);
  // Durability is not under test here: no fsync, so suites stay fast.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off ` +
    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
  await run(
    [binary("pg_ctl"), "-D", data, "-o", options, "-w", "-l", join(dir, "log"), "start"],
    dir,
  );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    url,
    async createDatabase() {
      const name = `t${++databases}_${crypto.randomUUID().slice(0, 8)}`;
      await run(
        [binary("createdb"), "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name],
        dir,
      );
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await run([binary("pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"], dir).catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
