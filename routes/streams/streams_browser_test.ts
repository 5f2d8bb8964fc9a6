// Stream room pages in headless Chromium: home badges flip live without reload; the player plays.
import { join } from "node:path";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { startServer } from "../../tests/_server.ts";
import { ADMIN_TOKEN, api, hook, publishRtmp } from "../../tests/_streams.ts";

const env = { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, RTMP_ENABLED: "false" };

Deno.test({
  name: "home page: stream room badges flip live and offline without a reload",
  ...browserTest,
  async fn() {
    const server = await startServer({ env });
    const browser = await launchBrowser();
    try {
      const empty = await browser.newPage();
      await empty.goto(server.url);
      const hint = await empty.waitForSelector("#stream-rooms-empty a", { timeout: 10_000 });
      assertEquals(
        await hint.getAttribute("href"),
        "/studio",
        "the empty state points to the studio",
      );
      await empty.close();
      const { body: room } = await api(server.url, "POST", "api/rooms", {
        body: { name: "Cinema" },
      });
      const page = await browser.newPage();
      let loads = 0;
      page.on("load", () => loads++);
      await page.goto(server.url);
      const badge = '#stream-rooms a[data-slug="cinema"] .badge';
      await page.waitForSelector(`${badge}[data-live="false"]`, { timeout: 10_000 });
      assertEquals((await hook(server.url, "publish", room.streamKey)).status, 200);
      await page.waitForSelector(`${badge}[data-live="true"]`, { timeout: 10_000 });
      assertEquals(await page.textContent(badge), "Live");
      assertEquals((await hook(server.url, "done", room.streamKey)).status, 200);
      await page.waitForSelector(`${badge}[data-live="false"]`, { timeout: 10_000 });
      await api(server.url, "POST", "api/rooms", { body: { name: "Second" } });
      await page.waitForSelector('#stream-rooms a[data-slug="second"]', { timeout: 10_000 });
      assertEquals(loads, 1, "the page never reloaded");
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

/** ffmpeg writing live HLS straight into a room's folder, as nginx-rtmp users' ffmpeg would. */
function hlsWriter(folder: string, seconds: number) {
  return new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-re"],
      ...["-f", "lavfi", "-i", `testsrc2=size=640x360:rate=30:duration=${seconds}`],
      ...["-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`],
      ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30"],
      ...["-c:a", "aac", "-f", "hls", "-hls_time", "1", "-hls_list_size", "6"],
      ...["-hls_flags", "delete_segments+program_date_time+temp_file"],
      join(folder, "index.m3u8"),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

Deno.test({
  name: "room page: plays live HLS (currentTime advances), then shows the offline poster",
  ...browserTest,
  async fn() {
    const server = await startServer({ env });
    const browser = await launchBrowser();
    const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Film" } });
    const folder = join(server.dataDir, "hls", room.playbackId);
    await Deno.mkdir(folder, { recursive: true });
    const ffmpeg = hlsWriter(folder, 8);
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}watch/film`);
      await page.waitForSelector("#offline", { timeout: 10_000 });
      assertEquals(await page.textContent("#status"), "Offline");

      assertEquals((await hook(server.url, "publish", room.streamKey)).status, 200);
      await page.waitForSelector('#player[data-state="playing"]', { timeout: 15_000 });
      const t0 = await page.$eval("#video", (v) => (v as HTMLVideoElement).currentTime);
      await page.waitForTimeout(1500);
      const t1 = await page.$eval("#video", (v) => (v as HTMLVideoElement).currentTime);
      assert(t1 > t0 + 0.5, `currentTime advances: ${t0} → ${t1}`);
      const size = await page.$eval("#video", (v) => [
        (v as HTMLVideoElement).videoWidth,
        (v as HTMLVideoElement).videoHeight,
      ]);
      assertEquals(size, [640, 360], "H.264 frames are decoded");
      // The figure sits behind a details toggle; the words above it are what viewers read.
      await page.waitForSelector("#latency", { state: "attached", timeout: 5_000 });
      assert(/behind live|Almost live/.test((await page.textContent("#latency-words")) ?? ""));
      const latency = await page.textContent("#latency");
      assert(/Latency \d+\.\d s \(clock\)/.test(latency ?? ""), `latency readout: ${latency}`);
      assertEquals(await page.textContent("#viewers"), "1 watching");

      await ffmpeg.status;
      assertEquals((await hook(server.url, "done", room.streamKey)).status, 200);
      await page.waitForSelector("#offline", { timeout: 10_000 });
      assertEquals(await page.textContent("#status"), "Offline");
    } finally {
      try {
        ffmpeg.kill();
      } catch { /* already exited */ }
      await ffmpeg.status;
      await ffmpeg.stderr.cancel().catch(() => {});
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "room page: plays while ffmpeg publishes over RTMP, and shows offline after it stops",
  ...browserTest,
  async fn() {
    const server = await startServer({ env: { SERVER_ADMIN_TOKEN: ADMIN_TOKEN } });
    const browser = await launchBrowser();
    const port = Number((await server.waitForLog(/^RTMP listening$/)).port);
    const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Obs" } });
    const page = await browser.newPage();
    // Long enough that a machine busy with other tests still has the page playing before it ends.
    const publisher = publishRtmp(port, room.streamKey, 16);
    try {
      // The page is open before the stream starts: it must pick the stream up by itself.
      await page.goto(`${server.url}watch/obs`);
      await page.waitForSelector('#player[data-state="playing"]', { timeout: 15_000 });
      const time = () => page.$eval("#video", (v) => (v as HTMLVideoElement).currentTime);
      const t0 = await time();
      await page.waitForTimeout(1500);
      const t1 = await time();
      assert(t1 > t0 + 0.5, `currentTime advances: ${t0} → ${t1}`);
      const latency = await page.textContent("#latency");
      assert(/Latency \d+\.\d s/.test(latency ?? ""), `latency readout: ${latency}`);
      console.log(`  RTMP → Chromium: ${latency}`);

      assertEquals((await publisher.done).code, 0);
      await page.waitForSelector("#offline", { timeout: 15_000 });
      assertEquals(await page.textContent("#status"), "Offline");
      assertEquals(await page.textContent("#last-live"), "Last live just now");
    } finally {
      await publisher.stop();
      await browser.close();
      await server.close();
    }
  },
});
