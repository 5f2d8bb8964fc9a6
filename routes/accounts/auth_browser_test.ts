// Signing out everywhere in headless Chromium: an open workspace tab leaves for the login page.
import { assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";

Deno.test({
  name: "workspace app: a tab whose session ends elsewhere goes to the login page",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.url}signup`);
      await page.fill('input[name="email"]', "tab@example.test");
      await page.fill('input[name="display_name"]', "tab");
      await page.fill('input[name="password"]', "correct horse");
      await page.fill('input[name="confirm_password"]', "correct horse");
      await Promise.all([page.waitForURL(`${server.url}app`), page.click('button[type="submit"]')]);
      await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });

      // Another device of the same account signs out everywhere.
      const login = await fetch(`${server.url}api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "tab@example.test", password: "correct horse" }),
      });
      const cookie = login.headers.getSetCookie()[0].split(";")[0];
      await login.body?.cancel();
      const all = await fetch(`${server.url}api/auth/logout-all`, {
        method: "POST",
        headers: { cookie },
      });
      assertEquals((await all.json()).sessionsEnded, 2);
      await page.waitForURL(`${server.url}login`, { timeout: 5_000 });
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
