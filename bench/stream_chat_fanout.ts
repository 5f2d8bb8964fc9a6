// Benchmark: room chat fan-out in one stream room while a stream plays: C viewers on /ws, a sender
// posting M messages/s, against Roomcast and, in the same run with the same clients, Socket.IO 4
// (StreamCircle's stack: bench/ws_fanout_socketio.ts on Deno, bench/ws_fanout_socketio_node.cjs on
// Node). Reports deliveries/s at p99 < 100 ms and server CPU per delivery.
// Run: deno run -A bench/stream_chat_fanout.ts [C] [--no-stream] [--roomcast-only]   (default C=1000;
// --no-stream leaves the room offline, to see what the live publish costs). Loopback; stops itself.
import { startServer } from "../tests/_server.ts";
import { ADMIN_TOKEN, api, publishRtmp } from "../tests/_streams.ts";
import { cpuSeconds, fmt, percentile, sleep } from "./_util.ts";
import { type FanoutTarget as Target, findPid, openRawWs, type RawWs } from "./_ws_client.ts";
import { prepareNodeSocketIo, SOCKET_IO_NODE_MODULES, SOCKET_IO_PATH } from "./_socketio.ts";

const flags = new Set(Deno.args.filter((a) => a.startsWith("--")));
const clients = Number(Deno.args.find((a) => !a.startsWith("--")) ?? 1000);
const withStream = !flags.has("--no-stream");
const LADDER = [10, 25, 50, 75, 100, 130, 160, 200];
const PHASE_MS = 3000;
const DRAIN_MS = 3000;
const CONTENT = '"content":"b ';
const watchdog = setTimeout(() => {
  console.error("Bench took longer than 8 minutes: stopping");
  Deno.exit(1);
}, 8 * 60_000);

