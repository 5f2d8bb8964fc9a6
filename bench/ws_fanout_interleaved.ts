// Benchmark: /ws channel fan-out with every server connected at once and the sender-rate steps taken
// in turns (A, B, floor, A, B, floor…), so a loaded, shared machine hits them all alike.
// Run: deno run -A bench/ws_fanout_interleaved.ts [--before=DIR] [--socketio] [--profile=DIR]
//        [--go-clients] [C...]
//   --before=DIR  also run the Roomcast checkout in DIR (e.g. `git archive <commit>` unpacked);
//                 repeat it for more checkouts (variants side by side in one run)
//   --label=NAME  that checkout's name in the output (default "Roomcast before"), one per --before
//   --before-flags=F  V8 flags for that checkout's server (e.g. --no-memory-reducer)
//   --socketio    also run Socket.IO 4 on Node 20
//   --profile=DIR run this checkout's server under `deno --cpu-prof`, profile written into DIR
//   --rates=A,B   only these sender rates (msg/s), e.g. for a short profile
//   --phase=MS    how long each step sends (default 3000)
//   --ws-post     also run Roomcast with its sender posting over /ws (EchoSphere's path)
//   --only-ws     Roomcast (and the --before checkout) posting over /ws only: no REST rows
//   --durable-floor  also run the two durable floors: each message stored first in SQLite, fsynced
//                 by SQLite's commit or by FsFile.syncData on Deno's pool (bench/_ws_floor_server.ts)
//   --go-clients  the receiving clients in a Go process per server (bench/_go_receiver.ts) rather
//                 than in this one: on 2 cores this process's own reading otherwise adds to the tail
//   --knee=N      after the ladder, N passes of fine steps (a quarter of the ladder's) around each
//                 server's knee, servers in turns; its knee is the median of the passes' bests
import { parseArgs } from "node:util";
import { cpuSeconds, fmt, percentile, rssBytes, sleep, times } from "./_util.ts";
import type { FanoutTarget as Target } from "./_ws_client.ts";
import { prepareNodeSocketIo } from "./_socketio.ts";
import { floor, FLOOR_NAME, nodeVersion, roomcast, socketIo } from "./_fanout_targets.ts";
import { nowUs, startReceivers, timedContent } from "./_go_receiver.ts";
import {
  best,
  cpuAtCommon,
  type Held,
  knee,
  kneePasses,
  peak,
  roundCpu,
  type Row,
} from "./_fanout_rounds.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    before: { type: "string", multiple: true, default: [] },
    label: { type: "string", multiple: true, default: [] },
    "before-flags": { type: "string" },
    socketio: { type: "boolean", default: false },
    profile: { type: "string" },
    "go-clients": { type: "boolean", default: false },
    "ws-post": { type: "boolean", default: false },
    "only-ws": { type: "boolean", default: false },
    "durable-floor": { type: "boolean", default: false },
    rates: { type: "string" },
    phase: { type: "string", default: "3000" },
    knee: { type: "string", default: "0" },
  },
  allowPositionals: true,
});
const counts = positionals.length ? positionals.map(Number) : [1000, 5000];
const PHASE_MS = Number(values.phase);
const DRAIN_MS = 2000;
// Finer steps than ws_fanout.ts: the knee sits somewhere between two of them.
const ladder = (c: number) =>
  values.rates
    ? values.rates.split(",").map(Number)
    : c <= 1000
    ? [20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220, 240, 260, 280, 300, 320, 340, 360, 400]
    : [4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 72, 80];
const KNEE_PASSES = Number(values.knee);
const WATCHDOG_MIN = 30 + 12 * KNEE_PASSES;
const watchdog = setTimeout(() => {
  console.error(`Bench took longer than ${WATCHDOG_MIN} minutes: stopping`);
  Deno.exit(1);
}, WATCHDOG_MIN * 60_000);
const CONTENT = '"content":"b ';

const load = () => Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);

async function connectAll(target: Target, c: number): Promise<Held> {
  const held: Held = { target, clients: [], perConn: 0, rows: [], out: false, passes: [] };
  await sleep(300);
  const before = rssBytes(target.pid);
  if (values["go-clients"]) {
    held.receivers = await startReceivers(target.receiver!, c);
    await sleep(1000);
    held.perConn = (rssBytes(target.pid) - before) / c;
    return held;
  }
  for (let i = 0; i < c; i += 100) {
    const batch = Array.from(
      { length: Math.min(100, c - i) },
      () => target.connect((frame) => held.onMessage?.(frame)),
    );
    held.clients.push(...await Promise.all(batch));
  }
  await sleep(1000);
  held.perConn = (rssBytes(target.pid) - before) / c;
  return held;
}

