// Unread in headless Chromium with two people: the server badges in the rail rise and clear live,
// the "new messages" divider sits at the first unread after a reload with the list opened there,
// and a message that arrives while scrolled up shows "jump to present" and is not marked read.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { DESKTOP, PHONE, shoot } from "../../tests/_watch.ts";
import { api, signupUser, type TestUser } from "../../tests/_workspaces.ts";
import type { Browser, Page } from "playwright-core";

async function pageFor(browser: Browser, server: TestServer, user: TestUser) {
  const context = await browser.newContext({ viewport: DESKTOP });
  const [name, value] = user.cookie.split("=");
  await context.addCookies([{ name, value, url: server.origin }]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, errors, close: () => context.close() };
}

/** The first message below the divider (a day's separator may come between them). */
const FIRST_UNREAD = "#new-divider ~ .message >> nth=0";

const live = (page: Page) => page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
const title = (page: Page, test: string) => page.waitForFunction(test, null, { timeout: 5000 });

/** `user`'s read position in `channelId`, as the server keeps it. */
const readBy = async (server: TestServer, user: TestUser, channelId: number) =>
  (await api(server, user, "GET", `api/channels/${channelId}/read`)).body as {
    lastReadId: number;
    unread: number;
  };

Deno.test({
  name: "workspace unread: server badges live, the divider after a reload, jump to present",
  ...browserTest,
  async fn() {
    // 71 unread messages from one account: past the default posting burst, not tested here.
    const server = await startServer({ env: { WORKSPACE_POST_BURST: "200" } });
    const browser = await launchBrowser();
    try {
      const ann = await signupUser(server, "ann");
      const ben = await signupUser(server, "ben");
      const made = await api(server, ann, "POST", "api/servers", { name: "Team" });
      const team = (made.body.server as { id: number }).id;
      const general = (made.body.channels as { id: number }[])[0].id;
      const invite = await api(server, ann, "POST", `api/servers/${team}/invites`, {});
      await api(server, ben, "POST", `api/invites/${invite.body.code}`);
      const post = async (content: string) =>
        (await api(server, ann, "POST", `api/channels/${general}/messages`, { content })).body
          .id as number;

      /** Ann sends from her page; the id of her newest message comes back from the server. */
      const say = async (content: string) => {
        await a.page.fill("#composer textarea", content);
        await a.page.press("#composer textarea", "Enter");
        await a.page.waitForSelector(`#messages .message:has-text(${JSON.stringify(content)})`);
        const newest = (await api(server, ann, "GET", `api/channels/${general}/messages?limit=1`))
          .body.messages as { id: number }[];
        return newest[0].id;
      };

      // Ben in the Lobby: Team's badge in the rail rises with Ann's messages, then her mention.
      const a = await pageFor(browser, server, ann);
      const b = await pageFor(browser, server, ben);
      await a.page.goto(`${server.url}app/${team}/${general}`);
      await b.page.goto(`${server.url}app`);
      await Promise.all([live(a.page), live(b.page)]);
      await b.page.waitForSelector('#servers [data-server-id="1"].active');
      const badge = `#servers [data-server-id="${team}"] .ws-server-badge`;
      for (let i = 0; i < 3; i++) await say(`hello ${i}`);
      await b.page.waitForSelector(`${badge}:text("3")`, { timeout: 5000 });
      await title(b.page, 'document.title.startsWith("(3) ")');
      await post(`<@${ben.id}> are you there?`);
      await b.page.waitForSelector(`${badge}.mention:text("@1")`, { timeout: 5000 });
      await shoot(b.page, "workspace-unread-rail-desktop");

      // Opening Team shows all four (they fit): read, so the badge and the title clear.
      await b.page.click(`#servers [data-server-id="${team}"]`);
      await b.page.waitForSelector("#new-divider ~ .message >> nth=0 >> text=hello 0");
      await b.page.waitForSelector(badge, { state: "detached", timeout: 5000 });
      await title(b.page, '!document.title.startsWith("(")');
      assertEquals((await readBy(server, ben, general)).unread, 0);

      // Far more unread than fit: after a reload the list opens at the divider, not the bottom.
      await b.page.click('#servers [data-server-id="1"]');
      await b.page.waitForSelector('#servers [data-server-id="1"].active');
      const first = await post("first unread");
      for (let i = 0; i < 70; i++) await post(`backlog ${i}`);
      await b.page.waitForSelector(`${badge}:text("71")`, { timeout: 5000 });
      await b.page.goto(`${server.url}app/${team}/${general}`);
      await live(b.page);
      const divided = await b.page.waitForSelector(FIRST_UNREAD);
      assertEquals(Number(await divided.getAttribute("data-message-id")), first);
      const placed = await b.page.evaluate(() => {
        const list = document.querySelector(".ws-messages")!;
        const line = document.querySelector("#new-divider")!.getBoundingClientRect();
        const box = list.getBoundingClientRect();
        return {
          dividerInView: line.top >= box.top && line.bottom <= box.bottom,
          gap: list.scrollHeight - list.scrollTop - list.clientHeight,
        };
      });
      assert(placed.dividerInView, "the divider is in view");
      assert(placed.gap > 500, `opened ${placed.gap} px above the bottom, not at it`);
      await b.page.waitForSelector("#jump-present");

      // Only what Ben saw is read: the divider survives a reload at the first message he did not.
      await b.page.waitForTimeout(400);
      const seen = await readBy(server, ben, general);
      assert(
        seen.lastReadId >= first && seen.unread > 20,
        `read up to what was seen: ${JSON.stringify(seen)}`,
      );
      await b.page.reload();
      await live(b.page);
      const after = await b.page.waitForSelector(FIRST_UNREAD);
      assertEquals(Number(await after.getAttribute("data-message-id")) > seen.lastReadId, true);

      // A message while far back: "jump to present" says so, and nothing past the view is read.
      const late = await say("late news");
      await b.page.waitForSelector('#jump-present:has-text("new")', { timeout: 5000 });
      await b.page.waitForTimeout(400);
      assert((await readBy(server, ben, general)).lastReadId < late, "late news is not read");
      await shoot(b.page, "workspace-unread-divider-desktop");
      await b.page.click("#jump-present");
      await b.page.waitForSelector('.message:has-text("late news")');
      await title(b.page, '!document.title.startsWith("(")');
      await b.page.waitForSelector(badge, { state: "detached", timeout: 5000 });
      const caughtUp = await readBy(server, ben, general);
      assertEquals([caughtUp.lastReadId, caughtUp.unread], [late, 0]);

      // Scrolled up at the present: a new message is not read until Ben scrolls down to it.
      await b.page.evaluate(() => (document.querySelector(".ws-messages")!.scrollTop = 200));
      await b.page.waitForSelector("#jump-present");
      const away = await say("while you were up there");
      await b.page.waitForSelector('#jump-present:has-text("1 new")', { timeout: 5000 });
      await title(b.page, 'document.title.startsWith("(1) ")');
      await b.page.waitForSelector(`${badge}:text("1")`);
      await b.page.waitForTimeout(400);
      assert((await readBy(server, ben, general)).lastReadId < away, "not read while up there");
      await b.page.click("#jump-present");
      await title(b.page, '!document.title.startsWith("(")');
      assertEquals((await readBy(server, ben, general)).lastReadId, away);

      await b.page.setViewportSize(PHONE);
      await b.page.evaluate(() => (document.querySelector(".ws-messages")!.scrollTop = 0));
      await b.page.waitForSelector("#jump-present");
      await shoot(b.page, "workspace-unread-phone");
      assertEquals([...a.errors, ...b.errors], []);
      await a.close();
      await b.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
