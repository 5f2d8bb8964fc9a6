// The media page in headless Chromium: each state at 1280×800 and 390×844, uploads that fail
// before and after sending, the detail view's copy buttons, delete; the server is real throughout.
import { Buffer } from "node:buffer";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { tinyPng } from "../../tests/_images.ts";
import { djangoToken, filesUnder, SECRET, uploadMedia } from "../../tests/_media.ts";
import { DESKTOP, patterns, shootBoth } from "../../tests/_media_page.ts";

/** Requests the page made to the upload and token routes, to show a refused file never left. */
function countUploadRequests(page: Page): () => number {
  let count = 0;
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith("/upload") || path.endsWith("/media/admin/token")) count++;
  });
  return () => count;
}

/** A .txt and an 11 MB file are refused in the page; an HTML ".png" by the server. */
async function refusedAndFailedUploads(page: Page): Promise<void> {
  const uploadRequests = countUploadRequests(page);
  const tooBig = new Uint8Array(10 * 1024 * 1024 + 1);
  tooBig.set(tinyPng());
  await page.setInputFiles("#upload-input", [
    { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") },
    { name: "huge.png", mimeType: "image/png", buffer: Buffer.from(tooBig) },
  ]);
  await page.waitForFunction(() => document.querySelectorAll(".upload.failed").length === 2);
  const refused = await page.locator(".upload.failed").allTextContents();
  assert(refused[0].includes(".txt files are not accepted."), refused[0]);
  assert(refused[0].includes("Choose a .jpg, .jpeg, .png, .gif, .webp, .svg, .bmp image."));
  assert(refused[1].includes("the limit is 10.0 MB.") && refused[1].includes("Shrink"));
  assertEquals(await page.locator(".upload.failed progress").count(), 0);
  await page.waitForTimeout(300);
  assertEquals(uploadRequests(), 0, "a refused file is never sent");
  await shootBoth(page, "refused");
  for (let i = 0; i < 2; i++) await page.click(".upload.failed button:has-text('Dismiss')");

  // Refused by the server (HTML named .png): the bar goes, the message says what to do.
  await page.setInputFiles("#upload-input", [
    { name: "fake.png", mimeType: "image/png", buffer: Buffer.from("<html></html>") },
  ]);
  const failed = page.locator(".upload.failed");
  await failed.waitFor();
  const failedText = (await failed.textContent())!;
  assert(
    failedText.includes("File content does not match its extension: it is not a .png image."),
  );
  assert(failedText.includes("Choose another file, or save this one again"), failedText);
  assertEquals(await failed.locator("progress").count(), 0);
  assertEquals(uploadRequests(), 2, "one token and one upload");
  await shootBoth(page, "upload-error");
  await page.click(".upload.failed button:has-text('Dismiss')");
}

/** A 3 MB upload: its progress bar comes and goes, the card shows the original name. */
async function uploadWithProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { progressSeen: number };
    w.progressSeen = 0;
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n instanceof Element && n.querySelector("progress")) w.progressSeen++;
        }
      }
    }).observe(document.body, { subtree: true, childList: true });
  });
  const big = new Uint8Array(3 * 1024 * 1024);
  big.set(tinyPng());
  await page.setInputFiles("#upload-input", [
    { name: "Holiday Été.png", mimeType: "image/png", buffer: Buffer.from(big) },
  ]);
  const card = page.locator(".media-card[data-filename]");
  await card.waitFor({ timeout: 15_000 });
  const filename = (await card.getAttribute("data-filename"))!;
  assert(/^[0-9a-f]{32}\.png$/.test(filename), filename);
  assertEquals(await card.locator(".media-name").textContent(), "Holiday Été.png");
  assertEquals(await card.locator(".media-meta").textContent(), "1 × 1 · 3.0 MB");
  assert(
    await page.evaluate(() => (globalThis as unknown as { progressSeen: number }).progressSeen) > 0,
    "a progress bar was shown",
  );
  await page.waitForFunction(
    (name) =>
      (document.querySelector(`[data-filename="${name}"] img`) as HTMLImageElement)
        ?.naturalWidth > 0,
    filename,
  );
  await shootBoth(page, "list");
}

