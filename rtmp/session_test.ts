// Tests for the session state machine, driven as OBS/ffmpeg drive a server.
import { assert, assertEquals, assertThrows } from "../tests/_assert.ts";
import { concat } from "./test_util.ts";
import { type PublishDecision, RtmpSession, type SessionHandler } from "./session.ts";
import { ChunkError, ChunkReader, type RtmpMessage } from "./chunk_reader.ts";
import { ChunkWriter } from "./chunk_writer.ts";
import { type Amf0Value, decodeAmf0, encodeAmf0 } from "./amf0.ts";

interface Recorded {
  replies: RtmpMessage[];
  closed: string | null;
  keys: string[];
  media: RtmpMessage[];
  metadata: Amf0Value[][];
  unpublished: number;
}

function setup(decide: (key: string) => PublishDecision = () => ({ ok: true })) {
  const rec: Recorded = {
    replies: [],
    closed: null,
    keys: [],
    media: [],
    metadata: [],
    unpublished: 0,
  };
  const fromServer = new ChunkReader();
  let handshakeLeft = 1 + 1536 * 2;
  const handler: SessionHandler = {
    send(bytes) {
      const skip = Math.min(handshakeLeft, bytes.length);
      handshakeLeft -= skip;
      rec.replies.push(...fromServer.push(bytes.subarray(skip)));
    },
    close: (reason) => (rec.closed = reason),
    authorize: (key) => {
      rec.keys.push(key);
      return Promise.resolve(decide(key));
    },
    onMedia: (msg) => rec.media.push(msg),
    onMetadata: (p) => rec.metadata.push(decodeAmf0(p)),
    onUnpublish: () => rec.unpublished++,
  };
  const session = new RtmpSession(handler);
  const w = new ChunkWriter();
  const c0c1 = new Uint8Array(1537);
  c0c1[0] = 3;
  session.feed(concat(c0c1, new Uint8Array(1536)));
  const cmd = (values: Amf0Value[], streamId = 0) =>
    session.feed(
      w.write({ csid: 3, typeId: 20, streamId, timestamp: 0, payload: encodeAmf0(values) }),
    );
  const send = (typeId: number, payload: Uint8Array, streamId = 1, timestamp = 0) =>
    session.feed(w.write({ csid: typeId === 8 ? 4 : 6, typeId, streamId, timestamp, payload }));
  return { session, rec, cmd, send, w };
}

const commands = (rec: Recorded) =>
  rec.replies.filter((r) => r.typeId === 20).map((r) => decodeAmf0(r.payload));
const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("RtmpSession answers connect with window, bandwidth, chunk size and _result", () => {
  const { rec, cmd, session } = setup();
  cmd(["connect", 1, { app: "live", tcUrl: "rtmp://h/live" }]);
  assertEquals(rec.replies.map((r) => r.typeId), [5, 6, 1, 20]);
  const [[name, txn, , info]] = commands(rec);
  assertEquals([name, txn, (info as { code: string }).code], [
    "_result",
    1,
    "NetConnection.Connect.Success",
  ]);
  assertEquals(session.state, "connected");
});

Deno.test("RtmpSession rejects an app other than live and closes", () => {
  const { rec, cmd } = setup();
  cmd(["connect", 1, { app: "other" }]);
  const [[name, , , info]] = commands(rec);
  assertEquals(name, "_error");
  assertEquals((info as { code: string }).code, "NetConnection.Connect.Rejected");
  assertEquals(rec.closed, "wrong app");
});

Deno.test("RtmpSession accepts app live/ and live?query", () => {
  for (const app of ["live/", "live?token=1"]) {
    const { rec, cmd } = setup();
    cmd(["connect", 1, { app }]);
    assertEquals(rec.closed, null);
  }
});

