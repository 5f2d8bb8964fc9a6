// The media page in headless Chromium with 120 files: pages, search by original name, sort, bulk delete.
import type { Page } from "playwright-core";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { SECRET } from "../../tests/_media.ts";
import {
  DESKTOP,
  PHONE,
  seedLibrary,
  shootBoth,
  thumbnailsShown,
} from "../../tests/_media_page.ts";

const cardNames = (page: Page) => page.locator("#media-grid .media-name").allTextContents();
const totalOf = async (serverUrl: string) =>
  (await (await fetch(`${serverUrl}media?limit=1`)).json()).total as number;

/** Search by original name; the pager goes away when one page holds all; sort; no match. */
async function searchAndSort(page: Page, serverUrl: string): Promise<void> {
  await page.fill("#media-search", "FILE-07");
  await page.waitForFunction(() =>
    document.querySelectorAll("#media-grid .media-card").length === 10
  );
  assertEquals((await cardNames(page))[0], "file-070.png");
  assertEquals(await page.locator("#page-label").count(), 0);
  await thumbnailsShown(page);
  await shootBoth(page, "search");
  const largest = (await (await fetch(`${serverUrl}media?q=file-07&sort=size&limit=1`)).json())
    .images[0].original_name;
  await page.selectOption("#media-sort", "size");
  await page.waitForFunction(
    (name) => document.querySelector("#media-grid .media-name")?.textContent === name,
    largest,
  );
  await page.fill("#media-search", "no-such-file");
  await page.waitForSelector("#media-empty");
  assert(
    (await page.textContent("#media-empty"))!.includes("No file name contains “no-such-file”."),
  );
  await shootBoth(page, "no-match");
}

/** Bulk delete: three picked by hand, then a whole page. */
async function bulkDelete(page: Page, serverUrl: string): Promise<void> {
  await page.click("#media-empty button");
  await page.selectOption("#media-sort", "name");
  await page.waitForFunction(() =>
    document.querySelector("#media-grid .media-name")?.textContent === "file-000.png"
  );
  for (const name of ["file-000.png", "file-001.png", "file-005.png"]) {
    await page.locator(".media-card", { hasText: name }).locator(".media-select input").check();
  }
  assertEquals(await page.textContent("#selected-count"), "3 selected");
  await thumbnailsShown(page);
  await shootBoth(page, "selected");
  await page.click("#delete-selected");
  await page.waitForFunction(() =>
    document.getElementById("media-status")?.textContent === "Deleted 3 files."
  );
  assertEquals(await totalOf(serverUrl), 117);
  await page.waitForFunction(() =>
    document.querySelector("#media-grid .media-name")?.textContent === "file-002.png"
  );
  await page.check("#select-page");
  assertEquals(await page.textContent("#selected-count"), "48 selected");
  await page.click("#delete-selected");
  await page.waitForFunction(() =>
    document.getElementById("media-status")?.textContent === "Deleted 48 files."
  );
  assertEquals(await totalOf(serverUrl), 69);
  await page.waitForFunction(() =>
    document.getElementById("page-label")?.textContent?.includes("Page 1 of 2")
  );
}

Deno.test({
  name: "media page: pages through 120 files, searches by original name, sorts, bulk-deletes",
  ...browserTest,
  async fn() {
    const server = await startServer({ env: { MEDIA_SERVER_SECRET: SECRET } });
    const browser = await launchBrowser();
    try {
      await seedLibrary(server.url, 120);
      const context = await browser.newContext({
        viewport: DESKTOP,
        httpCredentials: { username: "admin", password: "adminpw" },
      });
      const page = await context.newPage();
      page.on("dialog", (dialog) => void dialog.accept());
      await page.goto(`${server.url}media/admin?sort=name`);
      await page.waitForSelector("#media-grid");
      const first = await cardNames(page);
      assertEquals(first.length, 48);
      assertEquals([first[0], first[47]], ["file-000.png", "file-047.png"]);
      assert((await page.textContent("#page-label"))!.includes("Page 1 of 3"));
      await thumbnailsShown(page);
      await shootBoth(page, "list-full");

      // A phone gets a grid of small cards: three or more a row.
      await page.setViewportSize(PHONE);
      const columns = await page.evaluate(() =>
        getComputedStyle(document.getElementById("media-grid")!).gridTemplateColumns.split(" ")
          .length
      );
      assert(columns >= 3, `${columns} columns on a phone`);
      await page.setViewportSize(DESKTOP);

      const seen = new Set(first);
      for (const [expected, label] of [[48, "Page 2 of 3"], [24, "Page 3 of 3"]] as const) {
        await page.click("#page-next");
        await page.waitForFunction(
          (l) => document.getElementById("page-label")?.textContent?.includes(l),
          label,
        );
        await page.waitForSelector("#media-grid");
        const names = await cardNames(page);
        assertEquals(names.length, expected);
        for (const name of names) seen.add(name);
      }
      assertEquals(seen.size, 120, "every file once across the pages");
      assert(await page.locator("#page-next").isDisabled());
      // The page is in the address: a reload (or a shared link) lands on page 3 again.
      await page.reload();
      await page.waitForSelector("#media-grid");
      assertEquals((await cardNames(page)).at(-1), "file-119.png");

      await searchAndSort(page, server.url);
      await bulkDelete(page, server.url);
      await context.close();
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
