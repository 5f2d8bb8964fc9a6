// Bench helper: builds the imgcast seed (Go) with Debian's Go 1.19 and runs it, for side-by-side
// SSE runs. Its source is read from a checkout (IMGCAST_SRC, default the github.com/ncarlier/imgcast
// mirror on this machine) into the ignored .bench/; nothing of it is kept in this repository.
// Needs `apt-get install golang-go golang-golang-x-crypto-dev golang-golang-x-exp-dev`.
import { htpasswdLine } from "../storage/htpasswd.ts";
import { findPid } from "./_ws_client.ts";

const root = new URL("../.bench/imgcast/", import.meta.url).pathname;
const source = Deno.env.get("IMGCAST_SRC") ?? "/work/.mirror/ncarlier+imgcast/repo";
const binary = `${root}imgcast`;
/** Debian's packaged Go modules: x/crypto (bcrypt) and x/exp/slog stand in for Go 1.21's log/slog. */
const GOCODE = "/usr/share/gocode/src/golang.org/x";

async function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, cwd, env, stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** The built binary's path; built once, then reused. */
export async function buildImgcast(): Promise<string> {
  if (await Deno.stat(binary).then(() => true, () => false)) return binary;
  const src = `${root}src`;
  await Deno.remove(src, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${src}/vendor/golang.org/x`, { recursive: true });
  // A bare mirror (git dir) or a work tree: `git archive` reads either.
  await run("sh", ["-c", `git -C '${source}' archive HEAD | tar -x -C '${src}'`], root);
  // Go 1.19 has no log/slog: x/exp/slog has the same calls, except Error's second argument is an
  // error (nil here, as the seed passes none).
  for await (const path of walkGo(src)) {
    let text = await Deno.readTextFile(path);
    text = text.replaceAll('"log/slog"', '"golang.org/x/exp/slog"')
      .replace(/slog\.Error\(("[^"]*"), /g, "slog.Error($1, nil, ");
    await Deno.writeTextFile(path, text);
  }
  await Deno.writeTextFile(
    `${src}/go.mod`,
    "module github.com/ncarlier/imgcast\n\ngo 1.19\n\nrequire (\n\tgolang.org/x/crypto v0.0.0\n" +
      "\tgolang.org/x/exp v0.0.0\n)\n",
  );
  for (const dep of ["crypto", "exp", "sys"]) {
    await run("cp", ["-r", `${GOCODE}/${dep}`, `${src}/vendor/golang.org/x/`], root);
  }
  await Deno.writeTextFile(
    `${src}/vendor/modules.txt`,
    "# golang.org/x/crypto v0.0.0\n## explicit; go 1.19\ngolang.org/x/crypto/bcrypt\n" +
      "golang.org/x/crypto/blowfish\n# golang.org/x/exp v0.0.0\n## explicit; go 1.19\n" +
      "golang.org/x/exp/slog\ngolang.org/x/exp/slog/internal\n" +
      "golang.org/x/exp/slog/internal/buffer\n",
  );
  await run("go", ["build", "-o", binary, "."], src, {
    GOFLAGS: "-mod=vendor",
    GOTOOLCHAIN: "local",
    HOME: root,
    GOCACHE: `${root}gocache`,
  });
  return binary;
}

async function* walkGo(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && entry.name !== "vendor") yield* walkGo(path);
    else if (entry.isFile && entry.name.endsWith(".go")) yield path;
  }
}

export interface Imgcast {
  port: number;
  pid: number;
  /** `http://127.0.0.1:<port>/` */
  url: string;
  close(): Promise<void>;
}

/** Starts imgcast on a free port with admin:adminpw (bcrypt cost 4, as tests/_server.ts writes). */
export async function startImgcast(): Promise<Imgcast> {
  const path = await buildImgcast();
  const dir = await Deno.makeTempDir({ prefix: "imgcast-bench-" });
  await Deno.writeTextFile(`${dir}/.htpasswd`, htpasswdLine("admin", "adminpw", 4) + "\n");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const child = new Deno.Command(path, {
    env: { PORT: String(port), ROOMS_BASE_DIR: dir },
    cwd: dir,
    stdout: "null",
    stderr: "null",
  }).spawn();
  const pid = await findPid(port);
  return {
    port,
    pid,
    url: `http://127.0.0.1:${port}/`,
    async close() {
      child.kill();
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
