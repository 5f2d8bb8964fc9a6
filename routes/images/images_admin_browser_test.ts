// The /rooms admin page in headless Chromium: list, add and remove an uploader, clear, delete.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { DESKTOP, PHONE, shoot } from "../../tests/_watch.ts";
import { basic } from "../../tests/_server.ts";
import { postImage, uploadOk } from "./_image_client.ts";

Deno.test({
  name: "rooms page: an admin edits uploaders, clears and deletes rooms; curl follows",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      await uploadOk(server, "team", { caption: "Standup" });
      await uploadOk(server, "lobby");
      const context = await browser.newContext({
        viewport: DESKTOP,
        httpCredentials: { username: "admin", password: "adminpw", origin: server.origin },
      });
      const page = await context.newPage();
      page.on("dialog", (dialog) => void dialog.accept());
      await page.goto(`${server.url}rooms`);
      await page.waitForSelector('[data-room="team"] [data-user="admin"]', { timeout: 10_000 });
      assertEquals(await page.$$eval(".room-row", (rows) => rows.length), 2);

      const team = '[data-room="team"]';
      await page.fill(`${team} input[name=user]`, "bob");
      await page.fill(`${team} input[name=password]`, "bobpass");
      await page.click(`${team} .uploader-form button`);
      await page.waitForSelector(`${team} [data-user="bob"]`);
      for (const [size, viewport] of Object.entries({ desktop: DESKTOP, phone: PHONE })) {
        await page.setViewportSize(viewport);
        await shoot(page, `image-rooms-admin-${size}`);
      }
      await page.setViewportSize(DESKTOP);
      assertEquals(
        (await postImage(server, "team", { auth: basic("bob", "bobpass") })).status,
        200,
      );

      await page.click(`${team} [data-user="bob"] button`);
      await page.waitForSelector(`${team} [data-user="bob"]`, { state: "detached" });
      const refused = await postImage(server, "team", { auth: basic("bob", "bobpass") });
      assertEquals(refused.status, 401);
      assertEquals(refused.headers.get("www-authenticate"), 'Basic realm="Room Upload"');

      await page.click(`${team} [data-action=clear]`);
      await page.waitForFunction(
        () => document.querySelector('[data-room="team"] p')?.textContent?.startsWith("0 images"),
      );
      assertEquals((await fetch(`${server.url}team/live`)).status, 404);

      await page.click('[data-room="lobby"] [data-action=delete]');
      await page.waitForSelector('[data-room="lobby"]', { state: "detached" });
      assertEquals((await fetch(`${server.url}lobby/meta`)).status, 404);
      assert(!(await page.textContent("#rooms"))!.includes("lobby"));
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "rooms page: without admin credentials it asks for them and shows nothing",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      await uploadOk(server, "team");
      const context = await browser.newContext({
        httpCredentials: { username: "alice", password: "nope", origin: server.origin },
      });
      const page = await context.newPage();
      const response = await page.goto(`${server.url}rooms`);
      assertEquals(response?.status(), 401);
      assertEquals(await page.$(".room-row"), null);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