/** Roomcast with its RTMP listener; ffmpeg publishes to the room for the whole run. */
async function roomcast(): Promise<Target> {
  const server = await startServer({ env: { LOG_LEVEL: "info", SERVER_ADMIN_TOKEN: ADMIN_TOKEN } });
  const rtmp = Number((await server.waitForLog(/^RTMP listening$/)).port);
  const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Bench" } });
  const publisher = withStream ? publishRtmp(rtmp, room.streamKey, 600) : null;
  if (publisher) await server.waitForLog(/^Stream room is live$/, 20_000);
  const { body: joined } = await api(server.url, "POST", "api/rooms/bench/join", {
    body: { nickname: "sender" },
    admin: false,
  });
  let inFlight = 0;
  return {
    name: `Roomcast (stream room, ${withStream ? "live RTMP publish" : "offline"})`,
    pid: await findPid(server.port),
    connect: (onMessage) =>
      new Promise((resolve, reject) => {
        let entered = false;
        openRawWs(server.port, "/ws", { origin: server.origin }, (text, ws) => {
          if (text.includes('"type":"message"')) onMessage(text);
          else if (!entered && text.includes('"type":"stream:entered"')) {
            entered = true;
            resolve(ws);
          }
        }).then((ws) => ws.send('{"type":"stream:enter","topic":"stream:bench"}'), reject);
      }),
    send(content) {
      // StreamCircle's REST path with the chat token; the admin header lifts the per-token limit.
      if (inFlight >= 256) return false;
      inFlight++;
      fetch(`${server.url}api/rooms/bench/messages`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${joined.token}`,
          "x-admin-token": ADMIN_TOKEN,
        },
        body: JSON.stringify({ content }),
      }).then((r) => r.body?.cancel()).finally(() => inFlight--);
      return true;
    },
    async close() {
      await publisher?.stop();
      await server.close();
    },
  };
}

/** The same ffmpeg encode the Roomcast side publishes, writing HLS itself: equal load on the host. */
function localStream(): Deno.ChildProcess {
  const dir = Deno.makeTempDirSync({ prefix: "sio-stream-" });
  return new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-re"],
      ...["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=600"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:duration=600"],
      ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30"],
      ...["-c:a", "aac", "-f", "hls", "-hls_time", "1", "-hls_flags", "delete_segments"],
      `${dir}/index.m3u8`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function socketIo(runtime: "deno" | "node"): Promise<Target> {
  const script = new URL(
    runtime === "deno" ? "./ws_fanout_socketio.ts" : "./ws_fanout_socketio_node.cjs",
    import.meta.url,
  ).pathname;
  const child = new Deno.Command(runtime === "deno" ? Deno.execPath() : "node", {
    args: runtime === "deno" ? ["run", "-A", script] : [script],
    env: runtime === "node" ? { NODE_PATH: SOCKET_IO_NODE_MODULES } : {},
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/listening (\d+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${script} exited`);
    text += value;
  }
  const port = Number(text.match(/listening (\d+)/)![1]);
  const stream = withStream ? localStream() : null;
  const sender = await openRawWs(port, SOCKET_IO_PATH, {}, (packet, ws) => {
    if (packet === "2") ws.send("3");
    else if (packet.startsWith("0")) ws.send("40");
  });
  await sleep(300);
  return {
    name: `Socket.IO 4.8.4 on ${
      runtime === "deno" ? "Deno" : "Node"
    } (room join, one SQLite insert${runtime === "node" ? " skipped" : ""})`,
    pid: await findPid(port),
    connect: (onMessage) =>
      new Promise((resolve, reject) => {
        openRawWs(port, SOCKET_IO_PATH, {}, (packet, ws) => {
          if (packet === "2") return ws.send("3");
          if (packet.startsWith("0")) return ws.send("40");
          if (packet.startsWith("40")) return ws.send('421["subscribe",{"channelId":1}]');
          if (packet.startsWith("431")) return resolve(ws);
          if (packet.startsWith('42["message"')) onMessage(packet);
        }).catch(reject);
      }),
    send(content) {
      sender.send(`42${JSON.stringify(["message", { channelId: 1, content }])}`);
      return true;
    },
    async close() {
      sender.close();
      stream?.kill("SIGTERM");
      await stream?.status;
      child.kill("SIGTERM");
      await child.status;
      await reader.cancel().catch(() => {});
    },
  };
}

interface Row {
  m: number;
  rate: number;
  p99: number;
  loss: number;
  cpuUs: number;
}

async function run(target: Target): Promise<Row[]> {
  let phase:
    | { sent: Map<number, number>; latencies: number[]; delivered: number; lastAt: number }
    | null = null;
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
  const sockets: RawWs[] = [];
  for (let i = 0; i < clients; i += 100) {
    const batch = Array.from(
      { length: Math.min(100, clients - i) },
      () => target.connect(onMessage),
    );
    sockets.push(...await Promise.all(batch));
  }
  await sleep(1000);
  const rows: Row[] = [];
  let seq = 0;
  for (const m of LADDER) {
    const current = {
      sent: new Map<number, number>(),
      latencies: [] as number[],
      delivered: 0,
      lastAt: 0,
    };
    phase = current;
    const start = performance.now();
    const cpuStart = cpuSeconds(target.pid);
    const total = Math.round((m * PHASE_MS) / 1000);
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / m - performance.now();
      if (wait > 1) await sleep(wait);
      const id = ++seq;
      current.sent.set(id, performance.now());
      if (!target.send(`b ${id}`)) current.sent.delete(id);
    }
    const expected = current.sent.size * clients;
    const until = performance.now() + DRAIN_MS;
    while (current.delivered < expected && performance.now() < until) await sleep(20);
    phase = null;
    const sorted = current.latencies.sort((a, b) => a - b);
    const row = {
      m,
      rate: current.delivered / ((current.lastAt - start) / 1000),
      p99: percentile(sorted, 99),
      loss: 1 - current.delivered / expected,
      cpuUs: ((cpuSeconds(target.pid) - cpuStart) * 1e6) / Math.max(1, current.delivered),
    };
    rows.push(row);
    console.log(
      `  ${target.name} M=${m}/s: ${fmt(row.rate, 0)} deliveries/s, p99 ${fmt(row.p99)} ms, ` +
        `undelivered ${fmt(row.loss * 100)} %, server CPU ${fmt(row.cpuUs, 2)} µs/delivery`,
    );
    if (row.loss > 0.05 || row.p99 > 2000) break;
    await sleep(500);
  }
  for (const ws of sockets) ws.close();
  await sleep(500);
  return rows;
}

const best = (rows: Row[]) =>
  Math.max(0, ...rows.filter((r) => r.p99 < 100 && r.loss < 0.01).map((r) => r.rate));
const results: { name: string; rows: Row[] }[] = [];
const makers = flags.has("--roomcast-only") ? [roomcast] : [
  roomcast,
  () => socketIo("deno"),
  ...((await prepareNodeSocketIo()) ? [() => socketIo("node")] : []),
];
for (const make of makers) {
  const target = await make();
  try {
    console.log(`${target.name}, ${clients} viewers`);
    results.push({ name: target.name, rows: await run(target) });
  } finally {
    await target.close();
  }
}
// Server CPU per delivery where every server delivered everything (whatever the latency): on a
// machine shared with the clients this says more about capacity than deliveries/s can.
const common = LADDER.filter((m) =>
  results.every((r) => r.rows.some((x) => x.m === m && x.loss < 0.01))
)
  .at(-1);
console.log(
  `\n| server (${clients} viewers, one room) | best deliveries/s with p99 < 100 ms | server CPU per delivery at ${common}/s | ladder: rate → p99 |`,
);
console.log("| --- | --- | --- | --- |");
for (const r of results) {
  const at = r.rows.find((x) => x.m === common);
  console.log(
    `| ${r.name} | ${fmt(best(r.rows), 0)} | ${at ? `${fmt(at.cpuUs, 2)} µs` : "n/a"} | ${
      r.rows.map((x) =>
        `${x.m}/s → ${fmt(x.p99, 0)} ms${x.loss > 0.001 ? ` (${fmt(x.loss * 100)} % late)` : ""}`
      )
        .join(", ")
    } |`,
  );
}
clearTimeout(watchdog);
