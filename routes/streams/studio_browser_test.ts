// The streamer dashboard in Chromium: sign in, create a room, copy the key, go live, health, rotate.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { startServer } from "../../tests/_server.ts";
import { ADMIN_TOKEN, publishRtmp } from "../../tests/_streams.ts";
import { DESKTOP, PHONE, shoot } from "../../tests/_watch.ts";

const VIDEO_KBPS = 800;
const AUDIO_KBPS = 128;

/** Polls `read` until `ok` holds (the dashboard refreshes every 2 s). */
async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: last ${last}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  return last;
}

Deno.test({
  name:
    "studio: sign in, create a room, copy the key, go live with health that matches ffmpeg, rotate",
  ...browserTest,
  async fn() {
    const server = await startServer({ env: { SERVER_ADMIN_TOKEN: ADMIN_TOKEN } });
    const port = Number((await server.waitForLog(/^RTMP listening$/)).port);
    const browser = await launchBrowser();
    let publisher: ReturnType<typeof publishRtmp> | null = null;
    try {
      const context = await browser.newContext({ viewport: DESKTOP });
      await context.grantPermissions(["clipboard-read", "clipboard-write"]);
      const page = await context.newPage();
      await page.goto(`${server.url}studio`);
      await shoot(page, "studio-sign-in");
      await page.fill("#login-token", "not the token");
      await Promise.all([page.waitForNavigation(), page.click("#login-form button[type=submit]")]);
      await page.waitForSelector("#login-error");
      await page.fill("#login-token", ADMIN_TOKEN);
      await Promise.all([page.waitForNavigation(), page.click("#login-form button[type=submit]")]);
      const cookie = (await context.cookies()).find((c) => c.name === "roomcast_studio");
      assert(cookie?.httpOnly, "the session cookie is HttpOnly");

      await page.fill("#create-name", "Premiere");
      await page.click("#create-room");
      await page.waitForSelector('#studio-room[data-slug="premiere"]');
      assertEquals(await page.inputValue("#obs-key"), "••••••••••••••••", "hidden until asked");
      await page.click("#reveal-key");
      await page.waitForSelector("#copy-key");
      await page.click("#copy-key");
      const key = await page.evaluate(() => navigator.clipboard.readText());
      assert(/^[A-Za-z0-9_-]{43}$/.test(key), `the copied key: ${key}`);
      assertEquals(await page.inputValue("#obs-key"), key);
      await page.click("#copy-server");
      const serverUrl = await page.evaluate(() => navigator.clipboard.readText());
      assertEquals(serverUrl, `rtmp://127.0.0.1:${port}/live`);

      publisher = publishRtmp(port, key, 60, { videoKbps: VIDEO_KBPS, audioKbps: AUDIO_KBPS });
      await page.waitForSelector('#live-status:has-text("Live")', { timeout: 20_000 });
      const watcher = await browser.newPage();
      await watcher.goto(`${server.url}watch/premiere`);
      const text = (id: string) => () => page.textContent(id).then((t) => t ?? "");
      assertEquals(
        await until("resolution", text("#health-resolution"), (t) => t !== "–"),
        "640×360",
      );
      await until("30 fps", text("#health-fps"), (t) => t === "30 fps");
      assertEquals(await until("keyframes", text("#health-keyframe"), (t) => t !== "–"), "1 s");
      const within = (want: number) => (t: string) => Math.abs(parseFloat(t) - want) / want < 0.2;
      const video = await until("video bitrate", text("#health-video-kbps"), within(VIDEO_KBPS));
      const audio = await until("audio bitrate", text("#health-audio-kbps"), within(AUDIO_KBPS));
      assert((await page.textContent("#health-codec"))?.startsWith("H.264"));
      assert((await page.textContent("#health-audio"))?.startsWith("AAC"));
      console.log(
        `  health: ${video} video (sent ${VIDEO_KBPS}), ${audio} audio (sent ${AUDIO_KBPS})`,
      );
      await until("viewers", text("#studio-viewers"), (t) => t === "1");
      await page.waitForSelector("#viewer-graph", { timeout: 20_000 });
      await shoot(page, "studio-live-desktop");
      await page.setViewportSize(PHONE);
      await shoot(page, "studio-live-phone");
      await page.setViewportSize(DESKTOP);

      page.once("dialog", (d) => d.accept());
      await page.click("#rotate-key");
      const dropped = await publisher.done;
      assert(dropped.code !== 0, "the publisher is dropped");
      await until(
        "a new key",
        () => page.inputValue("#obs-key"),
        (v) => v !== key && v.length === 43,
      );
      const old = await publishRtmp(port, key, 2).done;
      assert(old.code !== 0, "the old key is refused");
      await page.waitForSelector('#live-status:has-text("Offline")', { timeout: 20_000 });
    } finally {
      await publisher?.stop();
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name:
    "studio: rename and describe live on the watch page, slow mode and clear inline, private with an invite, delete",
  ...browserTest,
  async fn() {
    const server = await startServer({
      env: { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, RTMP_ENABLED: "false" },
    });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: DESKTOP });
      const studio = await context.newPage();
      await studio.goto(`${server.url}studio`);
      await studio.fill("#login-token", ADMIN_TOKEN);
      await Promise.all([
        studio.waitForNavigation(),
        studio.click("#login-form button[type=submit]"),
      ]);
      await studio.fill("#create-name", "Draft");
      await studio.click("#create-room");
      await studio.waitForSelector('#studio-room[data-slug="draft"]');

      const viewer = await (await browser.newContext()).newPage();
      await viewer.goto(`${server.url}watch/draft`);
      await viewer.waitForSelector("#join-form");
      await studio.fill("#studio-room #room-name", "Premiere night");
      await studio.fill("#room-description", "Doors at 9");
      await studio.click("#save-room");
      await viewer.waitForSelector('h1:has-text("Premiere night")', { timeout: 5000 });
      assertEquals(await viewer.textContent("#description"), "Doors at 9");

      // Inline moderation on the watch page, signed in as the admin.
      const adminWatch = await context.newPage();
      await adminWatch.goto(`${server.url}watch/draft`);
      await adminWatch.selectOption("#mod-slow", "30");
      await viewer.fill("#nickname", "early");
      await viewer.click("#join-form button[type=submit]");
      await viewer.waitForSelector('#chat-input[placeholder*="30 s"]');
      await viewer.fill("#chat-input", "first");
      await viewer.click("#chat-form button[type=submit]");
      await viewer.waitForSelector('li.chat-message:has-text("first")');
      await viewer.fill("#chat-input", "second");
      await viewer.click("#chat-form button[type=submit]");
      await viewer.waitForSelector('#chat-error:has-text("Slow mode")');
      adminWatch.once("dialog", (d) => d.accept());
      await adminWatch.click("#mod-clear");
      await viewer.waitForSelector("li.chat-message", { state: "detached" });

      // Private: the open page is sent away, and an invite made in the studio lets a browser in.
      await studio.check("#private-toggle");
      await viewer.waitForSelector('h1:has-text("This room is private")', { timeout: 5000 });
      await studio.click("#invite-create");
      const link = await studio.inputValue("#invite-link");
      assert(link.includes("/watch/draft?invite="), link);
      const guest = await (await browser.newContext()).newPage();
      await guest.goto(link);
      await guest.waitForSelector('h1:has-text("Premiere night")');
      await studio.waitForSelector('#invites li[data-state="active"]');

      studio.once("dialog", (d) => d.accept());
      await studio.click("#delete-room");
      await studio.waitForSelector("#studio-room", { state: "detached" });
      await guest.waitForSelector('h1:has-text("Room not found")', { timeout: 5000 });
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
