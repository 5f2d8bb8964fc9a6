// Regression tests against the real server process: RTMP chunk floods cannot grow its memory.
import { assert, assertEquals } from "../tests/_assert.ts";
import { rawPublisher } from "./test_server.ts";
import { waitFor } from "../tests/_wait.ts";
import { startServer, type TestServer } from "../tests/_server.ts";
import { ADMIN_TOKEN, api } from "../tests/_streams.ts";

const MiB = 1024 * 1024;
const ATTACK = 12 * MiB; // bytes on the wire per connection
const LIMIT = 64 * MiB; // allowed RSS growth of the server for four connections
const GIVE_UP = 256 * MiB; // the old code grew ~2.2 GiB per connection: stop long before that

function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Samples the server's RSS until stopped; `over` turns true past GIVE_UP so floods stop. */
function watchRss(pid: number) {
  const base = rssBytes(pid);
  const w = { peak: 0, over: false, stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    w.peak = Math.max(w.peak, rssBytes(pid) - base);
    w.over ||= w.peak > GIVE_UP;
  }, 20);
  return w;
}

/** `wire` bytes of chunks of `chunkSize` for one 8 MiB video message on `csid` (type 0, then 3). */
function chunks(csid: number, chunkSize: number, wire: number): Uint8Array[] {
  const first = new Uint8Array(12 + chunkSize);
  first.set([csid, 0, 0, 0, 0x80, 0, 0, 9, 1, 0, 0, 0]); // length 0x800000, type 9, stream 1
  const unit = chunkSize + 1;
  const block = new Uint8Array(Math.floor(256 * 1024 / unit) * unit);
  for (let i = 0; i < block.length; i += unit) block[i] = 0xc0 | csid;
  return [first, ...Array(Math.ceil((wire - first.length) / block.length)).fill(block)];
}

const setChunkSize = (n: number) =>
  Uint8Array.of(2, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, n >>> 24, n >>> 16, n >>> 8, n);

/** Writes the parts, stopping early when the server closes the connection or `over()` says so. */
async function flood(
  write: (b: Uint8Array) => Promise<number>,
  parts: Uint8Array[],
  over: () => boolean,
): Promise<void> {
  try {
    for (const part of parts) {
      if (over()) return;
      let at = 0;
      while (at < part.length) at += await write(part.subarray(at));
    }
  } catch { /* reset or broken pipe: the server closed it */ }
}

/** True when `closed` settles within 3 s: the server, not the client, ended the connection. */
function closedByServer(closed: Promise<void>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((r) => timer = setTimeout(() => r(false), 3000));
  return Promise.race([closed.then(() => true), late]).finally(() => clearTimeout(timer));
}

/** A client with no key: the handshake, then `parts`; true when the server closed it. */
async function anonymous(port: number, parts: Uint8Array[], over: () => boolean) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const reading = (async () => {
    const buf = new Uint8Array(65536);
    try {
      while ((await conn.read(buf)) !== null) { /* S0/S1/S2 */ }
    } catch { /* reset */ }
  })();
  const c0c1 = new Uint8Array(1537 + 1536);
  c0c1[0] = 3;
  await flood((b) => conn.write(b), [c0c1, ...parts], over);
  const closed = await closedByServer(reading);
  conn.close();
  await reading;
  return closed;
}

async function withServer(fn: (s: TestServer, rtmpPort: number) => Promise<void>) {
  const server = await startServer({ env: { SERVER_ADMIN_TOKEN: ADMIN_TOKEN } });
  try {
    const rtmpPort = Number((await server.waitForLog(/^RTMP listening$/)).port);
    await fn(server, rtmpPort);
  } finally {
    await server.close();
  }
}

function report(what: string, peak: number, closed: boolean[]) {
  console.log(
    `${what}: RSS +${(peak / MiB).toFixed(1)} MiB, closed ${closed.filter(Boolean).length}/4`,
  );
}

Deno.test("RTMP: 12 MiB at chunk size 1 from 4 connections is refused, RSS grows < 64 MiB", async () => {
  await withServer(async (server, port) => {
    const rss = watchRss(server.pid);
    const parts = [setChunkSize(1), ...chunks(4, 1, ATTACK)];
    const closed = await Promise.all(
      [1, 2, 3, 4].map(() => anonymous(port, parts, () => rss.over)),
    );
    rss.stop();
    report("chunk size 1", rss.peak, closed);
    assert(rss.peak < LIMIT, `RSS grew by ${Math.round(rss.peak / MiB)} MiB`);
    assertEquals(closed, [true, true, true, true]);
  });
});

Deno.test("RTMP: an 8 MiB message before publish is refused at its header (4 connections)", async () => {
  await withServer(async (server, port) => {
    const rss = watchRss(server.pid);
    const parts = chunks(4, 128, ATTACK); // the default chunk size: no Set Chunk Size needed
    const closed = await Promise.all(
      [1, 2, 3, 4].map(() => anonymous(port, parts, () => rss.over)),
    );
    rss.stop();
    report("8 MiB before publish", rss.peak, closed);
    assert(rss.peak < LIMIT, `RSS grew by ${Math.round(rss.peak / MiB)} MiB`);
    assertEquals(closed, [true, true, true, true]);
  });
});

Deno.test("RTMP: a publisher with a key holds one message buffer, not one per chunk (4 × 12 MiB)", async () => {
  await withServer(async (server, port) => {
    const keys: string[] = [];
    for (const name of ["A", "B", "C", "D"]) {
      keys.push((await api(server.url, "POST", "api/rooms", { body: { name } })).body.streamKey);
    }
    const rss = watchRss(server.pid);
    const closed = await Promise.all(keys.map(async (key) => {
      const pub = await rawPublisher(port, key);
      await waitFor(() => pub.statuses.includes("onStatus NetStream.Publish.Start"));
      // two 8 MiB video messages in progress at the smallest chunk size allowed
      const parts = [...chunks(4, 128, ATTACK / 2), ...chunks(5, 128, ATTACK / 2)];
      await flood(pub.send, parts, () => rss.over);
      const result = await closedByServer(pub.closed);
      await pub.close();
      return result;
    }));
    rss.stop();
    report("key holders", rss.peak, closed);
    assert(rss.peak < LIMIT, `RSS grew by ${Math.round(rss.peak / MiB)} MiB`);
    assertEquals(closed, [true, true, true, true]);
  });
});
