// Bench of live latency and cost: our LL-HLS packager vs today's ffmpeg path vs nginx-rtmp, one run.
// Run: deno run -A bench/llhls.ts [--quick] [--skip-costs] [--latency-only] [--seconds=N]
// (full: about 6 minutes; stops by itself)
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
import { llhlsViewers } from "./_llhls_viewers.ts";

const quick = Deno.args.includes("--quick");
const TRIALS = quick ? 2 : 3;
const secondsArg = Deno.args.find((a) => a.startsWith("--seconds="));
const LATENCY_SECONDS = secondsArg ? Number(secondsArg.slice(10)) : quick ? 20 : 120;
const latencyOnly = Deno.args.includes("--latency-only");
const WARMUP_MS = quick ? 3000 : 5000;
const WINDOW_MS = quick ? 5000 : 10_000;
const VIEWERS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) =>
  sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const s2 = (x: number) => x.toFixed(2);

const watchdog = setTimeout(() => {
  console.error("Bench took too long: stopping");
  Deno.exit(3);
}, (quick ? 5 : 14) * 60_000);

const work = await Deno.makeTempDir({ prefix: "roomcast-llhls-" });
const env = { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: "info" };
// The ten-stream step publishes ten streams from this one address.
const packaged = await startServer({
  env: { ...env, STREAM_PACKAGER: "roomcast", RTMP_MAX_CONNECTIONS_PER_IP: "16" },
});
const classic = await startServer({ env: { ...env, STREAM_PACKAGER: "ffmpeg" } });
const nginx = await startNginxRtmp(work, join(classic.dataDir, "hls"));
const portOf = async (s: typeof packaged) => Number((await s.waitForLog(/^RTMP listening$/)).port);
const ports = { packaged: await portOf(packaged), classic: await portOf(classic) };
const running: Running[] = [];
const say = (line: string) => console.log(line);
const uptime = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");

/** One room per stack: ours with the packager, ours with ffmpeg, nginx-rtmp through the hooks. */
async function rooms(n: number) {
  const make = async (server: typeof packaged, name: string) =>
    (await api(server.url, "POST", "api/rooms", { body: { name: `${name} ${n}` } })).body;
  const a = await make(packaged, "packager");
  const b = await make(classic, "ffmpeg");
  const c = await make(classic, "nginx");
  await hook(classic.url, "publish", c.streamKey);
  return {
    stacks: [
      { name: "Roomcast packager (LL-HLS)", room: a, page: `${packaged.url}watch/${a.slug}` },
      { name: "Roomcast + ffmpeg HLS", room: b, page: `${classic.url}watch/${b.slug}` },
      { name: "nginx-rtmp HLS", room: c, page: `${classic.url}watch/${c.slug}` },
    ],
    urls: [
      `rtmp://127.0.0.1:${ports.packaged}/live/${a.streamKey}`,
      `rtmp://127.0.0.1:${ports.classic}/live/${b.streamKey}`,
      `rtmp://127.0.0.1:${nginx.port}/live/${c.playbackId}`,
    ],
  };
}

