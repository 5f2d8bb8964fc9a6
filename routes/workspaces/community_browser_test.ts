// The community in headless Chromium, two people at once: a member sees no owner/admin controls,
// an admin renames and sets a topic live, DMs both ways, a profile name, a kick; checked at
// 1280×800 and 390×844 for overflow.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { api, signupUser, type TestUser } from "../../tests/_workspaces.ts";
import type { Browser, Page } from "playwright-core";
import { Buffer } from "node:buffer";

// A 1×1 PNG.
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  ),
  (ch) => ch.charCodeAt(0),
);

async function open(browser: Browser, server: TestServer, user: TestUser, serverId: number) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const [name, value] = user.cookie.split("=");
  await context.addCookies([{ name, value, url: server.url }]);
  const page = await context.newPage();
  await page.goto(`${server.url}app`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
  await page.click(`[data-server-id="${serverId}"]`);
  await page.waitForSelector('#server-name:text("Club")');
  return page;
}

/** Nothing wider than the screen, and the open dialog inside it. */
async function fits(page: Page, label: string) {
  const box = await page.evaluate(() => {
    const dialog = document.querySelector(".ws-dialog")?.getBoundingClientRect();
    return {
      scroll: document.documentElement.scrollWidth,
      width: innerWidth,
      height: innerHeight,
      dialog: dialog &&
        { left: dialog.left, right: dialog.right, top: dialog.top, bottom: dialog.bottom },
    };
  });
  assert(box.scroll <= box.width, `${label}: page ${box.scroll}px wide in ${box.width}px`);
  if (box.dialog) {
    const d = box.dialog;
    assert(
      d.left >= 0 && d.right <= box.width && d.top >= 0 && d.bottom <= box.height,
      `${label}: ${JSON.stringify(d)}`,
    );
  }
}

