// Integration tests for the listener's limits: timeouts, per-IP cap, silent publishers, cleanup.
import { assert, assertEquals } from "./test_util.ts";
import {
  ffmpegPublish,
  finished,
  rawPublisher,
  readText,
  startTestServer,
  waitFor,
} from "./test_server.ts";

async function closedByServer(conn: Deno.Conn): Promise<boolean> {
  try {
    return (await conn.read(new Uint8Array(4096))) === null;
  } catch {
    return true;
  }
}

Deno.test("startRtmpServer() closes a connection that stays silent in the handshake", async () => {
  const t = await startTestServer({ handshakeTimeoutMs: 300 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: t.server.port });
  try {
    const start = Date.now();
    assert(await closedByServer(conn));
    const ms = Date.now() - start;
    assert(ms >= 250 && ms < 2000, `closed after ${ms} ms`);
  } finally {
    conn.close();
    await t.close();
  }
});

Deno.test("startRtmpServer() caps connections per IP", async () => {
  const t = await startTestServer({ maxConnectionsPerIp: 2 });
  const conns = await Promise.all(
    [1, 2, 3].map(() => Deno.connect({ hostname: "127.0.0.1", port: t.server.port })),
  );
  try {
    assert(await closedByServer(conns[2]), "third connection closed at once");
    await waitFor("refusal logged", () => t.logs.some((l) => l.includes("too many connections")));
    assertEquals(t.logs.filter((l) => l.includes("too many connections")).length, 1);
  } finally {
    for (const c of conns) c.close();
    await t.close();
  }
});

Deno.test("startRtmpServer() drops a publisher that sends no media, freeing its key", async () => {
  const t = await startTestServer({ idleTimeoutMs: 600 });
  try {
    const silent = await rawPublisher(t.server.port, "key-a");
    await waitFor(
      "publish start",
      () => silent.statuses.includes("onStatus NetStream.Publish.Start"),
    );
    assert(t.server.isLive("room-a"));
    const start = Date.now();
    await silent.closed;
    const ms = Date.now() - start;
    assert(ms < 2000, `dropped after ${ms} ms`);
    await waitFor("key free", () => !t.server.isLive("room-a"));
    await silent.close();
    // the key works again at once (OBS reconnects 2 s later)
    const again = await rawPublisher(t.server.port, "key-a");
    await waitFor(
      "publish again",
      () => again.statuses.includes("onStatus NetStream.Publish.Start"),
    );
    await again.close();
  } finally {
    await t.close();
  }
});

Deno.test("startRtmpServer() answers BadName to a raw client with an unknown key and closes", async () => {
  const t = await startTestServer();
  try {
    const c = await rawPublisher(t.server.port, "nope?x=1");
    await c.closed;
    assertEquals(c.statuses, [
      "_result NetConnection.Connect.Success",
      "_result",
      "onStatus NetStream.Publish.BadName",
    ]);
    await c.close();
  } finally {
    await t.close();
  }
});

Deno.test("startRtmpServer() removes segments after the grace period, keeps the thumbnail", async () => {
  const t = await startTestServer({ graceMs: 500 });
  try {
    const pub = ffmpegPublish(t.url("key-b"), 4);
    await waitFor("onLive", () => t.events.includes("live room-b pb-b"));
    await waitFor("thumbnail", async () => (await readText(`${t.hlsDir}/pb-b/thumb.jpg`)) !== "");
    assertEquals((await finished(pub)).code, 0);
    await waitFor("onOffline", () => t.events.includes("offline room-b pb-b"));
    assert((await readText(`${t.hlsDir}/pb-b/index.m3u8`)).includes("#EXT-X-ENDLIST"));
    await waitFor("cleanup", async () => (await readText(`${t.hlsDir}/pb-b/index.m3u8`)) === "");
    const left = [...Deno.readDirSync(`${t.hlsDir}/pb-b`)].map((e) => e.name);
    assertEquals(left, ["thumb.jpg"]);
  } finally {
    await t.close();
  }
});

Deno.test("RtmpServer.close() ends a live publish cleanly", async () => {
  const t = await startTestServer();
  const pub = ffmpegPublish(t.url("key-a"), 6);
  try {
    await waitFor("onLive", () => t.events.includes("live room-a pb-a"));
    await t.server.close();
    assert(t.events.includes("offline room-a pb-a"), t.events.join());
    assert((await finished(pub)).code !== 0, "publisher was cut");
  } finally {
    await t.close();
  }
});
