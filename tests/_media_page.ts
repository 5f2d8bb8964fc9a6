// Helpers for the media page's browser tests: screenshots at both sizes, thumbnails, test pictures.
import type { Page } from "playwright-core";
import { assert, assertEquals } from "./_assert.ts";
import { djangoToken } from "./_media.ts";

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
/** Screenshots go here (not committed); look at them when the page changes. */
const SHOTS = Deno.env.get("ROOMCAST_SHOTS") ?? "/tmp/roomcast-shots";

/** Screenshots the page at both sizes as media-<state>-{desktop,phone}.png, checking overflow. */
export async function shootBoth(page: Page, state: string): Promise<void> {
  await Deno.mkdir(SHOTS, { recursive: true });
  for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(100);
    await page.screenshot({ path: `${SHOTS}/media-${state}-${size}.png` });
    const [scrollWidth, innerWidth] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      globalThis.innerWidth,
    ]);
    assert(scrollWidth <= innerWidth, `${state} ${size}: ${scrollWidth} px in ${innerWidth} px`);
  }
  await page.setViewportSize(DESKTOP);
}

/** Waits until every thumbnail in view has loaded (ffmpeg makes them on first request). */
export async function thumbnailsShown(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll<HTMLImageElement>("#media-grid img")]
        .filter((img) => img.getBoundingClientRect().top < innerHeight)
        .every((img) => img.complete && img.naturalWidth > 0),
    undefined,
    { timeout: 20_000 },
  );
}

/** A few real pictures (ffmpeg test patterns), so the screenshots look like a library. */
export async function patterns(): Promise<Uint8Array[]> {
  const sources = ["testsrc=size=320x200", "smptebars=size=300x300", "mandelbrot=size=240x320"];
  return await Promise.all(sources.map(async (source) => {
    const { stdout, success } = await new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-f", "lavfi", "-i", source, "-frames:v", "1", "-f", "image2pipe"]
        .concat(["-c:v", "png", "pipe:1"]),
      stdout: "piped",
    }).output();
    assert(success, `ffmpeg made ${source}`);
    return stdout;
  }));
}

/** Uploads file-000.png … file-<n-1>.png, each a few bytes longer than the one before. */
export async function seedLibrary(serverUrl: string, n: number): Promise<void> {
  const pictures = await patterns();
  const token = await djangoToken();
  for (let start = 0; start < n; start += 8) {
    await Promise.all(Array.from({ length: Math.min(8, n - start) }, async (_, k) => {
      const i = start + k;
      const picture = pictures[i % pictures.length];
      const body = new Uint8Array(picture.length + i * 3);
      body.set(picture);
      const form = new FormData();
      form.append("file", new Blob([body]), `file-${String(i).padStart(3, "0")}.png`);
      const response = await fetch(`${serverUrl}upload?token=${token}`, {
        method: "POST",
        body: form,
      });
      assertEquals(response.status, 200);
      await response.body?.cancel();
    }));
  }
}
