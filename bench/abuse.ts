// The hardening issue's attacks against the real server, bounded and on loopback: RSS growth under
// each, /healthz p99 and a real ffmpeg publish during it, and both again after it.
//
//   deno run -A bench/abuse.ts            (about 4 minutes; stops by itself)
import { startServer, type TestServer } from "../tests/_server.ts";
import { ADMIN_TOKEN, api as streamApi, publishRtmp } from "../tests/_streams.ts";
import { fmt, percentile, rssBytes, sleep } from "./_util.ts";
import * as attacks from "./_attacks.ts";

const MiB = 1024 * 1024;

interface Row {
  attack: string;
  rssGrowMiB: number;
  healthP99Ms: number;
  publishDuring: boolean;
  result: string;
  healthyAfter: boolean;
  publishAfter: boolean;
}

/** /healthz round trips until `done` resolves; p99 in ms (a failed request counts as 5 s). */
async function healthDuring(server: TestServer, done: Promise<unknown>): Promise<number> {
  const times: number[] = [];
  let finished = false;
  done.finally(() => finished = true).catch(() => {});
  while (!finished) {
    const start = performance.now();
    const ok = await fetch(`${server.url}healthz`, { signal: AbortSignal.timeout(5000) })
      .then((r) => (r.body?.cancel(), r.ok), () => false);
    times.push(ok ? performance.now() - start : 5000);
    await sleep(20);
  }
  return percentile(times.sort((a, b) => a - b), 99);
}

async function healthy(server: TestServer): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${server.url}healthz`, { signal: AbortSignal.timeout(2000) })
      .then((r) => (r.body?.cancel(), r.ok), () => false);
    if (ok) return true;
    await sleep(250);
  }
  return false;
}

let rooms = 0;
/** A fresh stream room, published to by real ffmpeg: does it go live within 12 s? */
async function publishWorks(server: TestServer, rtmpPort: number): Promise<boolean> {
  const created = await streamApi(server.url, "POST", "api/rooms", {
    body: { name: `abuse check ${++rooms}` },
  });
  if (created.status !== 201) return false;
  const slug = created.body.slug as string;
  const publisher = publishRtmp(rtmpPort, created.body.streamKey, 15);
  const deadline = Date.now() + 12_000;
  let live = false;
  while (Date.now() < deadline && !live) {
    const room = await streamApi(server.url, "GET", `api/rooms/${slug}`, { admin: false });
    live = room.body?.isLive === true;
    if (!live) await sleep(250);
  }
  await publisher.stop();
  return live;
}

async function measure(
  name: string,
  attack: attacks.Attack,
  server: TestServer,
  rtmpPort: number,
): Promise<Row> {
  const before = rssBytes(server.pid);
  let peak = before;
  const sampler = setInterval(() => {
    if (server.running()) peak = Math.max(peak, rssBytes(server.pid));
  }, 50);
  const run = attack(server, rtmpPort);
  const [healthP99Ms, publishDuring, result] = await Promise.all([
    healthDuring(server, run),
    sleep(500).then(() => publishWorks(server, rtmpPort)),
    run,
  ]);
  clearInterval(sampler);
  const healthyAfter = await healthy(server);
  const publishAfter = healthyAfter && await publishWorks(server, rtmpPort);
  const row = {
    attack: name,
    rssGrowMiB: (peak - before) / MiB,
    healthP99Ms,
    publishDuring,
    result,
    healthyAfter,
    publishAfter,
  };
  console.error(row);
  return row;
}

async function withServer<T>(
  options: Parameters<typeof startServer>[0],
  fn: (server: TestServer, rtmpPort: number) => Promise<T>,
): Promise<T> {
  const server = await startServer(options);
  try {
    return await fn(server, Number((await server.waitForLog(/^RTMP listening$/)).port));
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const env = { SERVER_ADMIN_TOKEN: ADMIN_TOKEN };
  const rows: Row[] = [];
  await withServer({ env }, async (server, rtmpPort) => {
    console.error("baseline publish:", await publishWorks(server, rtmpPort));
    rows.push(await measure("RTMP chunk size 1, 12 MiB × 4", attacks.rtmpChunks, server, rtmpPort));
    rows.push(
      await measure(
        "RTMP trickle, 256 conns / 64 addresses",
        attacks.rtmpTrickle,
        server,
        rtmpPort,
      ),
    );
    rows.push(await measure("120 MiB message + 6 × 250 MiB", attacks.bodies, server, rtmpPort));
    rows.push(await measure("40 wrong Basic passwords", attacks.bcrypt, server, rtmpPort));
    rows.push(await measure("topics and code sessions", attacks.topics, server, rtmpPort));
  });
  // Each of these holds many descriptors: a fresh server at the common ulimit -n 1024.
  await withServer({ env, nofile: 1024 }, async (server, rtmpPort) => {
    rows.push(await measure("1,100 idle connections", attacks.descriptors, server, rtmpPort));
    rows.push(await measure("slowloris, 1,300 × 1 B/s, 40 s", attacks.slowloris, server, rtmpPort));
  });

  const yes = (b: boolean) => b ? "yes" : "**no**";
  console.log(
    "| attack | server RSS growth | /healthz p99 during | publish during | what the server did |" +
      " healthy after | publish after |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    console.log(
      `| ${r.attack} | ${fmt(r.rssGrowMiB)} MiB | ${fmt(r.healthP99Ms)} ms | ` +
        `${yes(r.publishDuring)} | ${r.result} | ${yes(r.healthyAfter)} | ${yes(r.publishAfter)} |`,
    );
  }
}

if (import.meta.main) await main();
