// Benchmark: C WebSocket clients on one workspace channel and a sender posting M messages/s, against
// Roomcast and, in the same run, a Socket.IO 4 server doing the same fan-out (bench/ws_fanout_socketio.ts).
// Reports deliveries/s, p50/p99 delivery latency and server RSS per connection, and the ratio.
// Run: deno run -A bench/ws_fanout.ts [C...]   (default: 1000 5000). Loopback only; stops by itself.
import { cpuSeconds, fmt, percentile, rssBytes, sleep, times } from "./_util.ts";
import type { FanoutTarget as Target, RawWs } from "./_ws_client.ts";
import { prepareNodeSocketIo } from "./_socketio.ts";
import { floor, nodeVersion, roomcast, socketIo } from "./_fanout_targets.ts";
import type { StepRow } from "./_fanout_rounds.ts";

const counts = Deno.args.length ? Deno.args.map(Number) : [1000, 5000];
const PHASE_MS = 4000;
const DRAIN_MS = 3000;
// Messages per second, raised until deliveries fall behind; fewer at 5,000 clients.
const ladder = (
  c: number,
) => (c <= 1000 ? [10, 25, 50, 75, 100, 115, 130, 150, 200] : [2, 5, 10, 15, 20, 25, 30, 40]);
// The whole run is bounded: a stuck phase cannot keep it alive.
const watchdog = setTimeout(() => {
  console.error("Bench took longer than 12 minutes: stopping");
  Deno.exit(1);
}, 12 * 60_000);

const CONTENT = '"content":"b ';

interface Phase {
  sent: Map<number, number>;
  latencies: number[];
  delivered: number;
  lastAt: number;
}

const nodeReady = await prepareNodeSocketIo();
const nodeLabel = nodeReady ? `Node ${await nodeVersion()}` : "";
const socketIoOn = (runtime: "deno" | "node") => () =>
  socketIo(runtime, runtime === "deno" ? "Deno" : nodeLabel);

async function runTarget(target: Target, c: number) {
  let phase: Phase | null = null;
  // Both servers' frames carry `"content":"b <seq>"`; reading just that keeps the clients light,
  // so the numbers measure the servers rather than this process's JSON parsing.
  const onMessage = (frame: string) => {
    const at = performance.now();
    if (!phase) return;
    const start = frame.indexOf(CONTENT);
    const sentAt = phase.sent.get(parseInt(frame.slice(start + CONTENT.length), 10));
    if (sentAt === undefined) return;
    phase.latencies.push(at - sentAt);
    phase.delivered++;
    phase.lastAt = at;
  };
  await sleep(500);
  const before = rssBytes(target.pid);
  const clients: RawWs[] = [];
  const connectStart = performance.now();
  for (let i = 0; i < c; i += 100) {
    const batch = Array.from({ length: Math.min(100, c - i) }, () => target.connect(onMessage));
    clients.push(...await Promise.all(batch));
  }
  const connectMs = performance.now() - connectStart;
  await sleep(1000);
  const perConn = (rssBytes(target.pid) - before) / c;
  let closedEarly = 0;
  let running = true;
  for (const ws of clients) ws.closed.then(() => running && closedEarly++);

  const rows: StepRow[] = [];
  let seq = 0;
  for (const m of ladder(c)) {
    const current: Phase = { sent: new Map(), latencies: [], delivered: 0, lastAt: 0 };
    phase = current;
    const start = performance.now();
    const cpuStart = cpuSeconds(target.pid);
    const total = Math.round((m * PHASE_MS) / 1000);
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / m;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const id = ++seq;
      current.sent.set(id, performance.now());
      if (!target.send(`b ${id}`)) current.sent.delete(id);
    }
    const expected = current.sent.size * c;
    const drainUntil = performance.now() + DRAIN_MS;
    while (current.delivered < expected && performance.now() < drainUntil) await sleep(20);
    phase = null;
    const cpuUs = ((cpuSeconds(target.pid) - cpuStart) * 1e6) / Math.max(1, current.delivered);
    const sorted = current.latencies.sort((a, b) => a - b);
    const rate = current.delivered / ((current.lastAt - start) / 1000);
    const row = {
      m,
      rate,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      loss: 1 - current.delivered / expected,
      cpuUs,
    };
    rows.push(row);
    console.log(
      `  ${target.name} C=${c} M=${m}/s: ${fmt(rate, 0)} deliveries/s, p50 ${fmt(row.p50)} ms, ` +
        `p99 ${fmt(row.p99)} ms, undelivered ${fmt(row.loss * 100)} %, server CPU ${
          fmt(row.cpuUs, 2)
        } µs per delivery`,
    );
    if (row.loss > 0.05 || row.p99 > 2000) break;
    await sleep(500);
  }
  running = false;
  for (const ws of clients) ws.close();
  await Promise.all(clients.map((ws) => ws.closed));
  await sleep(500);
  return { connectMs, perConn, rows, closedEarly };
}

