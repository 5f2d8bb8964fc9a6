// Benchmark: fan-out across instances through Redis (issue 13). C WebSocket clients of one workspace
// channel and N SSE viewers of one image room, on (1) one instance on the embedded defaults, (2) one
// instance on PostgreSQL + Redis, (3) two instances on PostgreSQL + Redis with the clients split
// over both and every message or upload sent through the first. Prints deliveries/s at each sender
// rate with p50/p99 latency, the best rate with p99 < 100 ms, and SSE p50/p99 from upload start.
// Run: deno run -A bench/scale_out_fanout.ts [C] [N]   (default: 2000 2000). Loopback only.
import { join } from "node:path";
import { tinyPng } from "../tests/_images.ts";
import { startPostgres } from "../tests/_postgres.ts";
import { startRedis } from "../tests/_redis.ts";
import { basic, startServer, type TestServer } from "../tests/_server.ts";
import { api, signupUser } from "../tests/_workspaces.ts";
import { cpuSeconds, fmt, percentile, sleep } from "./_util.ts";
import { findPid, openRawWs, type RawWs } from "./_ws_client.ts";
import { NO_POSTING_LIMIT } from "./_util.ts";
import type { StepRow } from "./_fanout_rounds.ts";

const C = Number(Deno.args[0] ?? 2000);
const N = Number(Deno.args[1] ?? 2000);
const RATES = [10, 25, 50, 75, 100, 130];
const PHASE_MS = 4000;
const CONTENT = '"content":"b ';
const watchdog = setTimeout(() => {
  console.error("Bench took longer than 12 minutes: stopping");
  Deno.exit(1);
}, 12 * 60_000);

interface Setup {
  name: string;
  servers: TestServer[];
  pids: number[];
}

async function setups(): Promise<{ list: () => AsyncGenerator<Setup>; stop(): Promise<void> }> {
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const base = {
    LOG_LEVEL: "info",
    RTMP_ENABLED: "false",
    // One account sends every message: the per-account posting limit would refuse most of them.
    ...NO_POSTING_LIMIT,
  };
  async function* list(): AsyncGenerator<Setup> {
    const single = await startServer({ env: base });
    yield { name: "one instance, SQLite + in-process hub", servers: [single], pids: [] };
    await single.close();
    for (const count of [1, 2]) {
      const dataDir = await Deno.makeTempDir({ prefix: "roomcast-bench-" });
      const env = { ...base, DATABASE_URL: await pg.createDatabase(), REDIS_URL: redis.url };
      const servers: TestServer[] = [];
      for (let i = 0; i < count; i++) servers.push(await startServer({ env, dataDir }));
      yield {
        name: count === 1
          ? "one instance, Postgres + Redis"
          : "two instances, Postgres + Redis (clients split)",
        servers,
        pids: [],
      };
      await Promise.all(servers.map((s) => s.close()));
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  }
  return {
    list,
    stop: async () => void await Promise.all([pg.stop(), redis.stop()]),
  };
}

type Row = StepRow;

/** C clients over the setup's instances; REST posts through the first at rising rates. */
async function wsFanout(setup: Setup): Promise<Row[]> {
  const [first] = setup.servers;
  const user = await signupUser(first, "bench");
  const channelId = (await api(first, user, "GET", "api/bootstrap")).body.activeChannelId;
  let sent = new Map<number, number>();
  let latencies: number[] = [];
  let delivered = 0;
  let lastAt = 0;
  const onText = (text: string) => {
    if (!text.includes('"type":"message"')) return;
    const at = performance.now();
    const start = text.indexOf(CONTENT);
    const sentAt = sent.get(parseInt(text.slice(start + CONTENT.length), 10));
    if (sentAt === undefined) return;
    latencies.push(at - sentAt);
    delivered++;
    lastAt = at;
  };
  const clients: RawWs[] = [];
  for (let i = 0; i < C; i += 100) {
    const batch = Array.from({ length: Math.min(100, C - i) }, (_, k) => {
      const server = setup.servers[(i + k) % setup.servers.length];
      return new Promise<RawWs>((resolve, reject) => {
        let done = false;
        openRawWs(server.port, "/ws", { cookie: user.cookie, origin: server.origin }, (t, ws) => {
          if (!done && t.includes('"type":"subscribed"')) (done = true, resolve(ws));
          else onText(t);
        }).then((ws) => ws.send(JSON.stringify({ type: "subscribe", channelId })), reject);
      });
    });
    clients.push(...await Promise.all(batch));
  }
  await sleep(1000);
  const rows: Row[] = [];
  let seq = 0;
  let inFlight = 0;
  for (const m of RATES) {
    sent = new Map();
    latencies = [];
    delivered = 0;
    const cpuStart = setup.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    const start = performance.now();
    const total = Math.round((m * PHASE_MS) / 1000);
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / m - performance.now();
      if (wait > 1) await sleep(wait);
      if (inFlight >= 256) continue;
      const id = ++seq;
      sent.set(id, performance.now());
      inFlight++;
      fetch(`${first.url}api/channels/${channelId}/messages`, {
        method: "POST",
        headers: { cookie: user.cookie, origin: first.origin, "content-type": "application/json" },
        body: JSON.stringify({ content: `b ${id}` }),
      }).then((r) => r.body?.cancel()).finally(() => inFlight--);
    }
    const expected = sent.size * C;
    const until = performance.now() + 3000;
    while (delivered < expected && performance.now() < until) await sleep(20);
    const cpu = setup.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - cpuStart;
    const sorted = latencies.sort((a, b) => a - b);
    const row = {
      m,
      rate: delivered / ((lastAt - start) / 1000),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      loss: 1 - delivered / expected,
      cpuUs: (cpu * 1e6) / Math.max(1, delivered),
    };
    rows.push(row);
    console.log(
      `  ws ${setup.name} C=${C} M=${m}/s: ${fmt(row.rate, 0)} deliveries/s, p50 ${
        fmt(row.p50)
      } ms, p99 ${fmt(row.p99)} ms, undelivered ${fmt(row.loss * 100)} %, ${
        fmt(row.cpuUs, 2)
      } µs server CPU per delivery`,
    );
    if (row.loss > 0.05 || row.p99 > 2000) break;
    await sleep(500);
  }
  for (const ws of clients) ws.close();
  await Promise.all(clients.map((ws) => ws.closed));
  return rows;
}

