// Rich messages in headless Chromium with two people: markdown that runs no script, a mention
// (badge, highlight, notification), a reply, a reaction, an edit keeping its lines, a pin, a
// delete, each live at the other; the composer's draft, countdown, growth and retry.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import type { BrowserContext, Page } from "playwright-core";

const SHOTS = Deno.env.get("MSG_SCREENSHOTS");

async function signupInBrowser(page: Page, base: string, name: string) {
  await page.goto(`${base}signup`);
  await page.fill('input[name="email"]', `${name}@example.test`);
  await page.fill('input[name="display_name"]', name);
  await page.fill('input[name="password"]', "correct horse");
  await page.fill('input[name="confirm_password"]', "correct horse");
  await Promise.all([page.waitForURL(`${base}app`), page.click('button[type="submit"]')]);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
}

/** Records notifications and lets the test hide the tab (headless tabs are never hidden). */
async function watchNotifications(context: BrowserContext) {
  await context.addInitScript(() => {
    const w = globalThis as unknown as Record<string, unknown>;
    w.__notes = [];
    w.__hidden = false;
    Object.defineProperty(document, "hidden", { get: () => w.__hidden });
    const Real = Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        (w.__notes as string[]).push(title);
      }
    }
    Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
    w.Notification = Recorded;
  });
}

async function send(page: Page, text: string) {
  await page.fill("#composer textarea", text);
  await page.press("#composer textarea", "Enter");
}

/** Milliseconds until `selector` shows on `page`. */
async function arrival(page: Page, selector: string): Promise<number> {
  const start = performance.now();
  await page.waitForSelector(selector, { timeout: 10_000 });
  return Math.round(performance.now() - start);
}

