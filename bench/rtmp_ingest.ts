// Benchmark of RTMP ingest: Roomcast's listener + ffmpeg against nginx-rtmp, side by side, loopback.
// Run: deno run -A bench/rtmp_ingest.ts [--quick]   (about 3 minutes; stops by itself)
import { join } from "node:path";
import { launchBrowser } from "../tests/_browser.ts";
import { startServer } from "../tests/_server.ts";
import { ADMIN_TOKEN, api, hook } from "../tests/_streams.ts";
import { startNginxRtmp } from "./_nginx.ts";
import { measureTree } from "./_procs.ts";
import {
  clockAge,
  clockPublisher,
  copyPublisher,
  encodeClip,
  type Running,
} from "./_publishers.ts";
import { sampleLatency } from "./_latency_page.ts";

const quick = Deno.args.includes("--quick");
const TRIALS = quick ? 2 : 3;
const LATENCY_SECONDS = quick ? 10 : 20;
const WARMUP_MS = quick ? 3000 : 5000;
const WINDOW_MS = quick ? 5000 : 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

// The whole run is bounded: whatever hangs, the process ends.
const watchdog = setTimeout(() => {
  console.error("Bench took too long: stopping");
  Deno.exit(3);
}, 6 * 60_000);

const work = await Deno.makeTempDir({ prefix: "roomcast-bench-" });
const server = await startServer({ env: { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: "info" } });
const hlsDir = join(server.dataDir, "hls");
const nginx = await startNginxRtmp(work, hlsDir);
const rtmpPort = Number((await server.waitForLog(/^RTMP listening$/)).port);
const running: Running[] = [];
const results: string[] = [];
const say = (line: string) => (console.log(line), results.push(line));

/** A Roomcast room fed by our listener, and a room fed by nginx-rtmp (through the hooks). */
async function roomPair(n: number) {
  const ours = (await api(server.url, "POST", "api/rooms", { body: { name: `ours ${n}` } })).body;
  const theirs = (await api(server.url, "POST", "api/rooms", { body: { name: `nginx ${n}` } }))
    .body;
  // nginx-rtmp names its folder after the publish name: use the playback id, as Roomcast does.
  await hook(server.url, "publish", theirs.streamKey);
  return {
    ours,
    theirs,
    urls: [
      `rtmp://127.0.0.1:${rtmpPort}/live/${ours.streamKey}`,
      `rtmp://127.0.0.1:${nginx.port}/live/${theirs.playbackId}`,
    ],
  };
}

async function firstPlayable(hlsUrl: string, since: number, limitMs = 20_000): Promise<number> {
  while (performance.now() - since < limitMs) {
    const response = await fetch(hlsUrl, { cache: "no-store" });
    const text = await response.text();
    if (response.ok && text.includes("#EXTINF")) return performance.now() - since;
    await sleep(25);
  }
  return NaN;
}