let seq = 0;
/** One step with the Go receivers: they time each delivery against the send time in its content. */
async function goStep(held: Held, c: number, m: number): Promise<Row> {
  const receivers = held.receivers!;
  await receivers.mark();
  const load0 = load();
  const startUs = nowUs();
  const start = performance.now();
  const cpuStart = cpuSeconds(held.target.pid);
  const clientStart = cpuSeconds(receivers.pid);
  const total = Math.round((m * PHASE_MS) / 1000);
  let sent = 0;
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / m - performance.now();
    if (wait > 1) await sleep(wait);
    if (held.target.send(timedContent(++seq))) sent++;
  }
  const expected = sent * c;
  const until = performance.now() + DRAIN_MS;
  let report = await receivers.report();
  while (report.delivered < expected && performance.now() < until) {
    await sleep(50);
    report = await receivers.report();
  }
  const delivered = Math.max(1, report.delivered);
  return {
    m,
    rate: report.delivered / ((report.lastAtUs - startUs) / 1e6),
    p50: report.p50Ms,
    p99: report.p99Ms,
    loss: 1 - report.delivered / expected,
    cpuUs: ((cpuSeconds(held.target.pid) - cpuStart) * 1e6) / delivered,
    delivered,
    clientUs: ((cpuSeconds(receivers.pid) - clientStart) * 1e6) / delivered,
    load: (load0 + load()) / 2,
  };
}

/** One step: `m` messages/s for PHASE_MS to one server, then up to DRAIN_MS for the stragglers. */
async function step(held: Held, c: number, m: number): Promise<Row> {
  if (held.receivers) return await goStep(held, c, m);
  const sent = new Map<number, number>();
  const latencies: number[] = [];
  let delivered = 0;
  let lastAt = 0;
  held.onMessage = (frame) => {
    const at = performance.now();
    const start = frame.indexOf(CONTENT);
    const sentAt = sent.get(parseInt(frame.slice(start + CONTENT.length), 10));
    if (sentAt === undefined) return;
    latencies.push(at - sentAt);
    delivered++;
    lastAt = at;
  };
  const load0 = load();
  const start = performance.now();
  const cpuStart = cpuSeconds(held.target.pid);
  const total = Math.round((m * PHASE_MS) / 1000);
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / m - performance.now();
    if (wait > 1) await sleep(wait);
    const id = ++seq;
    sent.set(id, performance.now());
    if (!held.target.send(`b ${id}`)) sent.delete(id);
  }
  const expected = sent.size * c;
  const until = performance.now() + DRAIN_MS;
  while (delivered < expected && performance.now() < until) await sleep(20);
  held.onMessage = undefined;
  const cpuUs = ((cpuSeconds(held.target.pid) - cpuStart) * 1e6) / Math.max(1, delivered);
  latencies.sort((a, b) => a - b);
  return {
    m,
    rate: delivered / ((lastAt - start) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    loss: 1 - delivered / expected,
    cpuUs,
    delivered,
    clientUs: 0,
    load: (load0 + load()) / 2,
  };
}

async function makers(): Promise<(() => Promise<Target>)[]> {
  const list: (() => Promise<Target>)[] = [];
  const profile = values.profile ? [`--cpu-prof`, `--cpu-prof-dir=${values.profile}`] : [];
  const onlyWs = values["only-ws"];
  const befores = values.before;
  for (const [i, root] of befores.entries()) {
    const post = onlyWs ? "ws" : "rest";
    const flags = values["before-flags"];
    const denoArgs = flags ? [`--v8-flags=${flags}`] : [];
    const label = values.label[i] ?? `Roomcast before${befores.length > 1 ? ` ${i + 1}` : ""}`;
    list.push(() => roomcast(label, { root, post, denoArgs }));
  }
  if (!onlyWs) {
    list.push(() =>
      roomcast(befores.length ? "Roomcast after" : "Roomcast", { denoArgs: profile })
    );
  }
  if (values["ws-post"] || onlyWs) {
    list.push(() => roomcast("Roomcast, posts over /ws", { post: "ws", denoArgs: profile }));
  }
  list.push(floor);
  if (values["durable-floor"]) {
    list.push(() => floor({ durable: true }), () => floor({ durable: true, poolSync: true }));
  }
  if (values.socketio && await prepareNodeSocketIo()) {
    const label = `Node ${await nodeVersion()}`;
    list.push(() => socketIo("node", label));
  }
  return list;
}

