// CSRF on Basic-auth routes in real Chromium: another site's page cannot post an image to a room.
import { assertEquals } from "../tests/_assert.ts";
import { browserTest, launchBrowser } from "../tests/_browser.ts";
import { tinyPng } from "../tests/_images.ts";
import { basic, startServer } from "../tests/_server.ts";

/** A page on another origin that posts an image to `target`, by form and by fetch. */
function attackerPage(target: string): string {
  const bytes = JSON.stringify([...tinyPng(7)]);
  return `<!doctype html><meta charset="utf-8"><title>cute cats</title>
<form id="f" method="POST" enctype="multipart/form-data" action="${target}">
<input type="file" name="image" id="file"></form>
<script>
const file = new File([new Uint8Array(${bytes})], "cat.png", { type: "image/png" });
window.byFetch = () => {
  const body = new FormData();
  body.append("image", file);
  return fetch(${
    JSON.stringify(target)
  }, { method: "POST", body, credentials: "include", mode: "no-cors" })
    .then(() => "sent", (e) => String(e));
};
window.byForm = () => {
  const dt = new DataTransfer();
  dt.items.add(file);
  document.getElementById("file").files = dt.files;
  document.getElementById("f").submit();
};
</script>`;
}

Deno.test({
  name:
    "origin: a page on another site cannot post an image to a room, though the browser holds Basic credentials",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const target = `${server.url}cats/upload`;
    const attacker = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response(attackerPage(target), { headers: { "content-type": "text/html" } }),
    );
    const browser = await launchBrowser();
    try {
      // The admin's browser answers the room's Basic challenge by itself, for any page.
      const context = await browser.newContext({
        httpCredentials: { username: "admin", password: "adminpw", origin: server.origin },
      });
      const page = await context.newPage();
      // localhost vs 127.0.0.1: another site, as far as the browser is concerned.
      await page.goto(`http://localhost:${attacker.addr.port}/`);
      assertEquals(await page.evaluate("window.byFetch()"), "sent");
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === target),
        page.evaluate("window.byForm()"),
      ]);
      assertEquals(response.status(), 403, "the form post is refused before any credential");
      await page.waitForLoadState();

      const live = await fetch(`${server.url}cats/live`);
      await live.body?.cancel();
      assertEquals(live.status, 404, "no image was stored");
      const rooms = await (await fetch(`${server.url}api/image-rooms`)).json();
      assertEquals(rooms.rooms, [], "and no room was created");

      // A script (curl) sends no Origin: it still uploads.
      const form = new FormData();
      form.append("image", new Blob([tinyPng(8) as BlobPart]), "x.png");
      const curl = await fetch(target, {
        method: "POST",
        body: form,
        headers: { authorization: basic("admin", "adminpw") },
      });
      assertEquals(curl.status, 200);
      await curl.body?.cancel();
      await context.close();
    } finally {
      await browser.close();
      await attacker.shutdown();
      await server.close();
    }
  },
});
