// Where a live player's media gaps come from: the encoder, the server's event loop, or the packager.
// Run: deno run -A bench/llhls_gaps.ts [--seconds=N]   (default 90 s; one in-process listener)
import { startRtmpServer } from "../rtmp/listener.ts";
import { clockPublisher } from "./_publishers.ts";

const arg = Deno.args.find((a) => a.startsWith("--seconds="));
const SECONDS = arg ? Number(arg.slice(10)) : 90;
/** A gap between parts worth explaining: twice the part target. */
const GAP_MS = 400;
const hlsDir = await Deno.makeTempDir({ prefix: "roomcast-gaps-" });
const frames: { at: number; ts: number }[] = []; // video frames: arrival, RTMP timestamp
const lags: { at: number; ms: number }[] = []; // event-loop lag, sampled every 20 ms
const parts: number[] = []; // when each part was added to the ring
const server = await startRtmpServer({
  hostname: "127.0.0.1",
  port: 0,
  hlsDir,
  rooms: {
    lookup: () => Promise.resolve({ slug: "gaps", playbackId: "gaps-pb" }),
    onLive() {},
    onOffline() {},
    onMedia: (_slug, typeId, ts) => typeId === 9 && frames.push({ at: performance.now(), ts }),
  },
});
let expected = performance.now() + 20;
const lagTimer = setInterval(() => {
  const now = performance.now();
  lags.push({ at: now, ms: Math.max(0, now - expected) });
  expected = now + 20;
}, 20);
const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
console.log(`# LL-HLS gaps (${new Date().toISOString()}), ${SECONDS} s, load ${load()}`);
const publisher = clockPublisher([`rtmp://127.0.0.1:${server.port}/live/k`], SECONDS + 2);
const stop = performance.now() + SECONDS * 1000;
while (!server.hls("gaps-pb") && performance.now() < stop) {
  await new Promise((r) => setTimeout(r, 50));
}
const ring = server.hls("gaps-pb")!;
let seen = ring.playlist().split("#EXT-X-PART:").length;
while (performance.now() < stop) {
  await ring.changed(stop - performance.now());
  const count = ring.playlist().split("#EXT-X-PART:").length;
  if (count !== seen) parts.push(performance.now());
  seen = count;
}
clearInterval(lagTimer);
await publisher.stop();
await server.close();
await Deno.remove(hlsDir, { recursive: true });

const within = <T extends { at: number }>(xs: T[], from: number, to: number) =>
  xs.filter((x) => x.at > from && x.at <= to);
// The encoder's lateness: how far a frame arrived behind its own timestamp, from the first frame.
const lateness = (f: { at: number; ts: number }) => f.at - frames[0].at - (f.ts - frames[0].ts);
const minLate = Math.min(...frames.map(lateness));
const explained = { encoder: 0, loop: 0, packager: 0 };
const gaps = parts.slice(1).map((at, i) => ({ from: parts[i], at })).filter((g) =>
  g.at - g.from > GAP_MS
);
for (const g of gaps) {
  const fs = within(frames, g.from - 50, g.at);
  const frameGap = Math.max(0, ...fs.slice(1).map((f, i) => f.at - fs[i].at));
  const lag = Math.max(0, ...within(lags, g.from, g.at + 50).map((l) => l.ms));
  const late = fs.length ? Math.max(...fs.map(lateness)) - minLate : NaN;
  // A frame gap with the loop on time: frames were not sent (the encoder); with the loop late:
  // they waited in the socket for us; neither: the packager held a part it could have written.
  const who = frameGap < GAP_MS / 2 ? "packager" : lag > frameGap / 2 ? "loop" : "encoder";
  explained[who]++;
  console.log(
    `gap ${Math.round(g.at - g.from)} ms: frames ${Math.round(frameGap)} ms apart, loop lag ` +
      `${Math.round(lag)} ms, frames ${Math.round(late)} ms behind their timestamps → ${who}`,
  );
}
const sortedLags = lags.map((l) => l.ms).sort((a, b) => a - b);
console.log(
  `${parts.length} parts, ${gaps.length} gaps over ${GAP_MS} ms: ${JSON.stringify(explained)}; ` +
    `loop lag p99 ${Math.round(sortedLags[Math.floor(sortedLags.length * 0.99)])} ms, max ` +
    `${Math.round(sortedLags.at(-1) ?? 0)} ms; load at end ${load()}`,
);