/** N raw SSE viewers of `room` over the instances; each resolves with the time of every `updated`. */
async function sseFanout(setup: Setup, room: string, uploads: number) {
  const encoder = new TextEncoder();
  const times: number[][] = [];
  const conns: Deno.TcpConn[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < N; i++) {
    const server = setup.servers[i % setup.servers.length];
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    conns.push(conn);
    const mine: number[] = [];
    times.push(mine);
    await conn.write(encoder.encode(`GET /${room}/events HTTP/1.1\r\nHost: x\r\n\r\n`));
    ready.push((async () => {
      const buffer = new Uint8Array(4096);
      const decoder = new TextDecoder();
      let text = "";
      let seenConnected = false;
      let mark!: () => void;
      const connected = new Promise<void>((resolve) => (mark = resolve));
      (async () => {
        for (;;) {
          const n = await conn.read(buffer).catch(() => null);
          if (n === null) return;
          text += decoder.decode(buffer.subarray(0, n), { stream: true });
          if (!seenConnected && text.includes("data: connected")) (seenConnected = true, mark());
          let at = text.indexOf("data: updated");
          while (at >= 0) {
            mine.push(performance.now());
            text = text.slice(at + 13);
            at = text.indexOf("data: updated");
          }
          if (text.length > 8192) text = text.slice(-64);
        }
      })();
      await connected;
    })());
  }
  await Promise.all(ready);
  const latencies: number[] = [];
  for (let u = 0; u < uploads; u++) {
    const form = new FormData();
    form.append("image", new Blob([tinyPng(u) as BlobPart]), "x.png");
    const before = times.map((t) => t.length);
    const start = performance.now();
    const r = await fetch(`${setup.servers[0].url}${room}/upload`, {
      method: "POST",
      body: form,
      headers: { authorization: basic("admin", "adminpw") },
    });
    await r.body?.cancel();
    const until = performance.now() + 5000;
    while (times.some((t, i) => t.length === before[i]) && performance.now() < until) {
      await sleep(10);
    }
    for (const [i, t] of times.entries()) {
      if (t.length > before[i]) latencies.push(t.at(-1)! - start);
    }
    await sleep(300);
  }
  for (const conn of conns) conn.close();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    got: latencies.length / (uploads * N),
  };
}

const engines = await setups();
const lines: string[] = [];
try {
  for await (const setup of engines.list()) {
    setup.pids = await Promise.all(setup.servers.map((s) => findPid(s.port)));
    console.log(setup.name);
    const rows = await wsFanout(setup);
    const best = Math.max(
      0,
      ...rows.filter((r) => r.p99 < 100 && r.loss < 0.01).map((r) => r.rate),
    );
    // The room exists on every instance: its folder is in the (shared) DATA_DIR.
    const room = "fanout";
    await Deno.mkdir(join(setup.servers[0].dataDir, "rooms", room), { recursive: true });
    await Deno.copyFile(
      join(setup.servers[0].dataDir, ".htpasswd"),
      join(setup.servers[0].dataDir, "rooms", room, ".htpasswd"),
    );
    const sse = await sseFanout(setup, room, 10);
    console.log(
      `  sse ${setup.name} N=${N}: p50 ${fmt(sse.p50)} ms, p99 ${
        fmt(sse.p99)
      } ms from upload start, ${fmt(sse.got * 100)} % delivered`,
    );
    lines.push(
      `| ${setup.name} | ${
        rows.map((r) => `${r.m}/s → ${fmt(r.rate, 0)} (p50 ${fmt(r.p50)}, p99 ${fmt(r.p99)} ms)`)
          .join("<br>")
      } | **${fmt(best, 0)}** | ${fmt(sse.p50)} / ${fmt(sse.p99)} ms (${fmt(sse.got * 100)} %) |`,
    );
  }
} finally {
  await engines.stop();
}
console.log(
  `\n| setup | /ws, ${C} clients: sender rate → deliveries/s | best deliveries/s, p99 < 100 ms | SSE, ${N} viewers: p50 / p99 from upload start |`,
);
console.log("| --- | --- | --- | --- |");
for (const line of lines) console.log(line);
clearTimeout(watchdog);