const report: string[] = [];
const best = (rows: { rate: number; p99: number; loss: number }[]) =>
  Math.max(0, ...rows.filter((r) => r.p99 < 100 && r.loss < 0.01).map((r) => r.rate));
const peak = (rows: { rate: number; loss: number }[]) =>
  Math.max(0, ...rows.filter((r) => r.loss < 0.01).map((r) => r.rate));
for (const c of counts) {
  const results: ({ name: string } & Awaited<ReturnType<typeof runTarget>>)[] = [];
  const makers = [
    () => roomcast(),
    socketIoOn("deno"),
    ...(nodeReady ? [socketIoOn("node")] : []),
    floor,
  ];
  for (const make of makers) {
    const target = await make();
    try {
      console.log(`${target.name}, ${c} clients`);
      results.push({ name: target.name, ...(await runTarget(target, c)) });
    } finally {
      await target.close();
    }
  }
  for (const r of results) {
    report.push(
      `| ${c} | ${r.name} | ${
        r.rows.map((x) =>
          `${x.m}/s → ${fmt(x.rate, 0)} (p50 ${fmt(x.p50)}, p99 ${fmt(x.p99)} ms, ${
            fmt(x.cpuUs, 2)
          } µs CPU${x.loss > 0.001 ? `, ${fmt(x.loss * 100)} % late` : ""})`
        ).join("<br>")
      } | ${fmt(best(r.rows), 0)} | ${fmt(peak(r.rows), 0)} | ${fmt(r.perConn / 1024)} KiB | ${
        fmt(r.connectMs, 0)
      } ms | ${r.closedEarly} |`,
    );
  }
  for (const other of results.filter((r) => r.name.startsWith("Socket.IO"))) {
    // Server CPU per delivery at the highest rate every server delivered in full: capacity per core,
    // which a 2-core machine shared with the clients cannot show as deliveries/s.
    const cpuAt = (rows: { m: number; cpuUs: number }[], m: number) =>
      rows.find((r) => r.m === m)?.cpuUs ?? NaN;
    const common = results[0].rows.filter((r) =>
      r.loss < 0.01 && other.rows.some((o) =>
        o.m === r.m && o.loss < 0.01 && o.p99 < 100 && r.p99 < 100
      )
    ).at(-1)?.m ?? 0;
    const cpuRatio = times(cpuAt(other.rows, common), cpuAt(results[0].rows, common));
    const ratio = times(best(results[0].rows), best(other.rows));
    const peakRatio = times(peak(results[0].rows), peak(other.rows));
    report.push(
      `| ${c} | ratio Roomcast / ${other.name} | | **${ratio}** | **${peakRatio}** | | | |`,
      `| ${c} | ${other.name} CPU per delivery / Roomcast's, at ${common}/s | | **${cpuRatio}** | | | | |`,
    );
  }
}
console.log(
  "\n| clients | server | sender rate → deliveries/s (latency) | best deliveries/s with p99 < 100 ms | peak deliveries/s, all delivered | RSS per connection | connect all | closed early |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const line of report) console.log(line);
clearTimeout(watchdog);
