// The watch party in Chromium: two viewers chat and see each other, reload, moderation, the layout.
import type { Browser, Page } from "playwright-core";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { ADMIN_TOKEN, api, publishRtmp } from "../../tests/_streams.ts";
import { chatTexts, DESKTOP, joinOnPage, PHONE, sendOnPage, shoot } from "../../tests/_watch.ts";

const env = { SERVER_ADMIN_TOKEN: ADMIN_TOKEN };

async function rtmpPort(server: TestServer): Promise<number> {
  return Number((await server.waitForLog(/^RTMP listening$/)).port);
}

/** A new browser context with its own cookies and storage, on the room's page. */
async function viewer(browser: Browser, url: string, size = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

async function signInStudio(browser: Browser, server: TestServer): Promise<Page> {
  const page = await viewer(browser, `${server.url}studio`);
  await page.fill("#login-token", ADMIN_TOKEN);
  await Promise.all([page.waitForNavigation(), page.click("#login-form button[type=submit]")]);
  await page.waitForSelector("#create-form");
  return page;
}

Deno.test({
  name:
    "watch party: two viewers chat in under 1 s, see each other, and find the chat after a reload",
  ...browserTest,
  async fn() {
    const server = await startServer({ env });
    const browser = await launchBrowser();
    const port = await rtmpPort(server);
    const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Movie" } });
    const publisher = publishRtmp(port, room.streamKey, 40);
    try {
      const watch = `${server.url}watch/movie`;
      const a = await viewer(browser, watch);
      const b = await viewer(browser, watch);
      await joinOnPage(a, "alice");
      await joinOnPage(b, "bob");
      await a.waitForFunction(() =>
        document.querySelector("#presence-names")?.textContent?.includes("bob")
      );
      await b.waitForFunction(() =>
        document.querySelector("#presence-names")?.textContent?.includes("alice")
      );
      await a.waitForFunction(() =>
        document.querySelector("#viewers")?.textContent === "2 watching"
      );

      const text = "hello <b>bob</b> see https://example.com/film";
      const sentAt = Date.now();
      await sendOnPage(a, text);
      await b.waitForFunction(
        (t) =>
          [...document.querySelectorAll("#chat-messages li")].some((li) =>
            li.textContent?.includes(t)
          ),
        "see https://example.com/film",
        { polling: 10, timeout: 5000 },
      );
      const elapsed = Date.now() - sentAt;
      console.log(`  chat message from one browser to the other: ${elapsed} ms`);
      assert(elapsed < 1000, `delivered in ${elapsed} ms`);
      const link = await b.$eval(
        "#chat-messages a",
        (el) => [el.getAttribute("href"), el.getAttribute("rel")],
      );
      assertEquals(link[0], "https://example.com/film");
      assert(link[1]?.includes("noopener"), "links open safely");
      assertEquals(await b.$$eval("#chat-messages b", (els) => els.length), 0, "never HTML");

      // Emoji from the picker.
      await b.click("#emoji-button");
      await b.click('#emoji-picker button[aria-label="🍿"]');
      assertEquals(await b.inputValue("#chat-input"), "🍿");
      await b.click("#chat-form button[type=submit]");
      await a.waitForFunction(() =>
        document.querySelector("#chat-messages")?.textContent?.includes("🍿")
      );

      await b.reload();
      await b.waitForFunction(() =>
        document.querySelectorAll("#chat-messages li.chat-message").length === 2
      );
      // "N watching" is the truth: the reloaded page's old socket is counted out at once.
      await a.waitForFunction(
        () => document.querySelector("#viewers")?.textContent === "2 watching",
        null,
        { timeout: 1500 },
      );
      await a.waitForTimeout(3500); // past the 3 s recount
      assertEquals(await a.textContent("#viewers"), "2 watching");
      assertEquals(
        await b.textContent("#chat-nickname"),
        "bob",
        "the nickname stays across reloads",
      );
      assertEquals(await b.$("#join-form"), null);
      const texts = await chatTexts(b);
      assert(texts[0].includes("hello <b>bob</b>") && texts[1].includes("🍿"), texts.join(" | "));

      // The seed's curl, verbatim.
      const curl = await new Deno.Command("curl", {
        args: ["-sS", `${server.url}api/rooms/movie/messages`],
      }).output();
      const history = JSON.parse(new TextDecoder().decode(curl.stdout));
      assertEquals(history.map((m: { nickname: string }) => m.nickname), ["alice", "bob"]);
      assertEquals(history[0].content, text);
    } finally {
      await publisher.stop();
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name:
    "watch party: the admin deletes a message for everyone and bans a nickname that stays banned",
  ...browserTest,
  async fn() {
    const server = await startServer({ env: { ...env, RTMP_ENABLED: "false" } });
    const browser = await launchBrowser();
    await api(server.url, "POST", "api/rooms", { body: { name: "Mod" } });
    try {
      const watch = `${server.url}watch/mod`;
      const a = await viewer(browser, watch);
      const b = await viewer(browser, watch);
      const admin = await signInStudio(browser, server);
      await admin.goto(watch);
      await joinOnPage(a, "alice");
      await joinOnPage(b, "troll");
      await sendOnPage(b, "buy cheap stuff");
      await sendOnPage(a, "hi all");
      for (const page of [a, b, admin]) {
        await page.waitForFunction(() =>
          document.querySelectorAll("#chat-messages li.chat-message").length === 2
        );
      }
      const spam = 'li.chat-message:has-text("buy cheap stuff")';
      await admin.click(`${spam} button:has-text("Delete")`);
      for (const page of [a, b]) {
        await page.waitForSelector(spam, { state: "detached", timeout: 2000 });
      }
      assertEquals((await chatTexts(a)).length, 1);

      await sendOnPage(b, "again");
      await admin.waitForSelector('li.chat-message:has-text("again")');
      admin.once("dialog", (d) => d.accept());
      await admin.click('li.chat-message:has-text("again") button:has-text("Ban")');
      await b.waitForTimeout(300);
      await b.fill("#chat-input", "let me back").catch(() => {});
      await b.click("#chat-form button[type=submit]").catch(() => {});
      // The refused token is forgotten: the join form returns, and rejoining is refused too.
      await b.waitForSelector("#join-form", { timeout: 5000 });
      await b.fill("#nickname", "totally-new-name");
      await b.click("#join-form button[type=submit]");
      await b.waitForSelector('.chat-error:has-text("banned")', { timeout: 5000 });
      const stored = (await api(server.url, "GET", "api/rooms/mod/messages")).body;
      assert(!stored.some((m: { content: string }) => m.content === "let me back"), "not stored");
      // The other viewer chats on.
      await sendOnPage(a, "still here");
      await b.waitForSelector('li.chat-message:has-text("still here")');
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name:
    "watch page: unmute prompt, latency in words, share menu, theatre mode; no overflow on desktop or phone",
  ...browserTest,
  async fn() {
    const server = await startServer({ env });
    const browser = await launchBrowser();
    const port = await rtmpPort(server);
    const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Night" } });
    await api(server.url, "PATCH", "api/rooms/night", {
      body: {
        description: "Tonight: a long film with a very long description that should wrap nicely.",
      },
    });
    const publisher = publishRtmp(port, room.streamKey, 40);
    try {
      for (const [label, size] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
        const page = await viewer(browser, `${server.url}watch/night`, size);
        await page.waitForSelector('#player[data-state="playing"]', { timeout: 20_000 });
        await joinOnPage(page, `viewer-${label}`);
        await sendOnPage(
          page,
          `a message from the ${label} with a long link https://example.com/${"x".repeat(80)}`,
        );
        await page.waitForSelector("#latency-words", { timeout: 5000 });
        assert(/behind live|Almost live/.test((await page.textContent("#latency-words")) ?? ""));
        assert(/Latency \d+\.\d s/.test((await page.textContent("#latency")) ?? ""));
        assert(/Live for \d+:\d\d/.test((await page.textContent("#uptime")) ?? ""));
        assertEquals(
          await page.textContent("#description"),
          "Tonight: a long film with a very long description that should wrap nicely.",
        );
        await page.waitForSelector("#unmute");
        await shoot(page, `watch-${label}`);
        await page.click("#unmute");
        await page.waitForSelector("#unmute", { state: "detached" });
        assertEquals(await page.$eval("#video", (v) => (v as HTMLVideoElement).muted), false);

        await page.click("#share");
        assertEquals(await page.inputValue("#hls-link"), room.hlsUrl);
        assertEquals(await page.inputValue("#watch-link"), room.watchUrl);
        await shoot(page, `watch-${label}-share`);
        await page.click("#share");

        await page.click("#theatre");
        await page.waitForSelector("main.watch-theatre");
        await shoot(page, `watch-${label}-theatre`);
        await page.click("#theatre");

        const toggle = await page.isVisible("#chat-toggle");
        assertEquals(toggle, label === "phone", "the chat folds away only on a phone");
        if (toggle) {
          await page.click("#chat-toggle");
          await page.waitForSelector("#chat-messages", { state: "detached" });
          await shoot(page, "watch-phone-chat-closed");
        }
        await page.context().close();
      }
    } finally {
      await publisher.stop();
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "watch page: a quality picker when STREAM_TRANSCODE=abr",
  ...browserTest,
  async fn() {
    const server = await startServer({ env: { ...env, STREAM_TRANSCODE: "abr" } });
    const browser = await launchBrowser();
    const port = await rtmpPort(server);
    const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Ladder" } });
    const publisher = publishRtmp(port, room.streamKey, 40);
    try {
      const page = await viewer(browser, `${server.url}watch/ladder`);
      await page.waitForSelector("#quality", { timeout: 30_000 });
      const options = await page.$$eval("#quality option", (els) => els.map((o) => o.textContent));
      assertEquals(options[0], "Auto");
      assert(options.length >= 3, `a rendition per rung: ${options.join(", ")}`);
      await page.selectOption("#quality", "1");
      assertEquals(await page.inputValue("#quality"), "1");
      await shoot(page, "watch-desktop-quality");
    } finally {
      await publisher.stop();
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: 'watch page: "N watching" is right after another viewer leaves and the page reloads',
  ...browserTest,
  async fn() {
    const server = await startServer({ env: { ...env, RTMP_ENABLED: "false" } });
    const browser = await launchBrowser();
    await api(server.url, "POST", "api/rooms", { body: { name: "Count" } });
    try {
      const a = await viewer(browser, `${server.url}watch/count`);
      const b = await viewer(browser, `${server.url}watch/count`);
      await a.waitForFunction(() =>
        document.querySelector("#viewers")?.textContent === "2 watching"
      );
      await b.context().close();
      await a.reload();
      // The old page said "0 watching" here, for good: its greeting was counted before its own stream.
      await a.waitForFunction(
        () => document.querySelector("#viewers")?.textContent === "1 watching",
        null,
        { timeout: 2000 },
      );
      await a.waitForTimeout(3500); // past the 3 s recount
      assertEquals(await a.textContent("#viewers"), "1 watching");
      assertEquals((await api(server.url, "GET", "api/rooms/count")).body.viewers, 1);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