Deno.test({
  name: "media page: loading and empty states, uploads refused before sending, failed, in progress",
  ...browserTest,
  async fn() {
    const server = await startServer({ env: { MEDIA_SERVER_SECRET: SECRET } });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({
        viewport: DESKTOP,
        httpCredentials: { username: "admin", password: "adminpw" },
        permissions: ["clipboard-read", "clipboard-write"],
      });
      const page = await context.newPage();
      page.on("dialog", (dialog) => void dialog.accept());

      // Loading: the list request is held until both screenshots are taken.
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route(/\/media\?/, async (route) => {
        await held;
        await route.continue().catch(() => {/* the page gave up on it (navigated) */});
      });
      await page.goto(`${server.url}media/admin`);
      await page.waitForSelector("#media-loading");
      await shootBoth(page, "loading");
      release();
      await page.waitForSelector("#media-empty");
      await page.unroute(/\/media\?/);
      await shootBoth(page, "empty");

      await refusedAndFailedUploads(page);
      await uploadWithProgress(page);

      await context.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name:
    "media page: the detail view copies URL, Markdown and HTML, deletes; a lost server is shown",
  ...browserTest,
  async fn() {
    const server = await startServer({ env: { MEDIA_SERVER_SECRET: SECRET } });
    const browser = await launchBrowser();
    let serverClosed = false;
    try {
      const [picture] = await patterns();
      const uploaded = await uploadMedia(server, await djangoToken(), picture, "Holiday Été.png");
      const { filename } = await uploaded.json();
      const context = await browser.newContext({
        viewport: DESKTOP,
        httpCredentials: { username: "admin", password: "adminpw" },
        permissions: ["clipboard-read", "clipboard-write"],
      });
      const page = await context.newPage();
      page.on("dialog", (dialog) => void dialog.accept());
      await page.goto(`${server.url}media/admin`);
      await page.waitForSelector("#media-grid");
      // The detail view, reachable by its address, with the three copy formats.
      const card = page.locator(".media-card[data-filename]");
      await card.locator(".media-open").click();
      const detail = page.locator("#media-detail");
      await detail.waitFor();
      assert(page.url().includes(`file=${filename}`));
      const facts = (await detail.locator("dl").textContent())!;
      assert(facts.includes("Holiday Été.png") && facts.includes(filename), facts);
      assert(facts.includes("320 × 200") && facts.includes("image/png"), facts);
      const url = `${server.url}media/${filename}`;
      const copied = async (kind: string) => {
        await detail.locator(`.copy[data-kind="${kind}"]`).click();
        await page.waitForFunction(() => document.querySelector(".media-note")?.textContent);
        return await page.evaluate(() => navigator.clipboard.readText());
      };
      assertEquals(await copied("url"), url);
      assertEquals(await copied("markdown"), `![Holiday Été](${url})`);
      assertEquals(
        await copied("html"),
        `<img src="${url}" alt="Holiday Été" width="320" height="200">`,
      );
      await shootBoth(page, "detail");
      await page.reload();
      await page.locator("#media-detail").waitFor();

      await page.locator("#media-detail .delete").click();
      await page.waitForSelector("#media-detail", { state: "detached" });
      await page.waitForSelector("#media-empty");
      assertEquals(await filesUnder(join(server.dataDir, "media")), []);

      // The server goes away: the next search says so, with a retry.
      await server.close();
      serverClosed = true;
      await page.fill("#media-search", "holiday");
      await page.waitForSelector("#media-list-error");
      const error = (await page.locator("#media-list-error").textContent())!;
      assert(error.includes("Cannot load the library.") && error.includes("Retry"), error);
      await shootBoth(page, "list-error");
      await context.close();
    } finally {
      await browser.close();
      if (!serverClosed) await server.close();
    }
  },
});

Deno.test({
  name: "media page: an upload cut off by the server going away clears its bar and offers Retry",
  ...browserTest,
  async fn() {
    const server = await startServer({ env: { MEDIA_SERVER_SECRET: SECRET } });
    const browser = await launchBrowser();
    let serverClosed = false;
    try {
      const context = await browser.newContext({
        viewport: DESKTOP,
        httpCredentials: { username: "admin", password: "adminpw" },
      });
      const page = await context.newPage();
      await page.goto(`${server.url}media/admin`);
      await page.waitForSelector("#media-empty");
      // Chromium's own throttling: 6 MB going up at 1 MB/s takes long enough to cut it off.
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: 1024 * 1024,
      });
      const body = new Uint8Array(6 * 1024 * 1024);
      body.set(tinyPng());
      await page.setInputFiles("#upload-input", [
        { name: "slow.png", mimeType: "image/png", buffer: Buffer.from(body) },
      ]);
      await page.waitForFunction(() =>
        (document.querySelector(".upload progress") as HTMLProgressElement | null)?.value! > 0
      );
      await shootBoth(page, "uploading");
      await server.close();
      serverClosed = true;
      const failed = page.locator(".upload.failed");
      await failed.waitFor({ timeout: 20_000 });
      const text = (await failed.textContent())!;
      assert(text.includes("The connection dropped.") && text.includes("press Retry"), text);
      assertEquals(await failed.locator("progress").count(), 0);
      assertEquals(await failed.locator("button:has-text('Retry')").count(), 1);
      await shootBoth(page, "upload-dropped");
      await context.close();
    } finally {
      await browser.close();
      if (!serverClosed) await server.close();
    }
  },
});
