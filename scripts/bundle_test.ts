// The browser pages take only types from server modules, so `deno bundle` erases those imports and
// no server code reaches static/dist.
import { assertEquals } from "../tests/_assert.ts";
import { dirname, join, relative, resolve } from "node:path";

const src = new URL("../static/src/", import.meta.url).pathname;

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sources(path);
    // Tests beside the pages are never bundled.
    else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) yield path;
  }
}

/** Every `import … from "x"` / `export … from "x"` reaching outside static/src without `type`. */
export function serverValueImports(file: string, text: string): string[] {
  const found: string[] = [];
  const statement = /^(import|export)\s+(type\s+)?[^;]*?\bfrom\s+"([^"]+)";/gms;
  for (const [whole, , type, specifier] of text.matchAll(statement)) {
    if (!specifier.startsWith(".")) continue;
    const target = resolve(dirname(file), specifier);
    if (!relative(src, target).startsWith("..")) continue;
    if (!type) found.push(`${relative(src, file)}: ${whole.split("\n")[0]}`);
  }
  return found;
}

Deno.test("browser pages import server modules with `import type` only", async () => {
  const found: string[] = [];
  let serverTypeImports = 0;
  for await (const file of sources(src)) {
    const text = await Deno.readTextFile(file);
    found.push(...serverValueImports(file, text));
    serverTypeImports += (text.match(/from "(\.\.\/)+(routes|realtime|storage)\//g) ?? []).length;
  }
  assertEquals(found, []);
  // The wire types are imported, not copied: a page that stops importing them is a step back.
  assertEquals(serverTypeImports > 0, true);
});

Deno.test("serverValueImports() flags a value import of a server module", () => {
  const file = join(src, "lib/x.ts");
  const text = [
    'import type { A } from "../../../routes/workspaces/wire.ts";',
    'import { url } from "./boot.ts";',
    'import { createHub } from "../../../realtime/hub.ts";',
    'export type { B } from "../../../routes/code/wire.ts";',
    'export { C } from "../../../routes/code/wire.ts";',
  ].join("\n");
  assertEquals(serverValueImports(file, text), [
    'lib/x.ts: import { createHub } from "../../../realtime/hub.ts";',
    'lib/x.ts: export { C } from "../../../routes/code/wire.ts";',
  ]);
});