async function firstPlayable(hlsUrl: string, since: number, limitMs = 20_000): Promise<number> {
  while (performance.now() - since < limitMs) {
    const response = await fetch(hlsUrl, { cache: "no-store" }).catch(() => null);
    const text = response ? await response.text() : "";
    // A part is enough for a low-latency player; others need a whole segment.
    if (response?.ok && /#EXTINF|#EXT-X-PART:/.test(text)) return performance.now() - since;
    await sleep(25);
  }
  return NaN;
}

async function firstPlayables(): Promise<void> {
  const times: number[][] = [[], [], []];
  for (let trial = 0; trial < TRIALS; trial++) {
    const r = await rooms(trial);
    const start = performance.now();
    const publisher = clockPublisher(r.urls, 8);
    running.push(publisher);
    const got = await Promise.all(r.stacks.map((s) => firstPlayable(s.room.hlsUrl, start)));
    got.forEach((ms, i) => times[i].push(ms));
    await publisher.stop();
    await sleep(1500);
  }
  const names = ["packager", "ffmpeg", "nginx-rtmp"];
  say(
    "first playable playlist (a part or a segment listed), s: " +
      times.map((t, i) => `${names[i]} ${t.map((x) => s2(x / 1000)).join(", ")}`).join(" | "),
  );
}

async function glassToGlass(): Promise<void> {
  const r = await rooms(99);
  const publisher = clockPublisher(r.urls, LATENCY_SECONDS + 15);
  running.push(publisher);
  // Pages open once every room is live: a page open before that must pick the stream up from the
  // room's live event, which is not what is measured here.
  await Promise.all(r.stacks.map((s) => firstPlayable(s.room.hlsUrl, performance.now())));
  await sleep(1500);
  const browser = await launchBrowser();
  try {
    const results = await Promise.all(
      r.stacks.map((s) =>
        sampleLatency(browser, s.page, LATENCY_SECONDS).catch((e) => String(e).split("\n")[0])
      ),
    );
    const notes = await Promise.all(r.stacks.map(async (s) => {
      const res = await fetch(s.room.hlsUrl);
      return `playlist ${res.status}: ${(await res.text()).split("\n").length} lines`;
    }));
    r.stacks.forEach((s, i) => {
      const got = results[i];
      if (typeof got === "string") {
        return say(`glass-to-glass, ${s.name}: did not play (${got}; ${notes[i]})`);
      }
      const ages = got.samples.map((x) => clockAge(x.value, x.now)).filter((a) => a < 60);
      say(
        `glass-to-glass, ${s.name} + hls.js: median ${s2(pct(ages, 0.5))} s, p95 ` +
          `${s2(pct(ages, 0.95))}, max ${s2(pct(ages, 1))} (${ages.length} frames over ` +
          `${LATENCY_SECONDS} s), stalls ${got.stalls}, page readout "${got.readout}"`,
      );
      for (const n of got.stallNotes) {
        say(
          `  stall: ${n.ahead} s buffered at rate ${n.rate} before it; newest media ` +
            `${n.sinceMedia} ms before it, ${n.mediaGap} ms after the one before`,
        );
      }
    });
  } finally {
    await browser.close();
    await publisher.stop();
  }
}

async function viewers(): Promise<void> {
  const r = await rooms(100);
  const publisher = clockPublisher([r.urls[0]], 40);
  running.push(publisher);
  try {
    await firstPlayable(r.stacks[0].room.hlsUrl, performance.now());
    const seconds = quick ? 10 : 25;
    const [result, m] = await Promise.all([
      llhlsViewers(r.stacks[0].room.hlsUrl, VIEWERS, seconds * 1000),
      sleep(2000).then(() => measureTree(packaged.pid, (seconds - 4) * 1000)),
    ]);
    say(
      `${VIEWERS} LL-HLS viewers of one packaged stream (blocking reload + each part): ` +
        `${result.parts} parts delivered, part ready → received p50 ${result.p50} ms, p95 ` +
        `${result.p95} ms, max ${result.max} ms; errors ${result.errors}; server ` +
        `${(m.cores * 100).toFixed(1)} % of a core, RSS ${(m.rssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
  } finally {
    await publisher.stop();
  }
}

/**
 * Ten packaged streams at once (one encode teed to ten rooms, so the bench pays for one x264):
 * the first watched in Chromium for glass-to-glass, the other nine by LL-HLS HTTP viewers. Ten
 * Chromium players would measure this machine's two cores decoding ten videos, not the server.
 */
async function tenStreams(): Promise<void> {
  const count = 10;
  const made = [];
  for (let i = 0; i < count; i++) {
    made.push((await api(packaged.url, "POST", "api/rooms", { body: { name: `ten ${i}` } })).body);
  }
  const seconds = quick ? 15 : 40;
  const publisher = clockPublisher(
    made.map((r) => `rtmp://127.0.0.1:${ports.packaged}/live/${r.streamKey}`),
    seconds + 25,
  );
  running.push(publisher);
  await Promise.all(made.map((r) => firstPlayable(r.hlsUrl, performance.now())));
  const browser = await launchBrowser();
  try {
    const [page, http, m] = await Promise.all([
      sampleLatency(browser, `${packaged.url}watch/${made[0].slug}`, seconds),
      Promise.all(made.slice(1).map((r) => llhlsViewers(r.hlsUrl, 1, (seconds + 3) * 1000))),
      sleep(4000).then(() => measureTree(packaged.pid, seconds * 1000)),
    ]);
    const ages = page.samples.map((x) => clockAge(x.value, x.now)).filter((a) => a < 60);
    const most = (k: "p50" | "p95" | "max") => Math.max(...http.map((v) => v[k]));
    say(
      `${count} packaged streams at once (${seconds} s): glass-to-glass in Chromium on one median ` +
        `${s2(pct(ages, 0.5))} s, p95 ${s2(pct(ages, 0.95))}, stalls ${page.stalls}; the other ` +
        `${count - 1}: ${http.reduce((n, v) => n + v.parts, 0)} parts, part ready → received ` +
        `worst p50 ${most("p50")} ms, p95 ${most("p95")} ms, max ${most("max")} ms, errors ` +
        `${http.reduce((n, v) => n + v.errors, 0)}; server ${(m.cores * 100).toFixed(1)} % of a ` +
        `core, RSS ${(m.rssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
  } finally {
    await browser.close();
    await publisher.stop();
  }
}

/** CPU and RSS of 1 and 10 passthrough streams: listener alone, packager vs ffmpeg, vs nginx. */
async function costs(): Promise<void> {
  const clip = join(work, "clip.flv");
  await encodeClip(clip, 10);
  const only = async (packager: string) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./_rtmp_only.ts", import.meta.url).pathname,
        join(work, `hls-${packager}`),
        "10",
        packager,
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const port = JSON.parse((await reader.read()).value!).port;
    reader.releaseLock();
    return { child, port };
  };
  const ours = await only("roomcast");
  const theirs = await only("ffmpeg");
  await Deno.mkdir(join(work, "nginx-hls"), { recursive: true });
  const nginx2 = await startNginxRtmp(work, join(work, "nginx-hls"));
  const idle = { ours: await measureTree(ours.child.pid, 1000) };
  say(`listener alone, idle: RSS ${(idle.ours.rssBytes / 2 ** 20).toFixed(0)} MiB`);
  try {
    for (const count of [1, 10]) {
      for (
        const [name, pid, url] of [
          ["Roomcast listener + packager", ours.child.pid, `rtmp://127.0.0.1:${ours.port}/live/k`],
          [
            "Roomcast listener + ffmpeg -c copy",
            theirs.child.pid,
            `rtmp://127.0.0.1:${theirs.port}/live/k`,
          ],
          ["nginx-rtmp (hls on)", nginx2.pid, `rtmp://127.0.0.1:${nginx2.port}/live/n`],
        ] as const
      ) {
        const pubs = Array.from({ length: count }, (_, i) => copyPublisher(clip, `${url}${i}`));
        running.push(...pubs);
        await sleep(WARMUP_MS);
        const m = await measureTree(pid, WINDOW_MS);
        say(
          `${name}, ${count} stream(s): ${(m.cores * 100).toFixed(1)} % of a core in all, ` +
            `${(m.cores * 100 / count).toFixed(2)} % per stream; RSS ` +
            `${(m.rssBytes / 2 ** 20).toFixed(0)} MiB in ${m.processes} processes`,
        );
        await Promise.all(pubs.map((p) => p.stop()));
        await sleep(2000);
      }
    }
  } finally {
    for (const c of [ours.child, theirs.child]) {
      c.kill("SIGTERM");
      await c.status;
      await c.stdout.cancel().catch(() => {});
    }
    await nginx2.close();
  }
}

try {
  say(`# LL-HLS bench (${new Date().toISOString()}, ${quick ? "quick" : "full"} run)`);
  say(`load average at start: ${uptime()}`);
  if (!latencyOnly) await firstPlayables();
  await glassToGlass();
  if (!latencyOnly) {
    await viewers();
    await tenStreams();
    if (!Deno.args.includes("--skip-costs")) await costs();
  }
  say(`load average at end: ${uptime()}`);
} finally {
  await Promise.all(running.map((p) => p.stop()));
  await nginx.close();
  await packaged.close();
  await classic.close();
  await Deno.remove(work, { recursive: true }).catch(() => {});
  clearTimeout(watchdog);
}
