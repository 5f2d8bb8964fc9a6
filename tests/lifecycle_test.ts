// Server lifecycle against the real process: first start, home page, health, graceful shutdown.
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { basic, startServer } from "./_server.ts";
import { tinyGif, tinyPng } from "./_images.ts";
import { join } from "node:path";

Deno.test("first start creates the admin htpasswd and logs its password once", async () => {
  const dataDir = await Deno.makeTempDir();
  const fresh = await startServer({ dataDir, admins: null });
  try {
    const created = await fresh.waitForLog(/^Created admin user/);
    const password = String(created.password);
    assert(password.length >= 16);
    assertMatch(await Deno.readTextFile(join(dataDir, ".htpasswd")), /^admin:\$2y\$10\$/);
    const form = new FormData();
    form.append("image", new Blob([tinyGif() as BlobPart]), "a.gif");
    const upload = await fetch(`${fresh.url}first/upload`, {
      method: "POST",
      body: form,
      headers: { authorization: "Basic " + btoa(`admin:${password}`) },
    });
    assertEquals(upload.status, 200);
    await upload.body?.cancel();
  } finally {
    await fresh.close();
  }
  const again = await startServer({ dataDir, admins: null });
  try {
    assertEquals(
      again.logs.some((l) => l.includes("Created admin user")),
      false,
      "printed only once",
    );
  } finally {
    await again.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("GET / is the home page for browsers and the health JSON for scripts", async () => {
  const server = await startServer();
  try {
    const health = await fetch(server.url);
    assertEquals(await health.json(), { status: "ok", service: "Media Server" });
    const page = await fetch(server.url, { headers: { accept: "text/html" } });
    assertMatch(await page.text(), /assets\/home\.js/);
    const js = await fetch(`${server.url}assets/home.js`);
    assertEquals(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    const etag = js.headers.get("etag")!;
    await js.body?.cancel();
    const cached = await fetch(`${server.url}assets/home.js`, {
      headers: { "if-none-match": etag },
    });
    assertEquals(cached.status, 304);
    assertEquals((await (await fetch(`${server.url}healthz`)).json()).status, "ok");
    const missing = await fetch(`${server.url}assets/..%2Fmain.ts`);
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("SIGTERM ends open SSE streams and the process exits cleanly", async () => {
  const server = await startServer();
  // A room exists once it has an image; only then does it have a stream.
  const form = new FormData();
  form.append("image", new Blob([tinyPng(1) as BlobPart]), "x.png");
  const uploaded = await fetch(`${server.url}some-room/upload`, {
    method: "POST",
    body: form,
    headers: { authorization: basic("admin", "adminpw") },
  });
  await uploaded.body?.cancel();
  const stream = await fetch(`${server.url}some-room/events`);
  assertEquals(stream.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const reader = stream.body!.getReader();
  await reader.read();
  await server.close();
  let done = false;
  while (!done) done = (await reader.read().catch(() => ({ done: true }))).done;
  assert(server.logs.some((l) => l.includes('"msg":"Stopped"')), "the server logged a clean stop");
});

Deno.test("a bad setting stops the server with a message naming it", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../main.ts", import.meta.url).pathname],
    env: { PORT: "nope", DATA_DIR: await Deno.makeTempDir() },
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(code, 2);
  assertMatch(new TextDecoder().decode(stderr), /PORT must be a whole number/);
});
