// One admin sign-in in headless Chromium: an admin account signs in once and opens the media page
// and the studio without any Basic prompt; an account that is not an admin's gets 403 there.
import type { BrowserContext, Page } from "playwright-core";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { SECRET } from "../../tests/_media.ts";
import { ADMIN_TOKEN } from "../../tests/_streams.ts";
import { signupUser } from "../../tests/_workspaces.ts";

/** Every Basic challenge the context was sent: a browser would have prompted for each. */
function challenges(context: BrowserContext): string[] {
  const seen: string[] = [];
  context.on("response", (response) => {
    if (response.headers()["www-authenticate"]) seen.push(response.url());
  });
  return seen;
}

async function logIn(page: Page, server: TestServer, email: string, next: string) {
  await page.goto(`${server.url}login?next=${encodeURIComponent(`/${next}`)}`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', "correct horse");
  await Promise.all([page.waitForURL(`${server.url}${next}`), page.click('button[type="submit"]')]);
}

Deno.test({
  name: "admin sign-in: an admin account opens the media page and the studio with no Basic prompt",
  ...browserTest,
  async fn() {
    const server = await startServer({
      env: { MEDIA_SERVER_SECRET: SECRET, SERVER_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    const browser = await launchBrowser();
    try {
      await signupUser(server, "root"); // the first account: the admin
      await signupUser(server, "guest");
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const prompts = challenges(context);
      const page = await context.newPage();
      await logIn(page, server, "root@example.test", "media/admin");
      await page.waitForSelector("#media-grid, #media-empty", { state: "attached" });
      assertEquals(await page.textContent("#site-user .site-name"), "root");
      assert(await page.isVisible("#site-admin"), "the header marks the admin");

      const studio = await page.goto(`${server.url}studio`);
      assertEquals(studio?.status(), 200);
      await page.fill("#create-name", "Admin show");
      await page.click("#create-room");
      await page.waitForSelector('#studio-rooms button:has-text("Admin show")', { timeout: 5000 });
      assertEquals(prompts, [], "no page asked for Basic credentials");

      // Signing out in the header ends the session: the media page challenges for Basic again
      // (headless Chromium, with no credentials to give, fails the navigation on it).
      await Promise.all([page.waitForURL(server.url), page.click("#site-sign-out")]);
      await page.waitForSelector("#site-sign-in");
      const after = await page.goto(`${server.url}media/admin`).then(() => "", String);
      assert(after.includes("ERR_INVALID_AUTH_CREDENTIALS"), after);
      assertEquals(prompts, [`${server.url}media/admin`]);

      const other = await browser.newContext();
      const guestPrompts = challenges(other);
      const guest = await other.newPage();
      await logIn(guest, server, "guest@example.test", "app");
      const media = await guest.goto(`${server.url}media/admin`);
      assertEquals(media?.status(), 403);
      const refused = await guest.goto(`${server.url}studio`);
      assertEquals(refused?.status(), 403);
      await guest.waitForSelector("#not-admin");
      assertEquals(guestPrompts, [], "a non-admin account is refused, not prompted");
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
