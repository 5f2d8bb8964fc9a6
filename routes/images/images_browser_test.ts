// The image viewer in headless Chromium: live swaps, browser uploads, history, and every state,
// screenshotted at desktop and phone sizes.
import type { Browser, Page } from "playwright-core";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { DESKTOP, PHONE, shoot } from "../../tests/_watch.ts";
import { join } from "node:path";
import { manage, noiseJpeg, uploadOk } from "./_image_client.ts";

const SIZES = { desktop: DESKTOP, phone: PHONE } as const;

/** Runs `fn` with a server and a browser, closing both. */
async function withBrowser(fn: (server: TestServer, browser: Browser) => Promise<void>) {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    await fn(server, browser);
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Screenshots the page at both sizes as `image-<state>-<size>.png`, checking for overflow. */
async function shootBoth(page: Page, state: string) {
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(100);
    await shoot(page, `image-${state}-${size}`);
  }
  await page.setViewportSize(DESKTOP);
}

Deno.test({
  name: "image viewer swaps to a new upload live, without reloading the page",
  ...browserTest,
  async fn() {
    await withBrowser(async (server, browser) => {
      const first = await uploadOk(server, "wall", { caption: "First light" });
      const page = await browser.newPage({ viewport: DESKTOP });
      let loads = 0;
      page.on("load", () => loads++);
      await page.goto(`${server.url}wall`);
      await page.waitForSelector(`#live[data-id="${first}"]`, { timeout: 10_000 });
      await page.waitForSelector("#status.status-live", { timeout: 10_000 });
      assertEquals(await page.textContent("#caption"), "First light");
      const second = await uploadOk(server, "wall");
      await page.waitForSelector(`#live[data-id="${second}"]`, { timeout: 10_000 });
      const natural = await page.$eval("#live", (img) => (img as HTMLImageElement).naturalWidth);
      assert(natural > 0, "the swapped image is decoded");
      assertEquals(loads, 1, "the page never reloaded");
      assertEquals(await page.$("#caption"), null, "no caption on an image without one");
      // The strip loads thumbnails, not the originals.
      const sources = await page.$$eval(
        ".strip img",
        (imgs) => imgs.map((i) => (i as HTMLImageElement).src),
      );
      assertEquals(sources.length, 2);
      assert(sources.every((s) => s.includes("/wall/thumb/")), sources.join());
      await shootBoth(page, "live");
    });
  },
});

Deno.test({
  name: "image viewer: an unknown room says no such room, then shows the room once it is made",
  ...browserTest,
  async fn() {
    await withBrowser(async (server, browser) => {
      const page = await browser.newPage({ viewport: DESKTOP });
      const response = await page.goto(`${server.url}emptyroom`);
      assertEquals(response?.status(), 404);
      await page.waitForSelector("#no-room", { timeout: 10_000 });
      assertEquals(await page.textContent("#no-room h1"), "No such room");
      assertEquals(await page.textContent("#status"), "no room");
      assert((await page.textContent("#no-room"))!.includes("emptyroom/upload"));
      await shootBoth(page, "no-room");
      const first = await uploadOk(server, "emptyroom");
      await page.waitForSelector(`#live[data-id="${first}"]`, { timeout: 10_000 });
      await page.waitForSelector("#status.status-live", { timeout: 10_000 });
    });
  },
});

Deno.test({
  name: "image viewer: an empty room explains how to upload, with the room's curl line",
  ...browserTest,
  async fn() {
    await withBrowser(async (server, browser) => {
      await uploadOk(server, "quiet");
      assertEquals((await manage(server, "POST", "quiet/clear")).status, 200);
      const page = await browser.newPage({ viewport: DESKTOP });
      await page.goto(`${server.url}quiet`);
      await page.waitForSelector("#empty-room", { timeout: 10_000 });
      const curl = await page.textContent("#empty-room .curl-line");
      assertEquals(curl, `curl -F "image=@photo.jpg" -u USER:PASSWORD ${server.url}quiet/upload`);
      await shootBoth(page, "empty");
    });
  },
});

Deno.test({
  name: "image viewer: looking back in the strip, a new upload offers 'back to live'",
  ...browserTest,
  async fn() {
    await withBrowser(async (server, browser) => {
      const first = await uploadOk(server, "wall", { caption: "Older" });
      const second = await uploadOk(server, "wall");
      const page = await browser.newPage({ viewport: DESKTOP });
      await page.goto(`${server.url}wall`);
      await page.waitForSelector(`#live[data-id="${second}"]`, { timeout: 10_000 });
      await page.click(`.strip button:nth-child(2)`);
      await page.waitForSelector(`#live[data-id="${first}"]`);
      assertEquals(await page.$("#back-to-live"), null, "nothing new yet");
      const third = await uploadOk(server, "wall");
      await page.waitForSelector("#back-to-live", { timeout: 10_000 });
      assertEquals(await page.textContent("#back-to-live"), "New image — back to live");
      // The pinned image stays until the viewer asks.
      assertEquals(await page.getAttribute("#live", "data-id"), String(first));
      await page.hover(".viewer-bar");
      await shootBoth(page, "history");
      await page.click("#back-to-live");
      await page.waitForSelector(`#live[data-id="${third}"]`);
      assertEquals(await page.$("#back-to-live"), null);
    });
  },
});

