// Bench helper: the hardening issue's attacks as clients, each bounded in count and time.
import { basic, type TestServer } from "../tests/_server.ts";
import { signupUser } from "../tests/_workspaces.ts";
import { tinyPng } from "../tests/_images.ts";
import { fmt, percentile, sleep } from "./_util.ts";
import { trickle, type Trickler } from "../rtmp/test_server.ts";

const MiB = 1024 * 1024;

/** What an attack reports: a line saying what the server did with it. */
export type Attack = (server: TestServer, rtmpPort: number) => Promise<string>;

const closeQuietly = (conn: Deno.Conn | null) => {
  try {
    conn?.close();
  } catch { /* closed by the server */ }
};

/** The simple RTMP handshake as a client: C0+C1, read S0+S1+S2, send C2. */
async function rtmpHandshake(conn: Deno.Conn): Promise<void> {
  const c1 = new Uint8Array(1537);
  c1[0] = 3;
  await conn.write(c1);
  const got = new Uint8Array(3073);
  for (let have = 0; have < got.length;) {
    const n = await conn.read(got.subarray(have));
    if (n === null) throw new Error("closed in handshake");
    have += n;
  }
  await conn.write(got.subarray(1, 1537));
}

/** Set Chunk Size 1, then `wireBytes` of one 8 MiB video message in 1-byte chunks; closed by us? */
async function chunkBomb(port: number, wireBytes: number): Promise<boolean> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await rtmpHandshake(conn);
    const size = 8 * MiB;
    await conn.write(new Uint8Array([2, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 1]));
    await conn.write(
      new Uint8Array([4, 0, 0, 0, size >> 16, (size >> 8) & 255, size & 255, 9, 1, 0, 0, 0, 0]),
    );
    const block = new Uint8Array(64 * 1024);
    for (let i = 0; i < block.length; i += 2) block[i] = 0xc4; // fmt 3 on csid 4, then 1 byte
    for (let sent = 0; sent < wireBytes; sent += block.length) await conn.write(block);
    return false;
  } catch {
    return true;
  } finally {
    closeQuietly(conn);
  }
}

export const rtmpChunks: Attack = async (_server, rtmpPort) => {
  const closed = await Promise.all(Array.from({ length: 4 }, () => chunkBomb(rtmpPort, 12 * MiB)));
  return `${closed.filter(Boolean).length}/4 connections closed by the server`;
};

/** 256 connections from 64 addresses, a byte every 6 s, reconnecting when closed, for 20 s. */
export const rtmpTrickle: Attack = async (_server, rtmpPort) => {
  const tricklers: Trickler[] = [];
  for (let a = 0; a < 64; a++) {
    for (let c = 0; c < 4; c++) {
      tricklers.push(
        trickle(rtmpPort, { localAddress: `127.0.1.${a + 1}`, everyMs: 6000, reconnect: true }),
      );
    }
  }
  await sleep(20_000);
  const connects = tricklers.reduce((n, t) => n + t.connects, 0);
  const closes = tricklers.flatMap((t) => t.closes.map((c) => c.ms)).sort((a, b) => a - b);
  await Promise.all(tricklers.map((t) => t.stop()));
  return `${connects} connects, ${closes.length} closed by the server (median held ` +
    `${fmt(percentile(closes, 50) / 1000)} s, longest ${fmt((closes.at(-1) ?? NaN) / 1000)} s)`;
};

/** A body of `bytes` streamed from a generator, so this process never holds it. */
function bigBody(bytes: number): ReadableStream<Uint8Array> {
  const block = new Uint8Array(MiB).fill(0x61);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      controller.enqueue(block);
      sent += block.length;
    },
  });
}

async function post(url: string, body: ReadableStream<Uint8Array>, headers: HeadersInit) {
  const start = performance.now();
  try {
    const response = await fetch(url, { method: "POST", body, headers });
    await response.body?.cancel();
    return { status: response.status, ms: performance.now() - start };
  } catch {
    return { status: 0, ms: performance.now() - start };
  }
}

