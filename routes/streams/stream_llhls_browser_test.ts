// Our LL-HLS packager in Chromium: hls.js low-latency mode plays it; a reconnect at a new size, audio
// only and video only too.
import { assert } from "../../tests/_assert.ts";
import { browserTest, launchBrowser } from "../../tests/_browser.ts";
import { startServer } from "../../tests/_server.ts";
import { ADMIN_TOKEN, api } from "../../tests/_streams.ts";

const env = { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, STREAM_PACKAGER: "roomcast" };

function publish(port: number, key: string, seconds: number, size: string, only?: "a" | "v") {
  // An input left unused would not be paced by -re: give ffmpeg only the inputs it sends.
  const withVideo = only !== "a";
  const withAudio = only !== "v";
  const args = [
    ...["-hide_banner", "-loglevel", "error", "-re"],
    ...(withVideo
      ? ["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=30:duration=${seconds}`]
      : []),
    ...(withAudio ? ["-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`] : []),
    ...(withVideo ? ["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency"] : []),
    ...(withVideo ? ["-g", "30"] : []),
    ...(withAudio ? ["-c:a", "aac"] : []),
    ...["-f", "flv", `rtmp://127.0.0.1:${port}/live/${key}`],
  ];
  const child = new Deno.Command("ffmpeg", { args, stdin: "null", stdout: "null", stderr: "null" })
    .spawn();
  return {
    done: child.status,
    stop() {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      return child.status;
    },
  };
}

Deno.test({
  name:
    "LL-HLS: hls.js in low-latency mode plays the packager's parts; a reconnect at a new size plays on",
  ...browserTest,
  async fn() {
    const server = await startServer({ env });
    const browser = await launchBrowser();
    const port = Number((await server.waitForLog(/^RTMP listening$/)).port);
    const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Low" } });
    const page = await browser.newPage();
    let publisher = publish(port, room.streamKey, 60, "640x360");
    try {
      await page.goto(`${server.url}watch/low`);
      await page.waitForSelector('#player[data-state="playing"]', { timeout: 20_000 });
      const video = () =>
        page.$eval("#video", (v) => {
          const el = v as HTMLVideoElement;
          return { time: el.currentTime, width: el.videoWidth };
        });
      const t0 = (await video()).time;
      await page.waitForTimeout(3000);
      const t1 = (await video()).time;
      assert(t1 > t0 + 2, `currentTime advances: ${t0} → ${t1}`);
      const latency = await page.textContent("#latency");
      const seconds = Number(/Latency (\d+\.\d) s \(clock\)/.exec(latency ?? "")?.[1]);
      console.log(`  RTMP → Chromium through the packager: ${latency}`);
      assert(seconds < 2, `latency readout from the packager's clock: ${latency}`);

      // The publisher drops and comes back within the grace period at another size.
      await publisher.stop();
      publisher = publish(port, room.streamKey, 60, "480x270");
      await page.waitForFunction(
        () => (document.querySelector("#video") as HTMLVideoElement).videoWidth === 480,
        undefined,
        { timeout: 20_000 },
      );
      const t2 = (await video()).time;
      await page.waitForTimeout(2000);
      const t3 = (await video()).time;
      assert(t3 > t2 + 1, `currentTime advances after the reconnect: ${t2} → ${t3}`);
    } finally {
      await publisher.stop();
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "LL-HLS: a player put behind its target catches up by playback rate, with no seek",
  ...browserTest,
  async fn() {
    const server = await startServer({ env });
    const browser = await launchBrowser();
    const port = Number((await server.waitForLog(/^RTMP listening$/)).port);
    const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Late" } });
    const page = await browser.newPage();
    const publisher = publish(port, room.streamKey, 60, "640x360");
    try {
      await page.goto(`${server.url}watch/late`);
      await page.waitForSelector('#player[data-state="playing"]', { timeout: 20_000 });
      // Buffered ahead of the playhead: with parts arriving as made, how far behind the edge it is.
      const ahead = async () => {
        const xs: number[] = [];
        for (let i = 0; i < 9; i++) {
          xs.push(
            await page.$eval("#video", (v) => {
              const el = v as HTMLVideoElement;
              return el.buffered.end(el.buffered.length - 1) - el.currentTime;
            }),
          );
          await page.waitForTimeout(250);
        }
        return xs.sort((a, b) => a - b)[4];
      };
      await page.waitForTimeout(4000);
      const before = await ahead();
      // As a late start would leave it: 0.6 s further back, inside what is buffered.
      await page.$eval("#video", (v) => ((v as HTMLVideoElement).currentTime -= 0.6));
      // The fastest rate seen while it catches up (a stall on a loaded machine pauses it).
      let rate = 1;
      for (let i = 0; i < 10; i++) {
        await page.waitForTimeout(1000);
        rate = Math.max(
          rate,
          await page.$eval("#video", (v) => (v as HTMLVideoElement).playbackRate),
        );
      }
      const after = await ahead();
      console.log(
        `  ahead of the playhead: ${before.toFixed(2)} s, after 0.6 s back and 10 s: ` +
          `${after.toFixed(2)} s (rate ${rate} while behind)`,
      );
      assert(rate > 1, `plays faster while behind: rate ${rate}`);
      assert(after < before + 0.3, `back near its target: ${before} → ${after}`);
      // The target stays near PART-HOLD-BACK (0.6 s), even after the stall of a page opened
      // before the first part (hls.js adds 1 s per stall unless told otherwise: 1.5 s ahead).
      assert(after < 1.2, `near the edge: ${after}`);
    } finally {
      await publisher.stop();
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "LL-HLS: hls.js plays an audio-only and a video-only publish",
  ...browserTest,
  async fn() {
    const server = await startServer({ env });
    const browser = await launchBrowser();
    const port = Number((await server.waitForLog(/^RTMP listening$/)).port);
    try {
      for (const only of ["a", "v"] as const) {
        const name = only === "a" ? "Audio only" : "Video only";
        const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name } });
        const publisher = publish(port, room.streamKey, 30, "320x240", only);
        const page = await browser.newPage();
        try {
          await page.goto(`${server.url}watch/${room.slug}`);
          await page.waitForSelector('#player[data-state="playing"]', { timeout: 20_000 });
          const time = () => page.$eval("#video", (v) => (v as HTMLVideoElement).currentTime);
          const t0 = await time();
          await page.waitForTimeout(2500);
          const t1 = await time();
          assert(t1 > t0 + 1.5, `${name}: currentTime advances: ${t0} → ${t1}`);
          const width = await page.$eval("#video", (v) => (v as HTMLVideoElement).videoWidth);
          assert(only === "a" ? width === 0 : width === 320, `${name}: width ${width}`);
        } finally {
          await page.close();
          await publisher.stop();
        }
      }
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