/** Slows the page's uploads to `bytesPerSecond`, so their progress can be seen. */
async function throttleUploads(page: Page, bytesPerSecond: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
}

Deno.test({
  name: "image viewer: a room user uploads from the browser with progress; another viewer swaps",
  ...browserTest,
  async fn() {
    await withBrowser(async (server, browser) => {
      await uploadOk(server, "team");
      await manage(server, "POST", "team/uploaders", { user: "alice", password: "alicepass" });
      const photo = join(server.dataDir, "photo.jpg");
      await noiseJpeg(photo);
      const watcher = await (await browser.newContext({ viewport: PHONE })).newPage();
      await watcher.goto(`${server.url}team`);
      await watcher.waitForSelector("#live", { timeout: 10_000 });

      const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
      await page.goto(`${server.url}team`);
      await page.waitForSelector("#live", { timeout: 10_000 });
      await page.click("#open-upload");
      await page.setInputFiles("#upload-file", photo);
      await page.fill("#upload-caption", "Whiteboard after the retro");
      // A wrong password first: the error says so and the form asks again.
      await page.fill("#upload-user", "alice");
      await page.fill("#upload-password", "wrong");
      await page.click("#upload-send");
      await page.waitForSelector(".upload-error", { timeout: 10_000 });
      assert((await page.textContent(".upload-error"))!.includes("Invalid credentials"));
      await shootBoth(page, "error");

      await page.fill("#upload-password", "alicepass");
      await throttleUploads(page, 400 * 1024);
      await page.click("#upload-send");
      await page.waitForSelector("#upload-progress", { timeout: 5000 });
      await page.waitForFunction(
        () => {
          const bar = document.querySelector<HTMLProgressElement>("#upload-progress");
          return bar !== null && bar.value > 0.1 && bar.value < 0.9;
        },
        undefined,
        { timeout: 10_000 },
      );
      await shootBoth(page, "uploading");
      await page.waitForSelector("#uploader", { state: "detached", timeout: 30_000 });

      const meta = await (await fetch(`${server.url}team/meta`)).json();
      assertEquals(meta.current.uploadedBy, "alice");
      assertEquals(meta.current.caption, "Whiteboard after the retro");
      await watcher.waitForSelector(`#live[data-id="${meta.current.id}"]`, { timeout: 10_000 });
      assertEquals(await watcher.textContent("#caption"), "Whiteboard after the retro");

      // Remembered for the tab: the next upload asks for no password.
      await page.click("#open-upload");
      await page.waitForSelector(".upload-as");
      assertEquals(await page.$("#upload-password"), null);
      assertEquals(
        await page.evaluate(() => JSON.parse(sessionStorage.getItem("roomcast:image-room:team")!)),
        { user: "alice", password: "alicepass" },
      );
      // Pasting an image from the clipboard puts it in the panel.
      await page.evaluate(async (src) => {
        const blob = await (await fetch(src)).blob();
        const data = new DataTransfer();
        data.items.add(new File([blob], "pasted.jpg", { type: "image/jpeg" }));
        document.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data }));
      }, meta.current.url);
      await page.waitForSelector(".upload-preview");
    });
  },
});

Deno.test({
  name: "image viewer: the slideshow walks the room's history for a wall display",
  ...browserTest,
  async fn() {
    await withBrowser(async (server, browser) => {
      const ids = [
        await uploadOk(server, "wall", { caption: "one" }),
        await uploadOk(server, "wall", { caption: "two" }),
        await uploadOk(server, "wall", { caption: "three" }),
      ];
      const page = await browser.newPage({ viewport: DESKTOP });
      await page.goto(`${server.url}wall?slideshow&every=2`);
      await page.waitForSelector(`#live[data-id="${ids[0]}"]`, { timeout: 10_000 });
      assertEquals(await page.$(".strip"), null, "no strip on a wall display");
      await shootBoth(page, "slideshow");
      await page.waitForSelector(`#live[data-id="${ids[1]}"]`, { timeout: 5000 });
      assertEquals(await page.textContent("#caption"), "two");
      await page.waitForSelector(`#live[data-id="${ids[2]}"]`, { timeout: 5000 });
      await page.waitForSelector(`#live[data-id="${ids[0]}"]`, { timeout: 5000 });
    });
  },
});