/** One 120 MiB chat message by a signed-up user, six 250 MiB posts to the account routes. */
export const bodies: Attack = async (server) => {
  const user = await signupUser(server, `bomb${Date.now()}`);
  const boot = await fetch(`${server.url}api/bootstrap`, { headers: { cookie: user.cookie } });
  const channelId = (await boot.json()).activeChannelId ?? 1;
  const json = { "content-type": "application/json", origin: server.origin };
  const form = { "content-type": "application/x-www-form-urlencoded", origin: server.origin };
  const results = await Promise.all([
    post(`${server.url}api/channels/${channelId}/messages`, bigBody(120 * MiB), {
      ...json,
      cookie: user.cookie,
    }),
    ...["login", "signup", "login", "signup", "api/auth/login", "api/auth/signup"].map((path) =>
      post(`${server.url}${path}`, bigBody(250 * MiB), path.startsWith("api") ? json : form)
    ),
  ]);
  const slowest = Math.max(...results.map((r) => r.ms));
  return `statuses ${results.map((r) => r.status).join(",")}; slowest answer ${fmt(slowest, 0)} ms`;
};

/** 40 parallel wrong-password image uploads (Basic auth, bcrypt). */
export const bcrypt: Attack = async (server) => {
  const png = tinyPng(1) as Uint8Array<ArrayBuffer>;
  const statuses = await Promise.all(Array.from({ length: 40 }, async () => {
    const form = new FormData();
    form.append("image", new Blob([png], { type: "image/png" }), "a.png");
    const response = await fetch(`${server.url}lobbyroom/upload`, {
      method: "POST",
      body: form,
      headers: { authorization: basic("admin", "wrong-password") },
    });
    await response.body?.cancel();
    return response.status;
  }));
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return Object.entries(counts).map(([s, n]) => `${n}× ${s}`).join(", ");
};

/** 4,000 long `image:` names over /ws, 200 `/<name>/events`, 60 code sessions from one address. */
export const topics: Attack = async (server) => {
  const long = "x".repeat(30_000);
  let refused = 0;
  const sockets: WebSocket[] = [];
  for (let s = 0; s < 20; s++) {
    const socket = new WebSocket(server.url.replace(/^http/, "ws") + "ws");
    await new Promise((resolve) => socket.onopen = resolve);
    socket.onmessage = (e) => String(e.data).includes('"error"') && refused++;
    for (let i = 0; i < 200; i++) {
      socket.send(JSON.stringify({ type: "subscribe", topic: `image:${long}${s}-${i}` }));
    }
    sockets.push(socket);
  }
  const events = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
    const response = await fetch(`${server.url}nosuchroom${i}${"y".repeat(2000)}/events`);
    await response.body?.cancel();
    return response.status;
  }));
  let created = 0, limited = 0;
  for (let i = 0; i < 60; i++) {
    const response = await fetch(`${server.url}api/v1/sessions/anon`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ creator_token: `token-${i}-abcdefghijkl`, display_name: `s${i}` }),
    });
    await response.body?.cancel();
    if (response.status === 201) created++;
    if (response.status === 429) limited++;
  }
  await sleep(1000);
  for (const socket of sockets) socket.close();
  return `${refused} subscribe errors (rate limit or refusal); /events ${events[0]}; ` +
    `code sessions ${created} made, ${limited} × 429`;
};

/** 1,300 connections that send one header byte a second for 40 s (past the descriptor budget). */
export const slowloris: Attack = async (server) => {
  const count = 1300;
  // Past the server's descriptors some connects are reset: those count as refused, not held.
  const dialed = await Promise.allSettled(
    Array.from({ length: count }, () => Deno.connect({ hostname: "127.0.0.1", port: server.port })),
  );
  const conns = dialed.flatMap((d) => d.status === "fulfilled" ? [d.value] : []);
  const head = new TextEncoder().encode("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ");
  const closedAt: number[] = [];
  const start = Date.now();
  await Promise.all(conns.map(async (conn) => {
    for (let i = 0; i < 40; i++) {
      const byte = head.subarray(i % head.length, (i % head.length) + 1);
      const wrote = await conn.write(byte).then(() => true, () => false);
      const read = wrote
        ? await Promise.race([conn.read(new Uint8Array(1024)), sleep(1000)])
        : null;
      if (read === null) return closedAt.push(Date.now() - start);
    }
  }));
  conns.forEach(closeQuietly);
  const held = conns.length - closedAt.length;
  return `${count - conns.length} refused at connect, ${closedAt.length} closed within 40 s ` +
    `(median ${fmt(percentile(closedAt.sort((a, b) => a - b), 50) / 1000)} s), ${held} held`;
};

/** 1,100 idle connections held 5 s (the server runs with soft = hard = 1024 descriptors). */
export const descriptors: Attack = async (server) => {
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < 1100; i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port }).catch(() => null);
    if (conn) conns.push(conn);
  }
  await sleep(5000);
  const alive = server.running();
  conns.forEach(closeQuietly);
  return `${conns.length} opened; process ${alive ? "alive" : "EXITED"}`;
};
