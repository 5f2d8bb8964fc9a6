// Headless Chromium for end-to-end tests, driven by playwright-core (Debian's /usr/bin/chromium).
import { type Browser, chromium } from "playwright-core";

const EXECUTABLE = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

export interface LaunchOptions {
  /** Fake camera, microphone and screen, allowed without asking (WebRTC tests). */
  media?: boolean;
  /** More Chromium flags, e.g. `--use-file-for-fake-audio-capture=<wav>`. */
  args?: string[];
}

/** Launches headless Chromium with the flags this closed network needs. */
export function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      "--autoplay-policy=no-user-gesture-required",
      ...(options.media
        ? [
          "--use-fake-device-for-media-stream",
          "--use-fake-ui-for-media-stream",
          // getDisplayMedia picks the (fake) screen instead of asking.
          "--auto-select-desktop-capture-source=Entire screen",
        ]
        : []),
      ...(options.args ?? []),
    ],
  });
}

/** Options for Deno.test around Playwright, whose pipes outlive a test by a tick. */
export const browserTest = { sanitizeOps: false, sanitizeResources: false } as const;
