// Attacks from the hardening issue against the real server, bounded and on loopback: RSS growth,
// /healthz latency, and whether a real ffmpeg publish and a normal request still work after each.
//
//   deno run -A bench/abuse.ts            (about 3 minutes; stops by itself)
import { basic, startServer, type TestServer } from "../tests/_server.ts";
import { ADMIN_TOKEN, api as streamApi, publishRtmp } from "../tests/_streams.ts";
import { signupUser } from "../tests/_workspaces.ts";
import { tinyPng } from "../tests/_images.ts";
import { fmt, percentile, rssBytes, sleep } from "./_util.ts";

const MiB = 1024 * 1024;

interface Row {
  attack: string;
  rssGrowMiB: number;
  healthP99Ms: number;
  refused: string;
  healthyAfter: boolean;
  publishAfter: boolean | null;
}

/** /healthz round trips while `during` runs; p99 in ms. */
async function healthDuring(server: TestServer, during: Promise<unknown>): Promise<number> {
  const times: number[] = [];
  let done = false;
  during.finally(() => done = true).catch(() => {});
  while (!done) {
    const start = performance.now();
    await fetch(`${server.url}healthz`).then((r) => r.body?.cancel()).catch(() => {});
    times.push(performance.now() - start);
    await sleep(20);
  }
  await during.catch(() => {});
  return percentile(times.sort((a, b) => a - b), 99);
}

