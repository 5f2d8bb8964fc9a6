// The workspace app in headless Chromium: two people sign up, one invites the other, they chat live.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import type { Page } from "playwright-core";

async function signupInBrowser(page: Page, base: string, name: string) {
  await page.goto(`${base}signup`);
  await page.fill('input[name="email"]', `${name}@example.test`);
  await page.fill('input[name="display_name"]', name);
  await page.fill('input[name="password"]', "correct horse");
  await page.fill('input[name="confirm_password"]', "correct horse");
  await Promise.all([page.waitForURL(`${base}app`), page.click('button[type="submit"]')]);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
}

async function dialog(page: Page, fields: Record<string, string>) {
  for (const [selector, value] of Object.entries(fields)) await page.fill(selector, value);
  await page.click("#dialog-submit");
}

Deno.test({
  name: "workspace app: invite, live chat without reload, unread badge that clears when opened",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const errors: string[] = [];
      const [ctxA, ctxB] = [await browser.newContext(), await browser.newContext()];
      const [a, b] = [await ctxA.newPage(), await ctxB.newPage()];
      for (const page of [a, b]) page.on("pageerror", (e) => errors.push(String(e)));
      let loadsB = 0;
      b.on("load", () => loadsB++);

      await signupInBrowser(a, server.url, "alice");
      await a.click("#new-server");
      await dialog(a, { "#dialog-name": "Team" });
      await a.waitForSelector('#server-name:text("Team")');
      await a.waitForSelector('[data-channel-name="general"].active');
      await a.click("#new-channel");
      await dialog(a, { "#dialog-name": "random" });
      await a.waitForSelector('[data-channel-name="random"].active');
      await a.click('[data-channel-name="general"]');
      await a.waitForSelector('[data-channel-name="general"].active');

      await a.click("#invite");
      await a.click("#dialog-submit");
      const link = await (await a.waitForSelector("#invite-link")).inputValue();
      assert(link.startsWith(`${server.origin}/invite/`), link);
      await a.click(".ws-dialog .close");

      await signupInBrowser(b, server.url, "bob");
      await b.goto(link);
      await b.waitForSelector('#invite-server-name:text("Team")');
      await b.click("#join-invite");
      await b.waitForSelector('#server-name:text("Team")');
      await b.waitForSelector('[data-channel-name="general"].active');
      await b.waitForSelector('#conn[data-state="live"]');
      const loadsBefore = loadsB;
      await a.waitForSelector('#members li:has-text("bob")');

      // Alice types in general; Bob sees it without a reload.
      await a.fill("#composer textarea", "Hello Bob, see https://example.com/x <b>not bold</b>");
      await a.press("#composer textarea", "Enter");
      const message = await b.waitForSelector('#messages .message:has-text("Hello Bob")', {
        timeout: 10_000,
      });
      assertEquals(await message.$$eval(".content b", (els) => els.length), 0, "text, not HTML");
      assertEquals(
        await message.$eval(".content a", (el) => (el as HTMLAnchorElement).href),
        "https://example.com/x",
      );
      assertEquals(loadsB, loadsBefore, "no reload");

      // Bob answers; Alice sees it too.
      await b.fill("#composer textarea", "Hi Alice");
      await b.press("#composer textarea", "Enter");
      await a.waitForSelector('#messages .message:has-text("Hi Alice")');

      // A message in another channel raises Bob's badge there, and opening it clears the badge.
      await a.click('[data-channel-name="random"]');
      await a.waitForSelector('[data-channel-name="random"].active');
      await a.fill("#composer textarea", "over here");
      await a.press("#composer textarea", "Enter");
      const badge = await b.waitForSelector('[data-channel-name="random"] .badge', {
        timeout: 10_000,
      });
      assertEquals(await badge.textContent(), "1");
      await b.click('[data-channel-name="random"]');
      await b.waitForSelector('#messages .message:has-text("over here")');
      await b.waitForSelector('[data-channel-name="random"] .badge', { state: "detached" });

      // The cleared badge stays cleared after a reload (the read position is on the server).
      await b.reload();
      await b.waitForSelector('#conn[data-state="live"]');
      await b.waitForSelector('[data-channel-name="random"]');
      assertEquals(await b.$('[data-channel-name="random"] .badge'), null);
      assertEquals(errors, []);
      await ctxA.close();
      await ctxB.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
