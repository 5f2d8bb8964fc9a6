// Benchmark: memory per held SSE stream, bare Deno.serve (several body kinds), node:http and a
// pending request, against Roomcast's image-room stream, the kinds taking turns in each round.
// Run: deno run -A bench/sse_memory.ts [N] [rounds] [kinds,…]   (default 1000 viewers, 2 rounds, all)
// The figures are the slope past a warm-up batch (WARM, default 200 viewers held open first).
// Kind `imgcast` is the Go seed (bench/_imgcast.ts); `roomcast-before` is the whole server of the
// checkout in SSE_BEFORE (e.g. a `git archive` unpacked); `before` is `transport` over its realtime/.
import { basic, startServer } from "../tests/_server.ts";
import { tinyPng } from "../tests/_images.ts";
import { findPid } from "./_ws_client.ts";
import { fmt, percentile, rssBytes, sleep } from "./_util.ts";
import { startImgcast } from "./_imgcast.ts";

const n = Number(Deno.args[0] ?? 1000);
const rounds = Number(Deno.args[1] ?? 2);
/** Viewers opened before the baseline is read (`WARM=0` for none). */
const warm = Number(Deno.env.get("WARM") ?? 200);
const KINDS = (Deno.args[2]?.split(",")) ??
  [
    "stream",
    "signal",
    "bytes",
    "hwm0",
    "transform",
    "node",
    "pending",
    "transport",
    "roomcast",
    "imgcast",
  ];
const encoder = new TextEncoder();

/** A raw-TCP SSE viewer; resolves once `data: connected` arrived (or, for `pending`, once sent). */
async function viewer(port: number, path: string, waitFor: boolean): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
  if (!waitFor) return conn;
  const buffer = new Uint8Array(4096);
  let text = "";
  while (!text.includes("data: connected")) {
    const got = await conn.read(buffer);
    if (got === null) throw new Error("Stream closed early");
    text += new TextDecoder().decode(buffer.subarray(0, got));
  }
  return conn;
}

interface Target {
  port: number;
  pid: number;
  path: string;
  memory(): Promise<Deno.MemoryUsage | null>;
  stop(): Promise<void>;
}

async function bare(kind: string): Promise<Target> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_sse_floor_variants.ts", import.meta.url).pathname, kind],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/ready \d+/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The ${kind} server exited`);
    text += value;
  }
  const port = Number(text.match(/ready (\d+)/)![1]);
  return {
    port,
    pid: await findPid(port),
    path: "/",
    memory: async () => await (await fetch(`http://127.0.0.1:${port}/mem`)).json(),
    async stop() {
      child.kill();
      await child.status;
      await reader.cancel().catch(() => {});
    },
  };
}

/** The imgcast seed (Go, bench/_imgcast.ts), with one image in room `mem`. */
async function imgcast(): Promise<Target> {
  const server = await startImgcast();
  const form = new FormData();
  form.append("image", new Blob([tinyPng(1) as BlobPart]), "x.png");
  const r = await fetch(`${server.url}mem/upload`, {
    method: "POST",
    body: form,
    headers: { authorization: basic("admin", "adminpw") },
  });
  await r.body?.cancel();
  return {
    ...server,
    path: "/mem/events",
    memory: () => Promise.resolve(null),
    stop: server.close,
  };
}

/** The whole server, this checkout's or (`root`) another's, with one image in room `mem`. */
async function roomcast(root?: string): Promise<Target> {
  const server = await startServer({ env: { LOG_LEVEL: "info" }, root });
  const form = new FormData();
  form.append("image", new Blob([tinyPng(1) as BlobPart]), "x.png");
  const r = await fetch(`${server.url}mem/upload`, {
    method: "POST",
    body: form,
    headers: { authorization: basic("admin", "adminpw") },
  });
  await r.body?.cancel();
  return {
    port: server.port,
    pid: await findPid(server.port),
    path: "/mem/events",
    memory: () => Promise.resolve(null),
    stop: () => server.close(),
  };
}

/** Opens `count` viewers, 100 at a time. */
async function openViewers(target: Target, kind: string, count: number): Promise<Deno.TcpConn[]> {
  const conns: Deno.TcpConn[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from(
      { length: Math.min(100, count - i) },
      () => viewer(target.port, target.path, kind !== "pending"),
    );
    conns.push(...await Promise.all(batch));
  }
  return conns;
}

type Figures = { rss: number[]; heap: number[]; heapTotal: number[] };
const results = new Map<string, Figures>();
for (let round = 0; round < rounds; round++) {
  for (const kind of KINDS) {
    const target = kind === "roomcast"
      ? await roomcast()
      : kind === "roomcast-before"
      ? await roomcast(Deno.env.get("SSE_BEFORE"))
      : kind === "imgcast"
      ? await imgcast()
      : await bare(kind);
    try {
      // A first batch, held open, before the baseline: what is paid once (compiled code, the hub
      // topic, the heartbeat timer, sets growing) is then not spread over the N measured.
      const conns = await openViewers(target, kind, warm);
      await sleep(300);
      const rss0 = rssBytes(target.pid);
      const mem0 = await target.memory();
      conns.push(...await openViewers(target, kind, n));
      await sleep(kind === "pending" ? 1500 : 700);
      const rss1 = rssBytes(target.pid);
      const mem1 = await target.memory();
      const entry = results.get(kind) ?? { rss: [], heap: [], heapTotal: [] };
      entry.rss.push((rss1 - rss0) / n / 1024);
      if (mem0 && mem1) {
        entry.heap.push((mem1.heapUsed - mem0.heapUsed) / n / 1024);
        entry.heapTotal.push((mem1.heapTotal - mem0.heapTotal) / n / 1024);
      }
      results.set(kind, entry);
      console.log(`round ${round + 1} ${kind}: ${fmt(entry.rss.at(-1)!, 1)} KiB RSS per stream`);
      for (const conn of conns) conn.close();
    } finally {
      await target.stop();
    }
  }
}
const median = (xs: number[]) => xs.length ? percentile([...xs].sort((a, b) => a - b), 50) : NaN;
console.log(
  `\n| kind (N = ${n}, ${rounds} rounds) | RSS per stream, median (all) | V8 heap used per stream | V8 heap committed per stream |`,
);
console.log("| --- | --- | --- | --- |");
for (const [kind, r] of results) {
  console.log(
    `| ${kind} | ${fmt(median(r.rss), 1)} KiB (${r.rss.map((x) => fmt(x, 1)).join(", ")}) | ${
      fmt(median(r.heap), 2)
    } KiB | ${fmt(median(r.heapTotal), 2)} KiB |`,
  );
}