try {
  say(`# RTMP ingest bench (${new Date().toISOString()}, ${quick ? "quick" : "full"} run)`);
  say(`cpus: ${navigator.hardwareConcurrency}; ffmpeg, nginx ${nginx.port}, Roomcast ${rtmpPort}`);

  // 1. Publish start → first playable playlist (one segment listed), both stacks fed by one tee.
  const first = { ours: [] as number[], theirs: [] as number[] };
  for (let trial = 0; trial < TRIALS; trial++) {
    const pair = await roomPair(trial);
    const start = performance.now();
    const publisher = clockPublisher(pair.urls, 8);
    running.push(publisher);
    const [a, b] = await Promise.all([
      firstPlayable(pair.ours.hlsUrl, start),
      firstPlayable(pair.theirs.hlsUrl, start),
    ]);
    first.ours.push(a);
    first.theirs.push(b);
    await publisher.stop();
    await sleep(1500);
  }
  const fmt = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(2)).join(", ");
  say(`first playable playlist, s: Roomcast ${fmt(first.ours)} | nginx-rtmp ${fmt(first.theirs)}`);

  // 2. Glass-to-glass: the clock burned into each frame, read back from the playing <video>.
  const pair = await roomPair(99);
  const publisher = clockPublisher(pair.urls, LATENCY_SECONDS + 12);
  running.push(publisher);
  const browser = await launchBrowser();
  try {
    const [ours, theirs] = await Promise.all([
      sampleLatency(browser, `${server.url}watch/${pair.ours.slug}`, LATENCY_SECONDS),
      sampleLatency(browser, `${server.url}watch/${pair.theirs.slug}`, LATENCY_SECONDS),
    ]);
    for (const [name, s] of [["Roomcast", ours], ["nginx-rtmp", theirs]] as const) {
      const ages = s.samples.map((x) => clockAge(x.value, x.now)).filter((a) => a < 60);
      say(
        `glass-to-glass, ${name} + hls.js (liveSync 2 s): median ${median(ages).toFixed(2)} s, ` +
          `p10 ${pct(ages, 0.1).toFixed(2)}, p90 ${pct(ages, 0.9).toFixed(2)} ` +
          `(${ages.length} frames over ${LATENCY_SECONDS} s), stalls ${s.stalls}, ` +
          `page readout "${s.readout}"`,
      );
    }
  } finally {
    await browser.close();
    await publisher.stop();
  }

  // 3. CPU and RSS per passthrough stream: 1 and 10 publishers of a ~3 Mbit/s 720p30 clip.
  const clip = join(work, "clip.flv");
  await encodeClip(clip, 10);
  const probed = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-show_entries", "format=bit_rate", "-of", "csv=p=0", clip],
  }).output();
  const kbps = Math.round(Number(new TextDecoder().decode(probed.stdout).trim()) / 1000);
  say(`passthrough clip: 1280x720 30 fps H.264 + AAC, ${kbps} kbit/s, looped with -c copy`);
  const listener = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_rtmp_only.ts", import.meta.url).pathname,
      join(work, "hls"),
      "10",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const line = (await listener.stdout.pipeThrough(new TextDecoderStream()).getReader().read())
    .value!;
  const onlyPort = JSON.parse(line).port;
  await Deno.mkdir(join(work, "nginx-hls"), { recursive: true });
  const nginx2 = await startNginxRtmp(join(work), join(work, "nginx-hls"));
  try {
    for (const count of [1, 10]) {
      for (
        const [name, pid, url] of [
          [
            "Roomcast (listener + ffmpeg -c copy)",
            listener.pid,
            `rtmp://127.0.0.1:${onlyPort}/live/k`,
          ],
          ["nginx-rtmp (hls on)", nginx2.pid, `rtmp://127.0.0.1:${nginx2.port}/live/n`],
        ] as const
      ) {
        const pubs = Array.from({ length: count }, (_, i) => copyPublisher(clip, `${url}${i}`));
        running.push(...pubs);
        await sleep(WARMUP_MS);
        const alive = (await Promise.all(pubs.map((p) => Promise.race([p.done, sleep(0)]))))
          .filter((code) => code === undefined).length;
        const m = await measureTree(pid, WINDOW_MS);
        say(
          `${name}, ${count} publisher(s) (${alive} still publishing): ` +
            `${(m.cores * 100).toFixed(1)} % of a core in all, ` +
            `${(m.cores * 100 / count).toFixed(2)} % per stream; ` +
            `RSS ${(m.rssBytes / 2 ** 20).toFixed(0)} MiB in ${m.processes} processes`,
        );
        await Promise.all(pubs.map((p) => p.stop()));
        await sleep(2000);
      }
    }
  } finally {
    listener.kill("SIGTERM");
    await listener.status;
    await listener.stdout.cancel().catch(() => {});
    await nginx2.close();
  }
} finally {
  await Promise.all(running.map((p) => p.stop()));
  await nginx.close();
  await server.close();
  await Deno.remove(work, { recursive: true }).catch(() => {});
  clearTimeout(watchdog);
}
