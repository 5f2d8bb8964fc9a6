// Benchmark: N SSE viewers of one image room, one upload; how fast `updated` reaches them all.
// Run: deno run -A bench/sse_fanout.ts [N...]   (default: 1000 5000). Loopback only; stops by itself.
// Beside Roomcast, the imgcast seed (bench/_imgcast.ts; NO_IMGCAST=1 leaves it out); ROUNDS=R
// repeats every step R times, the servers taking turns.
import { basic, startServer } from "../tests/_server.ts";
import { tinyPng } from "../tests/_images.ts";
import { fmt, percentile, rssBytes, sleep } from "./_util.ts";
import { startImgcast } from "./_imgcast.ts";

const counts = Deno.args.length ? Deno.args.map(Number) : [1000, 5000];
const encoder = new TextEncoder();

interface Viewer {
  conn: Deno.TcpConn;
  ready: Promise<void>;
  updated: Promise<number>;
}

/** A bare-bones SSE client on a raw TCP socket: far lighter than fetch for thousands of streams. */
function openViewer(port: number, path: string): Viewer {
  let conn!: Deno.TcpConn;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const updated = (async () => {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(
      encoder.encode(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`,
      ),
    );
    const buffer = new Uint8Array(4096);
    let text = "";
    const decoder = new TextDecoder();
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) throw new Error("Stream closed before `updated`");
      text += decoder.decode(buffer.subarray(0, n), { stream: true });
      if (text.includes("data: connected")) markReady();
      if (text.includes("data: updated")) return performance.now();
      if (text.length > 8192) text = text.slice(-1024);
    }
  })();
  return {
    get conn() {
      return conn;
    },
    ready,
    updated,
  };
}

/** A server under test: where its rooms are and how an image is put in one. */
interface Target {
  name: string;
  port: number;
  pid: number;
  url: string;
  close(): Promise<void>;
}

const roomcast = await startServer({ env: { LOG_LEVEL: "info" } });
const targets: Target[] = [{
  name: "Roomcast",
  port: roomcast.port,
  pid: await findServerPid(roomcast.port),
  url: roomcast.url,
  close: () => roomcast.close(),
}];
if (!Deno.env.get("NO_IMGCAST")) {
  // The seed itself, built from its source with Debian's Go (bench/_imgcast.ts).
  const imgcast = await startImgcast();
  targets.push({ name: "imgcast", ...imgcast });
}
const rounds = Number(Deno.env.get("ROUNDS") ?? 1);
console.log(targets.map((t) => `${t.name} pid ${t.pid}, port ${t.port}`).join("; "));

const results: string[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    for (const [step, n] of counts.entries()) {
      // Each server takes each step in turn, the order rotating, so outside load hits them alike.
      const turn = (round + step) % targets.length;
      for (const target of [...targets.slice(turn), ...targets.slice(0, turn)]) {
        const line = `${target.name} ${await fanOut(target, n, `fanout${round}x${step}`)}`;
        console.log(line);
        results.push(line);
      }
    }
  }
} finally {
  for (const target of targets) await target.close();
}
results.push(await floor(Math.min(...counts)));
console.log("\n" + results.join("\n"));

/** N viewers of a fresh room, one upload; the figures of that one step. */
async function fanOut(target: Target, n: number, room: string): Promise<string> {
  await upload(target.url, room);
  await sleep(300);
  const before = rssBytes(target.pid);
  const viewers: Viewer[] = [];
  const connectStart = performance.now();
  for (let i = 0; i < n; i++) {
    viewers.push(openViewer(target.port, `/${room}/events`));
    if (i % 250 === 249) await sleep(20); // stay under the listen backlog
  }
  await Promise.all(viewers.map((v) => v.ready));
  const connectMs = performance.now() - connectStart;
  await sleep(500);
  const after = rssBytes(target.pid);

  const sent = performance.now();
  const responded = await upload(target.url, room);
  const arrivals = await Promise.all(viewers.map((v) => v.updated));
  const fromResponse = arrivals.map((t) => Math.max(0, t - responded)).sort((a, b) => a - b);
  const fromRequest = arrivals.map((t) => t - sent).sort((a, b) => a - b);
  for (const v of viewers) {
    try {
      v.conn.close();
    } catch { /* already closed */ }
  }
  await sleep(1000);
  return `N=${n}: connect all ${fmt(connectMs, 0)} ms; updated after upload response p50 ${
    fmt(percentile(fromResponse, 50))
  } ms, p99 ${fmt(percentile(fromResponse, 99))} ms, max ${fmt(fromResponse.at(-1)!)} ms ` +
    `(from upload request start: p50 ${fmt(percentile(fromRequest, 50))} ms, p99 ${
      fmt(percentile(fromRequest, 99))
    } ms); server RSS ${fmt(before / 2 ** 20)} -> ${fmt(after / 2 ** 20)} MiB = ${
      fmt((after - before) / n / 1024, 2)
    } KiB per viewer`;
}

/** RSS per open stream of a bare Deno.serve SSE server: the runtime's own cost, for comparison. */
async function floor(n: number): Promise<string> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_floor_server.ts", import.meta.url).pathname, String(port)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  const pid = await findServerPid(port);
  await sleep(300);
  const before = rssBytes(pid);
  const viewers = Array.from({ length: n }, () => openViewer(port, "/"));
  await Promise.all(viewers.map((v) => v.ready));
  await sleep(500);
  const after = rssBytes(pid);
  for (const v of viewers) {
    v.updated.catch(() => {}); // never sent `updated`: closing ends the read
    v.conn.close();
  }
  child.kill();
  await child.status;
  await child.stdout.cancel().catch(() => {});
  return `floor: a bare Deno.serve SSE server holding N=${n} streams: ${
    fmt((after - before) / n / 1024, 2)
  } KiB per stream`;
}

async function upload(url: string, room: string): Promise<number> {
  const form = new FormData();
  form.append("image", new Blob([tinyPng(Date.now()) as BlobPart]), "x.png");
  const response = await fetch(`${url}${room}/upload`, {
    method: "POST",
    body: form,
    headers: { authorization: basic("admin", "adminpw") },
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`Upload failed: ${response.status}`);
  return performance.now();
}

/** The pid listening on `port` (the deno child, not a wrapper), from /proc/net/tcp + fd links. */
async function findServerPid(port: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const out = await new Deno.Command("ss", { args: ["-ltnpH", `sport = :${port}`] }).output();
    const match = new TextDecoder().decode(out.stdout).match(/pid=(\d+)/);
    if (match) return Number(match[1]);
    await sleep(100);
  }
  throw new Error(`Cannot find the server's pid on port ${port}`);
}
