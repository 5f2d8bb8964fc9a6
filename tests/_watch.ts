// Browser helpers for the stream room pages: layout checks and screenshots at desktop and phone sizes.
import type { Page } from "playwright-core";
import { assert } from "./_assert.ts";

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Screenshots go here (not committed); look at them when a layout changes. */
export const SHOTS_DIR = Deno.env.get("ROOMCAST_SHOTS") ?? "/tmp/roomcast-shots";

/** Nothing on the page is wider than the viewport. */
export async function assertNoOverflow(page: Page, what: string): Promise<void> {
  const [scrollWidth, innerWidth] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    globalThis.innerWidth,
  ]);
  assert(scrollWidth <= innerWidth, `${what}: ${scrollWidth} px wide in a ${innerWidth} px window`);
}

/** Screenshots `page` at its current size as `<name>.png` and checks it does not overflow. */
export async function shoot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: `${SHOTS_DIR}/${name}.png` });
  await assertNoOverflow(page, name);
}

/** Joins the chat on a watch page with `nickname`. */
export async function joinOnPage(page: Page, nickname: string): Promise<void> {
  await page.fill("#nickname", nickname);
  await page.click("#join-form button[type=submit]");
  await page.waitForSelector("#chat-form", { timeout: 5000 });
}

/** Sends a chat message from a watch page. */
export async function sendOnPage(page: Page, text: string): Promise<void> {
  await page.fill("#chat-input", text);
  await page.click("#chat-form button[type=submit]");
}

/** The chat messages' texts on a page. */
export function chatTexts(page: Page): Promise<string[]> {
  return page.$$eval(
    "#chat-messages li.chat-message",
    (items) => items.map((li) => li.textContent ?? ""),
  );
}