Deno.test("RtmpSession runs the ffmpeg/OBS publish sequence", async () => {
  const { rec, cmd, send, session } = setup();
  cmd(["connect", 1, { app: "live" }]);
  cmd(["releaseStream", 2, null, "key1?pw=x"]);
  cmd(["FCPublish", 3, null, "key1?pw=x"]);
  cmd(["createStream", 4, null]);
  send(9, Uint8Array.of(0x17, 0)); // media before publish is dropped
  cmd(["publish", 5, null, "key1?pw=x", "live"], 1);
  await tick();
  assertEquals(rec.keys, ["key1"]);
  assertEquals(session.state, "publishing");
  const names = commands(rec).map((c) => c[0]);
  assertEquals(names, ["_result", "_result", "onFCPublish", "_result", "onStatus"]);
  assertEquals(commands(rec)[3][3], 1); // createStream → stream 1
  assertEquals((commands(rec)[4][3] as { code: string }).code, "NetStream.Publish.Start");
  assert(rec.replies.some((r) => r.typeId === 4 && r.payload[1] === 0), "Stream Begin sent");

  send(18, encodeAmf0(["@setDataFrame", "onMetaData", { width: 640 }]));
  assertEquals(rec.metadata, [["onMetaData", { width: 640 }]]);
  send(9, Uint8Array.of(0x17, 0, 0, 0, 0), 1, 0);
  send(8, Uint8Array.of(0xaf, 0), 1, 0);
  assertEquals(rec.media.map((x) => x.typeId), [9, 8]);

  cmd(["FCUnpublish", 6, null, "key1"]);
  cmd(["deleteStream", 7, null, 1]);
  assertEquals(rec.unpublished, 1);
  session.end();
  assertEquals(rec.unpublished, 1);
});

Deno.test("RtmpSession answers an unknown key with BadName and closes", async () => {
  const { rec, cmd } = setup(() => ({
    ok: false,
    code: "NetStream.Publish.BadName",
    description: "Unknown stream key.",
  }));
  cmd(["connect", 1, { app: "live" }]);
  cmd(["createStream", 2, null]);
  cmd(["publish", 3, null, "nope"], 1);
  await tick();
  const last = commands(rec).at(-1)!;
  assertEquals(last[0], "onStatus");
  assertEquals((last[3] as { code: string; level: string }).code, "NetStream.Publish.BadName");
  assertEquals((last[3] as { level: string }).level, "error");
  assertEquals(rec.closed, "NetStream.Publish.BadName");
  assertEquals(rec.unpublished, 0);
});

Deno.test("RtmpSession releases an allowed publish whose connection ended during authorize", async () => {
  const { rec, cmd, session } = setup();
  cmd(["connect", 1, { app: "live" }]);
  cmd(["createStream", 2, null]);
  cmd(["publish", 3, null, "k"], 1);
  session.end();
  await tick();
  assertEquals(rec.unpublished, 1);
});

Deno.test("RtmpSession acknowledges once the peer's window is received", () => {
  const { rec, session, w, cmd } = setup();
  cmd(["connect", 1, { app: "live" }]);
  const win = new Uint8Array(4);
  new DataView(win.buffer).setUint32(0, 1000);
  session.feed(w.write({ csid: 2, typeId: 5, streamId: 0, timestamp: 0, payload: win }));
  assertEquals(rec.replies.filter((r) => r.typeId === 3).length, 0);
  for (let i = 0; i < 100; i++) cmd(["_checkbw", 9, null]);
  const acks = rec.replies.filter((r) => r.typeId === 3).map((r) =>
    new DataView(r.payload.buffer, r.payload.byteOffset).getUint32(0)
  );
  assert(acks.length >= 2, `expected acks, got ${acks}`);
  for (let i = 1; i < acks.length; i++) assert(acks[i] - acks[i - 1] >= 1000, `acks ${acks}`);
});

Deno.test("RtmpSession answers a ping request", () => {
  const { rec, session, w } = setup();
  const p = Uint8Array.of(0, 6, 0, 0, 1, 2);
  session.feed(w.write({ csid: 2, typeId: 4, streamId: 0, timestamp: 0, payload: p }));
  const pong = rec.replies.find((r) => r.typeId === 4)!;
  assertEquals(Array.from(pong.payload), [0, 7, 0, 0, 1, 2]);
});

Deno.test("RtmpSession refuses messages over 64 KiB until a publish is authorized", async () => {
  const big = new Uint8Array(64 * 1024 + 1);
  const before = setup();
  before.cmd(["connect", 1, { app: "live" }]);
  assertThrows(() => before.send(9, big), ChunkError, "exceeds limit");

  const { cmd, send, rec } = setup();
  cmd(["connect", 1, { app: "live" }]);
  cmd(["createStream", 2, null]);
  cmd(["publish", 3, null, "key1", "live"], 1);
  await tick();
  send(9, big); // a keyframe of a live publish
  assertEquals(rec.media.map((x) => x.payload.length), [big.length]);
  cmd(["FCUnpublish", 4, null, "key1"]);
  assertThrows(() => send(9, big), ChunkError, "exceeds limit");
});
