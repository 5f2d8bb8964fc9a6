// Bench helper: opens a room page in Chromium and reads the burned-in clock off the playing video.
import type { Browser } from "playwright-core";
import { CLOCK_BITS, CLOCK_BLOCK } from "./_publishers.ts";

export interface LatencySamples {
  samples: { value: number; now: number }[];
  /** `waiting` events after playback first started. */
  stalls: number;
  /** What each stall followed: to tell the player's doing from late parts. */
  stallNotes: StallNote[];
  /** The page's own latency readout at the end, for comparison. */
  readout: string;
}

export interface StallNote {
  /** Seconds buffered ahead at the last timeupdate before the stall, and the rate then. */
  ahead: number;
  rate: number;
  /** Milliseconds from the newest part's or segment's arrival to the stall. */
  sinceMedia: number;
  /** Milliseconds between the two newest media arrivals before the stall. */
  mediaGap: number;
}

/** Samples the shown frame's clock every 250 ms for `seconds`, once the video plays. */
export async function sampleLatency(
  browser: Browser,
  url: string,
  seconds: number,
): Promise<LatencySamples> {
  // A context of its own, as a viewer's own browser: Chromium allows 6 connections per host in
  // one context, and each watch page holds an SSE stream and a blocking playlist reload.
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.waitForSelector('#player[data-state="playing"]', { timeout: 30_000 });
    await page.evaluate(() => {
      const w = globalThis as unknown as { __stalls: number; __notes: unknown[] };
      w.__stalls = 0;
      w.__notes = [];
      const video = document.querySelector("#video") as HTMLVideoElement;
      let last = { ahead: 0, rate: 1 };
      video.addEventListener("timeupdate", () => {
        const b = video.buffered;
        const ahead = b.length ? b.end(b.length - 1) - video.currentTime : 0;
        last = { ahead, rate: video.playbackRate };
      });
      video.addEventListener("waiting", () => {
        w.__stalls++;
        // the media fetches (parts, segments), by when their bytes were in
        const ends = performance.getEntriesByType("resource")
          .filter((e) => /\.(m4s|ts)(\?|$)/.test(e.name))
          .map((e) => (e as PerformanceResourceTiming).responseEnd).sort((a, b) => a - b);
        const now = performance.now();
        const [a, b] = ends.slice(-2);
        w.__notes.push({
          ahead: Math.round(last.ahead * 1000) / 1000,
          rate: last.rate,
          sinceMedia: Math.round(now - (b ?? a ?? now)),
          mediaGap: Math.round((b ?? 0) - (a ?? 0)),
        });
      });
      performance.setResourceTimingBufferSize(100_000);
    });
    // Let hls.js settle on its live-sync point, as a viewer's first seconds would.
    await page.waitForTimeout(3000);
    const samples: LatencySamples["samples"] = [];
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      const sample = await page.evaluate(([bits, block]) => {
        const video = document.querySelector("#video") as HTMLVideoElement;
        if (video.readyState < 2) return null;
        const canvas = document.createElement("canvas");
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
        ctx.drawImage(video, 0, 0);
        const now = Date.now();
        const row = ctx.getImageData(0, block / 2, bits * block, 1).data;
        let value = 0;
        for (let i = 0; i < bits; i++) {
          const o = (i * block + block / 2) * 4;
          if (row[o] + row[o + 1] + row[o + 2] > 384) value += 2 ** i;
        }
        return { value, now };
      }, [CLOCK_BITS, CLOCK_BLOCK]);
      if (sample) samples.push(sample);
      await page.waitForTimeout(250);
    }
    const { stalls, stallNotes } = await page.evaluate(() => {
      const w = globalThis as unknown as { __stalls: number; __notes: StallNote[] };
      return { stalls: w.__stalls, stallNotes: w.__notes };
    });
    const readout = (await page.textContent("#latency").catch(() => "")) ?? "";
    return { samples, stalls, stallNotes, readout };
  } finally {
    await context.close();
  }
}