Deno.test({
  name:
    "community app: roles hide controls, an admin's changes and a DM arrive live, a kick removes",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const ada = await signupUser(server, "ada");
      const bob = await signupUser(server, "bob");
      const cy = await signupUser(server, "cy");
      const created = await api(server, ada, "POST", "api/servers", { name: "Club" });
      const serverId = (created.body.server as { id: number }).id;
      const general = (created.body.channels as { id: number }[])[0].id;
      const code =
        (await api(server, ada, "POST", `api/servers/${serverId}/invites`, {})).body.code;
      for (const u of [bob, cy]) await api(server, u, "POST", `api/invites/${code}`);
      await api(server, ada, "PATCH", `api/servers/${serverId}/members/${bob.id}`, {
        role: "admin",
      });

      const errors: string[] = [];
      const admin = await open(browser, server, bob, serverId);
      const member = await open(browser, server, cy, serverId);
      for (const page of [admin, member]) {
        page.on("pageerror", (e) => errors.push(String(e)));
        page.on("dialog", (d) => void d.accept());
      }

      // The member: no invite, no new channel, no settings, kick, ban or delete; leave is there.
      assertEquals(await member.$("#invite"), null);
      assertEquals(await member.$("#new-channel"), null);
      await member.click("#server-settings");
      await member.waitForSelector(`#server-dialog [data-manage-member="${bob.id}"]`);
      for (
        const hidden of [
          "#server-rename",
          ".kick",
          ".ban",
          "#delete-server",
          "[data-manage-channel]",
        ]
      ) {
        assertEquals(await member.$(`#server-dialog ${hidden}`), null, hidden);
      }
      assert(await member.$("#leave-server"));
      await member.click(".ws-dialog .close");

      // The admin renames the server and sets a topic: the member sees both within a second.
      await admin.click("#server-settings");
      await admin.waitForSelector("#server-rename");
      assert(await admin.$(`[data-manage-member="${cy.id}"] .kick`), "an admin can kick a member");
      assertEquals(await admin.$(`[data-manage-member="${ada.id}"] .kick`), null, "not the owner");
      await fits(admin, "dialog 1280×800");
      await admin.screenshot({
        path: `${Deno.env.get("SCREENSHOTS") ?? server.dataDir}/community-1280.png`,
      });
      await admin.fill("#server-rename", "Book Club");
      let started = Date.now();
      await admin.click("#server-save");
      await member.waitForSelector('#server-name:text("Book Club")', { timeout: 1000 });
      const renameMs = Date.now() - started;
      const row = `[data-manage-channel="${general}"]`;
      await admin.fill(`${row} input[name="topic"]`, "Books and tea");
      started = Date.now();
      await admin.click(`${row} button[type="submit"]`);
      await member.waitForSelector('#channel-topic:text("Books and tea")', { timeout: 1000 });
      const topicMs = Date.now() - started;
      await admin.setViewportSize({ width: 390, height: 844 });
      await fits(admin, "dialog 390×844");
      await admin.screenshot({
        path: `${Deno.env.get("SCREENSHOTS") ?? server.dataDir}/community-390.png`,
      });
      await admin.click(".ws-dialog .close");
      await fits(admin, "app 390×844");
      await admin.setViewportSize({ width: 1280, height: 800 });

      // A DM, both ways: the member opens it from the member list, the admin gets it in the rail.
      await member.click("#server-settings");
      await member.click(`[data-manage-member="${bob.id}"] .dm-open`);
      await member.waitForSelector('#server-name:text("bob")');
      await member.fill("#composer textarea", "psst, bob");
      await member.press("#composer textarea", "Enter");
      const dms = await api(server, bob, "GET", "api/dms");
      const dm = (dms.body.dms as { serverId: number }[])[0];
      await admin.waitForSelector(`[data-server-id="${dm.serverId}"][title^="@cy"]`, {
        timeout: 1000,
      });
      await admin.click(`[data-server-id="${dm.serverId}"]`);
      await admin.waitForSelector('#messages .message:has-text("psst, bob")');
      await admin.fill("#composer textarea", "hi cy");
      await admin.press("#composer textarea", "Enter");
      await member.waitForSelector('#messages .message:has-text("hi cy")', { timeout: 1000 });

      // A new display name reaches the other's member list live.
      await admin.click(`[data-server-id="${serverId}"]`);
      await admin.waitForSelector(`#members [data-member-id="${cy.id}"]`);
      await member.click("#open-profile");
      await member.fill("#profile-name", "Cy R.");
      await member.click("#profile-save");
      await admin.waitForSelector(`#members [data-member-id="${cy.id}"]:has-text("Cy R.")`, {
        timeout: 1000,
      });
      // An avatar picked in the profile shows in the other's server dialog, served as an image.
      await member.setInputFiles("#avatar-file", {
        name: "me.png",
        mimeType: "image/png",
        buffer: Buffer.from(PNG),
      });
      await member.waitForSelector("#profile-dialog img.ws-avatar");
      await admin.click("#server-settings");
      const img = await admin.waitForSelector(`[data-manage-member="${cy.id}"] img.ws-avatar`);
      // The element shows before its image has loaded: wait for the load, then check what came.
      await img.evaluate((el) =>
        new Promise<void>((resolve) => {
          const image = el as HTMLImageElement;
          if (image.complete) return resolve();
          image.addEventListener("load", () => resolve(), { once: true });
          image.addEventListener("error", () => resolve(), { once: true });
        })
      );
      assert(
        await img.evaluate((el) =>
          (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth === 1
        ),
        "the avatar loaded as the 1×1 PNG",
      );
      await admin.click(".ws-dialog .close");
      await member.click(".ws-dialog .close");

      // Kicked: the member's page drops the server at once and says why.
      await member.click(`[data-server-id="${serverId}"]`);
      await member.waitForSelector('#server-name:text("Book Club")');
      await admin.click("#server-settings");
      started = Date.now();
      await admin.click(`[data-manage-member="${cy.id}"] .kick`);
      await member.waitForSelector(`[data-server-id="${serverId}"]`, {
        state: "detached",
        timeout: 1000,
      });
      const kickMs = Date.now() - started;
      await member.waitForSelector('[role="alert"]:has-text("removed")');
      await admin.waitForSelector(`#server-dialog [data-manage-member="${cy.id}"]`, {
        state: "detached",
      });
      console.log(`rename ${renameMs} ms, topic ${topicMs} ms, kick ${kickMs} ms at the other`);
      assertEquals(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
