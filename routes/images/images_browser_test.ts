// The image viewer in headless Chromium: it swaps the image after an upload, without a reload.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { basic, startServer } from "../../tests/_server.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { tinyPng } from "../../tests/_images.ts";

async function upload(url: string, room: string, seed: number) {
  const form = new FormData();
  form.append("image", new Blob([tinyPng(seed) as BlobPart]), "x.png");
  const response = await fetch(`${url}${room}/upload`, {
    method: "POST",
    body: form,
    headers: { authorization: basic("admin", "adminpw") },
  });
  assertEquals(response.status, 200);
  return (await response.json()).image.id as number;
}

Deno.test({
  name: "image viewer swaps to a new upload live, without reloading the page",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const first = await upload(server.url, "wall", 1);
      const page = await browser.newPage();
      let loads = 0;
      page.on("load", () => loads++);
      await page.goto(`${server.url}wall`);
      await page.waitForSelector(`#live[data-id="${first}"]`, { timeout: 10_000 });
      await page.waitForSelector("#status.status-live", { timeout: 10_000 });
      const second = await upload(server.url, "wall", 2);
      await page.waitForSelector(`#live[data-id="${second}"]`, { timeout: 10_000 });
      const natural = await page.$eval("#live", (img) => (img as HTMLImageElement).naturalWidth);
      assert(natural > 0, "the swapped image is decoded");
      assertEquals(loads, 1, "the page never reloaded");
      const strip = await page.$$(".strip button");
      assertEquals(strip.length, 2);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "image viewer opened before its room exists shows the first upload once it arrives",
  ...browserTest,
  async fn() {
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}later`);
      await page.waitForSelector(".empty", { timeout: 10_000 });
      const first = await upload(server.url, "later", 1);
      await page.waitForSelector(`#live[data-id="${first}"]`, { timeout: 10_000 });
      await page.waitForSelector("#status.status-live", { timeout: 10_000 });
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