async function healthy(server: TestServer): Promise<boolean> {
  try {
    const response = await fetch(`${server.url}healthz`, { signal: AbortSignal.timeout(3000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

let roomCount = 0;
/** A fresh stream room, published to by real ffmpeg for a few seconds: does it go live? */
async function publishWorks(server: TestServer, rtmpPort: number): Promise<boolean> {
  const name = `abuse check ${++roomCount}`;
  const created = await streamApi(server.url, "POST", "api/rooms", { body: { name } });
  if (created.status !== 201) return false;
  const slug = created.body.slug as string;
  const publisher = publishRtmp(rtmpPort, created.body.streamKey, 8);
  const deadline = Date.now() + 12_000;
  let live = false;
  while (Date.now() < deadline && !live) {
    const rooms = await streamApi(server.url, "GET", "api/rooms", { admin: false });
    live = (rooms.body as { slug: string; live: boolean }[]).some((r) => r.slug === slug && r.live);
    if (!live) await sleep(250);
  }
  await publisher.stop();
  return live;
}

/** The simple RTMP handshake as a client: C0+C1, read S0+S1+S2, send C2. */
async function rtmpHandshake(conn: Deno.Conn): Promise<void> {
  const c1 = new Uint8Array(1537);
  c1[0] = 3;
  await conn.write(c1);
  const want = 3073;
  const got = new Uint8Array(want);
  let have = 0;
  while (have < want) {
    const n = await conn.read(got.subarray(have));
    if (n === null) throw new Error("closed in handshake");
    have += n;
  }
  await conn.write(got.subarray(1, 1537));
}

/** Set Chunk Size 1, then `wireBytes` of one 8 MiB video message in 1-byte chunks. */
async function chunkBomb(port: number, wireBytes: number): Promise<boolean> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let closedByServer = false;
  try {
    await rtmpHandshake(conn);
    const setChunk = new Uint8Array([2, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    const size = 8 * MiB;
    const header = new Uint8Array([
      4,
      0,
      0,
      0,
      (size >> 16) & 255,
      (size >> 8) & 255,
      size & 255,
      9,
      1,
      0,
      0,
      0,
      0,
    ]);
    await conn.write(setChunk);
    await conn.write(header);
    const block = new Uint8Array(64 * 1024);
    for (let i = 0; i < block.length; i += 2) block[i] = 0xc4; // fmt 3 on csid 4, then 1 byte
    for (let sent = 0; sent < wireBytes; sent += block.length) {
      await conn.write(block);
    }
  } catch {
    closedByServer = true;
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
  return closedByServer;
}

async function attackRtmpChunks(server: TestServer, rtmpPort: number): Promise<Row> {
  const before = rssBytes(server.pid);
  let peak = before;
  const sampler = setInterval(() => peak = Math.max(peak, rssBytes(server.pid)), 50);
  const run = Promise.all(Array.from({ length: 4 }, () => chunkBomb(rtmpPort, 12 * MiB)));
  const p99 = await healthDuring(server, run);
  const closed = (await run).filter(Boolean).length;
  await sleep(500);
  clearInterval(sampler);
  return {
    attack: "RTMP chunk size 1, 12 MiB × 4 connections",
    rssGrowMiB: (peak - before) / MiB,
    healthP99Ms: p99,
    refused: `${closed}/4 closed by the server`,
    healthyAfter: await healthy(server),
    publishAfter: await publishWorks(server, rtmpPort),
  };
}

/** RTMP connections that trickle one byte every 2 s and never publish. */
async function attackRtmpTrickle(server: TestServer, rtmpPort: number): Promise<Row> {
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < 6; i++) {
    conns.push(await Deno.connect({ hostname: "127.0.0.1", port: rtmpPort }).catch(() => null!));
  }
  let alive = conns.filter(Boolean).length;
  const trickle = (async () => {
    for (let t = 0; t < 8; t++) {
      await sleep(2000);
      for (const conn of conns) await conn?.write(new Uint8Array([3])).catch(() => {});
    }
  })();
  const publishDuring = await publishWorks(server, rtmpPort);
  await trickle;
  // Connections the server closed answer reads with null (or an error).
  alive = 0;
  for (const conn of conns) {
    if (!conn) continue;
    const read = await Promise.race([
      conn.read(new Uint8Array(4096)).catch(() => null),
      sleep(300).then(() => "open"),
    ]);
    if (read === "open") alive++;
    try {
      conn.close();
    } catch { /* closed */ }
  }
  return {
    attack: "RTMP trickle (1 byte / 2 s, 16 s)",
    rssGrowMiB: 0,
    healthP99Ms: NaN,
    refused: `${6 - alive}/6 closed at the deadline; publish during: ${publishDuring}`,
    healthyAfter: await healthy(server),
    publishAfter: await publishWorks(server, rtmpPort),
  };
}

/** A body of `bytes` streamed from a generator, so this process never holds it. */
function bigBody(bytes: number, fill = 0x61): ReadableStream<Uint8Array> {
  const block = new Uint8Array(MiB).fill(fill);
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

async function attackBodies(server: TestServer): Promise<Row> {
  const user = await signupUser(server, "bodybomb");
  const boot = await fetch(`${server.url}api/bootstrap`, { headers: { cookie: user.cookie } });
  const channelId = (await boot.json()).servers?.[0]?.channels?.[0]?.id ?? 1;
  const before = rssBytes(server.pid);
  let peak = before;
  const sampler = setInterval(() => peak = Math.max(peak, rssBytes(server.pid)), 50);
  const json = { "content-type": "application/json", origin: server.origin };
  const form = { "content-type": "application/x-www-form-urlencoded", origin: server.origin };
  const run = Promise.all([
    post(`${server.url}api/channels/${channelId}/messages`, bigBody(120 * MiB), {
      ...json,
      cookie: user.cookie,
    }),
    ...["login", "signup", "login", "signup", "api/auth/login", "api/auth/signup"].map((path) =>
      post(`${server.url}${path}`, bigBody(250 * MiB), path.startsWith("api") ? json : form)
    ),
  ]);
  const p99 = await healthDuring(server, run);
  const results = await run;
  clearInterval(sampler);
  const statuses = results.map((r) => r.status).join(",");
  return {
    attack: "120 MiB message + 6 × 250 MiB auth posts",
    rssGrowMiB: (peak - before) / MiB,
    healthP99Ms: p99,
    refused: `statuses ${statuses}; slowest ${fmt(Math.max(...results.map((r) => r.ms)), 0)} ms`,
    healthyAfter: await healthy(server),
    publishAfter: null,
  };
}

async function attackBcrypt(server: TestServer): Promise<Row> {
  const png = tinyPng(1);
  const upload = async () => {
    const form = new FormData();
    form.append(
      "image",
      new Blob([png as Uint8Array<ArrayBuffer>], { type: "image/png" }),
      "a.png",
    );
    const response = await fetch(`${server.url}lobbyroom/upload`, {
      method: "POST",
      body: form,
      headers: { authorization: basic("admin", "wrong-password") },
    });
    await response.body?.cancel();
    return response.status;
  };
  const before = rssBytes(server.pid);
  const run = Promise.all(Array.from({ length: 40 }, upload));
  const p99 = await healthDuring(server, run);
  const statuses = await run;
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return {
    attack: "40 parallel wrong-password Basic uploads",
    rssGrowMiB: (rssBytes(server.pid) - before) / MiB,
    healthP99Ms: p99,
    refused: Object.entries(counts).map(([s, n]) => `${n}× ${s}`).join(", "),
    healthyAfter: await healthy(server),
    publishAfter: null,
  };
}

async function attackTopics(server: TestServer): Promise<Row> {
  const before = rssBytes(server.pid);
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
  await sleep(1000);
  return {
    attack: "4,000 long image: topics, 200 /events, 60 code sessions",
    rssGrowMiB: (rssBytes(server.pid) - before) / MiB,
    healthP99Ms: NaN,
    refused: `${refused} subscribe errors; /events ${events[0]}; sessions ${created} made, ` +
      `${limited} × 429`,
    healthyAfter: await healthy(server),
    publishAfter: null,
  };
}

/** More idle connections than the process may open descriptors (soft = hard = 1024). */
async function attackDescriptors(): Promise<Row> {
  const server = await startServer(
    {
      env: { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, RTMP_ENABLED: "false" },
      nofile: 1024,
    } as Parameters<typeof startServer>[0],
  );
  try {
    const before = rssBytes(server.pid);
    const conns: Deno.Conn[] = [];
    for (let i = 0; i < 1100; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port }).catch(
        () => null,
      );
      if (conn) conns.push(conn);
    }
    await sleep(2000);
    let alive = true;
    try {
      Deno.statSync(`/proc/${server.pid}`);
    } catch {
      alive = false;
    }
    const grow = alive ? (rssBytes(server.pid) - before) / MiB : NaN;
    for (const conn of conns) {
      try {
        conn.close();
      } catch { /* closed */ }
    }
    let back = false;
    const deadline = Date.now() + 10_000;
    while (alive && !back && Date.now() < deadline) {
      back = await healthy(server);
      if (!back) await sleep(250);
    }
    return {
      attack: "1,100 idle connections at nofile 1024",
      rssGrowMiB: grow,
      healthP99Ms: NaN,
      refused: alive ? "process alive" : "process exited",
      healthyAfter: back,
      publishAfter: null,
    };
  } finally {
    await server.close();
  }
}

/** Connections that send one header byte per second; how many does the server close in 40 s? */
async function attackSlowloris(server: TestServer): Promise<Row> {
  const count = 300;
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < count; i++) {
    conns.push(await Deno.connect({ hostname: "127.0.0.1", port: server.port }));
  }
  const request = new TextEncoder().encode("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ");
  const closedAt: number[] = [];
  const start = Date.now();
  await Promise.all(conns.map(async (conn) => {
    for (let i = 0; i < 40; i++) {
      try {
        await conn.write(request.subarray(i % request.length, (i % request.length) + 1));
      } catch {
        closedAt.push(Date.now() - start);
        return;
      }
      const read = await Promise.race([conn.read(new Uint8Array(1024)), sleep(1000)]);
      if (read === null) {
        closedAt.push(Date.now() - start);
        return;
      }
    }
  }));
  for (const conn of conns) {
    try {
      conn.close();
    } catch { /* closed */ }
  }
  const sorted = closedAt.sort((a, b) => a - b);
  return {
    attack: `slowloris, ${count} connections, 1 header byte/s for 40 s`,
    rssGrowMiB: NaN,
    healthP99Ms: NaN,
    refused: `${sorted.length}/${count} closed; median at ${fmt(percentile(sorted, 50) / 1000)} s`,
    healthyAfter: await healthy(server),
    publishAfter: null,
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const server = await startServer({ env: { SERVER_ADMIN_TOKEN: ADMIN_TOKEN } });
  try {
    const rtmpPort = Number((await server.waitForLog(/^RTMP listening$/)).port);
    console.error("baseline publish:", await publishWorks(server, rtmpPort));
    for (const attack of [attackRtmpChunks, attackRtmpTrickle]) {
      rows.push(await attack(server, rtmpPort));
      console.error(rows.at(-1));
    }
    for (const attack of [attackBodies, attackBcrypt, attackTopics, attackSlowloris]) {
      rows.push(await attack(server));
      console.error(rows.at(-1));
    }
  } finally {
    await server.close();
  }
  rows.push(await attackDescriptors());
  console.error(rows.at(-1));

  console.log(
    "| attack | server RSS growth | /healthz p99 during | what the server did | healthy after | ffmpeg publish after |",
  );
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    const publish = r.publishAfter === null ? "—" : r.publishAfter ? "yes" : "**no**";
    console.log(
      `| ${r.attack} | ${fmt(r.rssGrowMiB)} MiB | ${fmt(r.healthP99Ms)} ms | ${r.refused} | ` +
        `${r.healthyAfter ? "yes" : "**no**"} | ${publish} |`,
    );
  }
}

if (import.meta.main) await main();