/** No element is wider than the viewport; a screenshot for the eye when MSG_SCREENSHOTS is set. */
async function checkFits(page: Page, name: string) {
  for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(100);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(wide <= size.width, `${name} at ${size.width}: ${wide} px wide`);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}-${size.width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

Deno.test({
  name: "workspace messages: markdown, mentions, replies, reactions, edits, pins and deletes live",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const errors: string[] = [];
      const permissions = {
        permissions: ["notifications"],
        viewport: { width: 1280, height: 800 },
      };
      const [ctxA, ctxB] = [
        await browser.newContext(permissions),
        await browser.newContext(permissions),
      ];
      await watchNotifications(ctxB);
      const [a, b] = [await ctxA.newPage(), await ctxB.newPage()];
      for (const page of [a, b]) {
        page.on("pageerror", (e) => errors.push(String(e)));
        page.on("dialog", (d) => void d.accept());
      }
      await signupInBrowser(a, server.url, "alice");
      await signupInBrowser(b, server.url, "bob");
      // Joining the Lobby at sign-up is announced to no one: Alice's page reads it on a reload.
      await a.reload();
      await a.waitForSelector('#members li:has-text("bob")');
      await a.waitForSelector('#conn[data-state="live"]');
      const times: Record<string, number> = {};

      // Markdown: formatting renders, the <img onerror> stays text, the javascript: link is no link.
      await send(
        a,
        '**bold** _it_ `code` ||secret|| www.example.com <img src=x onerror="window.__pwned=1"> ' +
          "[click](javascript:window.__pwned=2)\n> quoted\n- one\n- two\n```js\nconst x = 1;\n```",
      );
      times.markdown = await arrival(b, "#messages .message strong:text('bold')");
      const md = (await b.$("#messages .message:last-child .content"))!;
      assertEquals(await md.$$eval("img", (els) => els.length), 0, "no image element");
      assertEquals(await md.$$eval("a[href^='javascript']", (els) => els.length), 0);
      const link = (await md.$("a"))!;
      assertEquals(await link.getAttribute("href"), "http://www.example.com/");
      assertEquals(await link.getAttribute("rel"), "noopener noreferrer nofollow ugc");
      assert(
        await md.$("em") && await md.$("blockquote") && await md.$("ul li"),
        "em, quote, list",
      );
      assert(await md.$("pre code.hljs .hljs-keyword"), "the code block is highlighted");
      assert((await md.textContent())!.includes('<img src=x onerror="window.__pwned=1">'));
      await (await md.$(".md-spoiler"))!.click();
      await md.waitForSelector(".md-spoiler.shown");
      await (await md.$("text=[click](javascript:window.__pwned=2)"))?.click().catch(() => {});
      for (const page of [a, b]) {
        assertEquals(
          await page.evaluate(() => (globalThis as Record<string, unknown>).__pwned),
          undefined,
        );
      }

      // A mention from another channel: a badge at Bob, a notification while his tab is hidden,
      // the highlight when he opens it.
      await a.click("#new-channel");
      await a.fill("#dialog-name", "random");
      await a.click("#dialog-submit");
      await a.waitForSelector('[data-channel-name="random"].active');
      await b.waitForSelector('[data-channel-name="random"]');
      await b.evaluate(() => ((globalThis as Record<string, unknown>).__hidden = true));
      await a.type("#composer textarea", "look @bo");
      await a.waitForSelector("#mention-menu button:text('@bob')");
      await a.press("#composer textarea", "Enter");
      assertEquals(await a.inputValue("#composer textarea"), "look @bob ");
      await a.type("#composer textarea", "here");
      await a.press("#composer textarea", "Enter");
      times.mentionBadge = await arrival(
        b,
        '[data-channel-name="random"] .badge.mention:text("@1")',
      );
      await b.waitForFunction(() =>
        ((globalThis as Record<string, unknown>).__notes as string[]).length > 0
      );
      assertEquals(await b.evaluate(() => (globalThis as Record<string, unknown>).__notes), [
        "alice mentioned you",
      ]);
      await b.evaluate(() => ((globalThis as Record<string, unknown>).__hidden = false));
      await b.click('[data-channel-name="random"]');
      const mentioned = await b.waitForSelector("#messages .message.mentioned");
      assertEquals(await mentioned.$eval(".md-mention.me", (e) => e.textContent), "@bob");
      await b.waitForSelector('[data-channel-name="random"] .badge.mention', { state: "detached" });

      // A reply with its quote at Alice, which jumps to the original.
      const original = '#messages .message:has-text("look")';
      await b.hover(original);
      await b.click(`${original} .reply`);
      await b.waitForSelector("#replying:has-text('alice')");
      await send(b, "agreed");
      times.reply = await arrival(a, '#messages .message:has(.ws-reply-quote:has-text("look"))');
      await a.click(".ws-reply-quote");
      await a.waitForSelector(`${original}.flash`);

      // A reaction, live both ways, with who reacted.
      const reply = '#messages .message:has-text("agreed")';
      await a.hover(reply);
      await a.click(`${reply} .ws-add-reaction`);
      await a.click(".ws-emoji-picker button:text('🎉')");
      times.reaction = await arrival(b, `${reply} .ws-reaction[data-emoji="🎉"]:has-text("1")`);
      await b.click(`${reply} .ws-reaction[data-emoji="🎉"]`);
      await a.waitForSelector(`${reply} .ws-reaction[data-emoji="🎉"]:has-text("2")`);
      assertEquals(
        await a.getAttribute(`${reply} .ws-reaction`, "title"),
        "alice, bob reacted with 🎉",
      );

      // An edit in a multi-line field keeps its line breaks.
      await a.hover(original);
      await a.click(`${original} .edit`);
      await a.fill(".edit-form textarea", "line one\nline two");
      await a.press(".edit-form textarea", "Enter");
      times.edit = await arrival(b, '#messages .message:has-text("line two") .ws-edited');
      const edited = await b.textContent('#messages .message:has-text("line two") .content');
      assertEquals(
        await b.$eval(
          '#messages .message:has-text("line two") .content',
          (e) => (e as HTMLElement).innerText,
        ),
        "line one\nline two",
        String(edited),
      );

      // A pin, seen in Alice's pins panel.
      await b.hover(reply);
      await b.click(`${reply} .pin`);
      times.pin = await arrival(a, `${reply}.pinned`);
      await a.click("#toggle-pins");
      await a.waitForSelector("#pins li:has-text('agreed')");
      await checkFits(a, "messages");
      await a.click("#pins .close");

      // A delete.
      await a.hover('#messages .message:has-text("line two")');
      await a.click('#messages .message:has-text("line two") .delete');
      const start = performance.now();
      await b.waitForSelector('#messages .message:has-text("line two")', { state: "detached" });
      times.delete = Math.round(performance.now() - start);

      console.log("arrival at the other context, ms:", JSON.stringify(times));
      for (const [what, ms] of Object.entries(times)) assert(ms < 1000, `${what}: ${ms} ms`);
      assertEquals(errors, []);
      await ctxA.close();
      await ctxB.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name:
    "workspace composer: grows, counts down near 2000, keeps drafts per channel, retries a failed send",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } }))
        .newPage();
      await signupInBrowser(page, server.url, "alice");
      const box = "#composer textarea";
      const height = () => page.$eval(box, (e) => (e as HTMLElement).offsetHeight);
      const one = await height();
      await page.type(box, "a");
      for (let i = 0; i < 3; i++) await page.press(box, "Shift+Enter");
      // Preact renders the keystroke's state on its next tick: wait for it, not for a fixed time.
      await page.waitForFunction(
        ({ sel, h }) => (document.querySelector(sel) as HTMLElement).offsetHeight > h,
        { sel: box, h: one },
        { timeout: 2000 },
      ).catch(() => {});
      assert(await height() > one, "the composer grows with its lines");
      assertEquals(await page.$("#chars-left"), null, "no countdown far from the limit");
      await page.fill(box, "x".repeat(1900));
      await page.type(box, "y");
      assertEquals(await page.textContent("#chars-left"), "99");
      await page.fill(box, "x".repeat(2001));
      await page.type(box, "z");
      assert(await page.isDisabled("#composer button[type=submit]"), "over the limit: no send");

      // A draft survives a switch of channel and a reload.
      await page.click("#new-channel");
      await page.fill("#dialog-name", "random");
      await page.click("#dialog-submit");
      await page.waitForSelector('[data-channel-name="random"].active');
      await page.fill(box, "half a thought");
      await page.type(box, "!");
      await page.click('[data-channel-name="general"]');
      await page.waitForSelector('[data-channel-name="general"].active');
      await page.click('[data-channel-name="random"]');
      await page.waitForSelector('[data-channel-name="random"].active');
      assertEquals(await page.inputValue(box), "half a thought!");

      // The network fails once: the message stays beside the composer until retried.
      await page.route(
        "**/api/channels/*/messages",
        (route) => route.request().method() === "POST" ? route.abort() : route.continue(),
      );
      await page.fill(box, "");
      await send(page, "try me");
      await page.waitForSelector('#outgoing li[data-state="failed"]:has-text("try me")');
      await page.unroute("**/api/channels/*/messages");
      await page.click("#outgoing .retry");
      await page.waitForSelector('#messages .message:has-text("try me")');
      await page.waitForSelector("#outgoing", { state: "detached" });
      await checkFits(page, "composer");
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
