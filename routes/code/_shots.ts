// Screenshots of the code pages at both sizes for the browser tests, each checked for overflow.
import type { Page } from "playwright-core";
import { DESKTOP, PHONE, shoot } from "../../tests/_watch.ts";

/** `code-<name>-desktop.png` at 1280×800 and `-phone.png` at 390×844, in the shots folder. */
export async function shootBoth(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await shoot(page, `code-${name}-desktop`);
  await page.setViewportSize(PHONE);
  await shoot(page, `code-${name}-phone`);
  await page.setViewportSize(DESKTOP);
}
