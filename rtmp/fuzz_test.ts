// Fuzz-style tests: seeded random and truncated input never throws foreign errors or crashes a server.
import { assert, assertEquals } from "../tests/_assert.ts";
import { concat, prng } from "./test_util.ts";
import { ChunkError, ChunkReader } from "./chunk_reader.ts";
import { ChunkWriter } from "./chunk_writer.ts";
import { Amf0Error, encodeAmf0 } from "./amf0.ts";
import { HandshakeError } from "./handshake.ts";
import { RtmpSession, SessionError } from "./session.ts";
import { ffmpegPublish, finished, startTestServer } from "./test_server.ts";
import { waitFor } from "../tests/_wait.ts";

const OWN_ERRORS = [ChunkError, Amf0Error, HandshakeError, SessionError];

/** A well-formed client byte stream: handshake, the OBS command sequence, some media. */
function goodStream(): Uint8Array {
  const w = new ChunkWriter();
  const c0c1 = new Uint8Array(1537);
  c0c1[0] = 3;
  const cmd = (values: Parameters<typeof encodeAmf0>[0], streamId = 0) =>
    w.write({ csid: 3, typeId: 20, streamId, timestamp: 0, payload: encodeAmf0(values) });
  return concat(
    c0c1,
    new Uint8Array(1536),
    w.setChunkSize(300),
    cmd(["connect", 1, { app: "live", flashVer: "FMLE/3.0" }]),
    cmd(["releaseStream", 2, null, "key-a"]),
    cmd(["FCPublish", 3, null, "key-a"]),
    cmd(["createStream", 4, null]),
    cmd(["publish", 5, null, "key-a", "live"], 1),
    w.write({
      csid: 4,
      typeId: 18,
      streamId: 1,
      timestamp: 0,
      payload: encodeAmf0(["@setDataFrame", "onMetaData", { width: 640, height: 360 }]),
    }),
    w.write({ csid: 6, typeId: 9, streamId: 1, timestamp: 0, payload: new Uint8Array(700) }),
    w.write({ csid: 6, typeId: 9, streamId: 1, timestamp: 0xfffffff0, payload: new Uint8Array(9) }),
  );
}

/** Random bytes, truncations and mutations of a good stream. */
function cases(seed: number, count: number): Uint8Array[] {
  const rand = prng(seed);
  const good = goodStream();
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    if (kind === 0) {
      out.push(Uint8Array.from({ length: Math.floor(rand() * 4000) }, () => rand() * 256));
    } else if (kind === 1) {
      out.push(good.slice(0, Math.floor(rand() * good.length)));
    } else {
      const b = good.slice(0, kind === 2 ? good.length : Math.floor(rand() * good.length));
      const flips = 1 + Math.floor(rand() * 8);
      for (let f = 0; f < flips; f++) {
        // mutate past the handshake mostly, where the parsers are
        const at = 3073 + Math.floor(rand() * Math.max(1, b.length - 3073));
        if (at < b.length) b[at] = rand() < 0.5 ? Math.floor(rand() * 256) : 0xff;
      }
      out.push(b);
    }
  }
  return out;
}

function assertOwnError(e: unknown, seed: number, i: number): void {
  assert(OWN_ERRORS.some((cls) => e instanceof cls), `seed ${seed} case ${i}: foreign error ${e}`);
}

Deno.test("ChunkReader throws only ChunkError on 5000 random and mutated inputs", () => {
  const seed = 1234;
  const rand = prng(seed + 1);
  cases(seed, 5000).forEach((bytes, i) => {
    const r = new ChunkReader({ maxMessageLength: 64 * 1024 });
    try {
      for (let at = 0; at < bytes.length;) {
        const n = 1 + Math.floor(rand() * 200);
        r.push(bytes.subarray(at + (i % 2 ? 0 : 3073), at + n)); // with and without handshake
        at += n;
      }
    } catch (e) {
      assert(e instanceof ChunkError, `seed ${seed} case ${i}: ${e}`);
    }
  });
});

Deno.test("RtmpSession throws only its own errors on 5000 random and mutated inputs", async () => {
  const seed = 5678;
  const rand = prng(seed + 1);
  let completed = 0;
  for (const [i, bytes] of cases(seed, 5000).entries()) {
    const session = new RtmpSession({
      send: () => {},
      close: () => {},
      authorize: () => Promise.resolve({ ok: true }),
      onMedia: () => {},
      onMetadata: () => {},
      onUnpublish: () => {},
    });
    try {
      for (let at = 0; at < bytes.length;) {
        const n = 1 + Math.floor(rand() * 500);
        session.feed(bytes.subarray(at, at + n));
        at += n;
      }
      completed++;
    } catch (e) {
      assertOwnError(e, seed, i);
    }
    session.end();
  }
  await new Promise((r) => setTimeout(r, 0)); // let pending authorizations settle
  assert(completed > 100, `some inputs should parse cleanly, got ${completed}`);
});

Deno.test("startRtmpServer() survives 2000 hostile connections, then takes a publisher", async () => {
  const t = await startTestServer({ maxConnectionsPerIp: 64, handshakeTimeoutMs: 1000 });
  try {
    const inputs = cases(99, 2000);
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const bytes = inputs[next++];
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: t.server.port });
        try {
          await conn.write(bytes);
        } catch { /* the server may close first */ }
        conn.close();
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await waitFor(() => !t.server.isLive("room-a"), {
      what: "connections drained",
      timeoutMs: 5000,
    });
    const { code, err } = await finished(ffmpegPublish(t.url("key-a"), 3));
    assertEquals(code, 0, err);
    await waitFor(() => t.events.includes("offline room-a pb-a"), { what: "onOffline" });
    assert(!t.logs.some((l) => l.startsWith("error rtmp accept")), t.logs.join("\n"));
  } finally {
    await t.close();
  }
});
