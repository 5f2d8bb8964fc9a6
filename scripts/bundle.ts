// Bundles the browser pages (static/src/*.tsx) into static/dist with `deno bundle`.
// `--if-needed` skips the work when every bundle is newer than every source file.
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const src = join(root, "static/src");
const dist = join(root, "static/dist");

async function newest(dir: string): Promise<number> {
  let latest = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) latest = Math.max(latest, await newest(path));
    else latest = Math.max(latest, (await Deno.stat(path)).mtime?.getTime() ?? 0);
  }
  return latest;
}

async function oldest(dir: string, names: string[]): Promise<number> {
  let earliest = Infinity;
  for (const name of names) {
    try {
      earliest = Math.min(earliest, (await Deno.stat(join(dir, name))).mtime?.getTime() ?? 0);
    } catch {
      return 0;
    }
  }
  return earliest;
}

const entries: string[] = [];
const styles: string[] = [];
for await (const entry of Deno.readDir(src)) {
  if (entry.isFile && entry.name.endsWith(".tsx")) entries.push(entry.name);
  if (entry.isFile && entry.name.endsWith(".css")) styles.push(entry.name);
}
entries.sort();
const outputs = [...entries.map((e) => e.replace(/\.tsx$/, ".js")), ...styles];
const configFile = join(root, "deno.json");
const sourceTime = Math.max(await newest(src), (await Deno.stat(configFile)).mtime?.getTime() ?? 0);

if (Deno.args.includes("--if-needed") && (await oldest(dist, outputs)) > sourceTime) {
  Deno.exit(0);
}

await Deno.mkdir(dist, { recursive: true });
const { success } = await new Deno.Command(Deno.execPath(), {
  args: [
    "bundle",
    "--quiet",
    "--platform=browser",
    "--minify",
    "--code-splitting",
    `--outdir=${dist}`,
    ...entries.map((e) => join(src, e)),
  ],
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (!success) {
  console.error("Cannot bundle the browser pages: deno bundle failed");
  Deno.exit(1);
}
for (const style of styles) await Deno.copyFile(join(src, style), join(dist, style));
console.error(`Bundled ${entries.length} pages into static/dist`);