const report: string[] = [];
const steps: string[] = [];
const knees: string[] = [];
for (const c of counts) {
  const held: Held[] = [];
  for (const make of await makers()) held.push(await connectAll(await make(), c));
  for (const [i, m] of ladder(c).entries()) {
    const live = held.filter((h) => !h.out);
    if (live.length === 0) break;
    const roundStart = live.map((h) => cpuSeconds(h.target.pid));
    // Rotate who goes first, so no server always follows the same neighbour.
    for (let k = 0; k < live.length; k++) {
      const h = live[(i + k) % live.length];
      const row = await step(h, c, m);
      h.rows.push(row);
      console.log(
        `  ${h.target.name} C=${c} M=${m}/s: ${fmt(row.rate, 0)}/s, p50 ${fmt(row.p50)} ms, p99 ${
          fmt(row.p99)
        } ms, late ${fmt(row.loss * 100)} %, ${fmt(row.cpuUs, 2)} µs CPU/delivery${
          row.clientUs ? ` (clients ${fmt(row.clientUs, 2)} µs)` : ""
        }, load ${fmt(row.load)}`,
      );
      if (row.loss > 0.05 || row.p99 > 2000) h.out = true;
      await sleep(300);
    }
    const whole = live.map((h, j) => {
      const row = h.rows[h.rows.length - 1];
      row.roundCpuUs = ((cpuSeconds(h.target.pid) - roundStart[j]) * 1e6) /
        Math.max(1, row.delivered);
      return `${h.target.name} ${fmt(row.roundCpuUs, 2)}`;
    });
    console.log(`  round at ${m}/s, CPU per delivery over the whole round: ${whole.join(", ")} µs`);
  }
  const floorHeld = held.find((h) => h.target.name === FLOOR_NAME)!;
  if (KNEE_PASSES > 0) {
    // One rate given (--rates=100): its fine steps are a quarter of it.
    const rates = ladder(c);
    const ladderStep = rates.length > 1 ? rates[1] - rates[0] : rates[0];
    await kneePasses(held, c, KNEE_PASSES, { ladderStep, step });
    const socketIoHeld = held.find((h) => h.target.name.startsWith("Socket.IO"));
    for (const h of held) {
      // Paired by pass: the same minutes of the VM for both.
      const each = (of?: Held) =>
        of ? h.passes.map((rows, p) => times(best(rows), best(of.passes[p]))).join(", ") : "–";
      knees.push(
        `| ${c} | ${h.target.name} | ${h.passes.map((rows) => fmt(best(rows), 0)).join(", ")} | ${
          fmt(knee(h), 0)
        } | ${times(knee(h), knee(floorHeld))} (${each(floorHeld)}) | ${
          socketIoHeld ? `${times(knee(h), knee(socketIoHeld))} (${each(socketIoHeld)})` : "–"
        } |`,
      );
    }
  }
  for (const h of held) {
    const cpu = cpuAtCommon(held, h);
    const round = cpuAtCommon(held, h, roundCpu);
    report.push(
      `| ${c} | ${h.target.name} | ${fmt(best(h.rows), 0)} (${
        times(best(h.rows), best(floorHeld.rows))
      }) | ${fmt(peak(h.rows), 0)} | ${fmt(cpu, 2)} µs (${
        times(cpu, cpuAtCommon(held, floorHeld))
      }) | ${fmt(round, 2)} µs (${times(round, cpuAtCommon(held, floorHeld, roundCpu))}) | ${
        fmt(h.perConn / 1024)
      } KiB | ${
        h.rows.map((r) => `${r.m}: p99 ${fmt(r.p99, 0)}${r.loss > 0.01 ? "!" : ""}`).join(", ")
      } |`,
    );
  }
  // Step by step, since the median hides how the per-message cost weighs at low rates.
  for (const h of held) {
    if (h === floorHeld) continue;
    // Every live server gets row i in step i, so the floor's row i is the same round's.
    const paired = h.rows.flatMap((r, i) => {
      const f = floorHeld.rows[i];
      return f?.m === r.m && r.loss < 0.01 && f.loss < 0.01 ? [[r, f]] : [];
    });
    // One step's ratio moves with the VM's speed; the mean over many paired rounds is steadier.
    const ratios = (of: (r: Row) => number) => {
      const each = paired.map(([r, f]) => of(r) / of(f));
      const mean = each.reduce((a, b) => a + b, 0) / Math.max(1, each.length);
      const list = paired.map(([r], k) => `${r.m}: ${times(of(paired[k][0]), of(paired[k][1]))}`)
        .join(", ");
      return `${list}; mean ${fmt(mean, 3)}x`;
    };
    steps.push(`| ${c} | ${h.target.name} | ${ratios((r) => r.cpuUs)} | ${ratios(roundCpu)} |`);
  }
  for (const h of held) {
    await h.receivers?.close();
    for (const ws of h.clients) ws.close();
    await Promise.all(h.clients.map((ws) => ws.closed));
    await h.target.close();
  }
}
console.log(
  "\n| clients | server | best deliveries/s, p99 < 100 ms (/ floor) | peak, all delivered | CPU per delivery, median over common steps (/ floor) | the same over whole rounds (/ floor) | RSS per connection | msg/s: p99 ms (! = over 1 % late) |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const line of report) console.log(line);
console.log(
  "\n| clients | server | CPU per delivery over the floor's, each step (msg/s: ratio) | the same over whole rounds |",
);
console.log("| --- | --- | --- | --- |");
for (const line of steps) console.log(line);
if (knees.length) {
  console.log(
    `\n| clients | server | best deliveries/s at p99 < 100 ms, fine steps, each of ${KNEE_PASSES} passes | median | / floor (each pass) | / Socket.IO (each pass) |`,
  );
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const line of knees) console.log(line);
}
clearTimeout(watchdog);
