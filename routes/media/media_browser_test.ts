// The media page in headless Chromium: upload with progress, grid with thumbnail, copy URL, delete.
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { tinyPng } from "../../tests/_images.ts";
import { filesUnder, SECRET } from "../../tests/_media.ts";

Deno.test({
  name: "media page: an admin uploads with a progress bar, copies the URL and deletes",
  ...browserTest,
  async fn() {
    const server = await startServer({ env: { MEDIA_SERVER_SECRET: SECRET } });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({
        httpCredentials: { username: "admin", password: "adminpw" },
        permissions: ["clipboard-read", "clipboard-write"],
      });
      const page = await context.newPage();
      await page.goto(`${server.url}media/admin`);
      await page.waitForSelector("#media-grid", { state: "attached" });
      // Count progress bars as they come and go: a local upload can be over in a frame.
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
        { name: "big.png", mimeType: "image/png", buffer: Buffer.from(big) },
      ]);
      const card = await page.waitForSelector(".media-card", { timeout: 15_000 });
      const filename = (await card.getAttribute("data-filename"))!;
      assert(/^[0-9a-f]{32}\.png$/.test(filename), filename);
      assert(
        await page.evaluate(() =>
          (globalThis as unknown as { progressSeen: number }).progressSeen
        ) > 0,
        "a progress bar was shown",
      );

      await page.waitForFunction(
        (name) => {
          const img = document.querySelector(`[data-filename="${name}"] img`);
          return (img as HTMLImageElement | null)?.naturalWidth! > 0;
        },
        filename,
        { timeout: 10_000 },
      );

      await page.setInputFiles("#upload-input", [
        { name: "fake.png", mimeType: "image/png", buffer: Buffer.from("<html>") },
      ]);
      const failed = await page.waitForSelector(".upload.failed .media-error");
      assertEquals(
        await failed.textContent(),
        "File content does not match its extension: it is not a .png image.",
      );

      await page.click(`[data-filename="${filename}"] .copy`);
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assertEquals(copied, `${server.url}media/${filename}`);

      page.once("dialog", (dialog) => void dialog.accept());
      await page.click(`[data-filename="${filename}"] .delete`);
      await page.waitForSelector(`[data-filename="${filename}"]`, { state: "detached" });
      assertEquals(await filesUnder(join(server.dataDir, "media")), []);
      await context.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
