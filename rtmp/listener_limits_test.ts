// Integration tests for the listener's limits: timeouts, per-IP cap, silent publishers, cleanup.
import { assert, assertEquals } from "../tests/_assert.ts";
import {
  ffmpegPublish,
  finished,
  PAST_HANDSHAKE,
  rawPublisher,
  readText,
  startTestServer,
  trickle,
} from "./test_server.ts";
import { waitFor } from "../tests/_wait.ts";
import { addressKey } from "./listener.ts";

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
    await waitFor(() => t.logs.some((l) => l.includes("too many connections")), {
      what: "refusal logged",
    });
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
    await waitFor(() => silent.statuses.includes("onStatus NetStream.Publish.Start"), {
      what: "publish start",
    });
    assert(t.server.isLive("room-a"));
    const start = Date.now();
    await silent.closed;
    const ms = Date.now() - start;
    assert(ms < 2000, `dropped after ${ms} ms`);
    await waitFor(() => !t.server.isLive("room-a"), { what: "key free" });
    await silent.close();
    // the key works again at once (OBS reconnects 2 s later)
    const again = await rawPublisher(t.server.port, "key-a");
    await waitFor(() => again.statuses.includes("onStatus NetStream.Publish.Start"), {
      what: "publish again",
    });
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
  const t = await startTestServer({ graceMs: 500, packager: "ffmpeg" });
  try {
    const pub = ffmpegPublish(t.url("key-b"), 4);
    await waitFor(() => t.events.includes("live room-b pb-b"), { what: "onLive" });
    await waitFor(async () => (await readText(`${t.hlsDir}/pb-b/thumb.jpg`)) !== "", {
      what: "thumbnail",
    });
    assertEquals((await finished(pub)).code, 0);
    await waitFor(() => t.events.includes("offline room-b pb-b"), { what: "onOffline" });
    assert((await readText(`${t.hlsDir}/pb-b/index.m3u8`)).includes("#EXT-X-ENDLIST"));
    // The playlist goes first (players stop asking), then the segments, one by one.
    const left = () => [...Deno.readDirSync(`${t.hlsDir}/pb-b`)].map((e) => e.name).join();
    await waitFor(() => left() === "thumb.jpg", { what: `cleanup, left: ${left()}` });
  } finally {
    await t.close();
  }
});

Deno.test("RtmpServer.close() ends a live publish cleanly", async () => {
  const t = await startTestServer();
  const pub = ffmpegPublish(t.url("key-a"), 6);
  try {
    await waitFor(() => t.events.includes("live room-a pb-a"), { what: "onLive" });
    await t.server.close();
    assert(t.events.includes("offline room-a pb-a"), t.events.join());
    assert((await finished(pub)).code !== 0, "publisher was cut");
  } finally {
    await t.close();
  }
});

Deno.test("startRtmpServer() closes trickling connections at fixed deadlines from accept", async () => {
  // a byte every 100 ms would reset an idle timer of 300 ms forever; the deadlines do not move
  const t = await startTestServer({
    handshakeTimeoutMs: 400,
    publishTimeoutMs: 1000,
    idleTimeoutMs: 300,
  });
  const inHandshake = trickle(t.server.port, {});
  const pastHandshake = trickle(t.server.port, { head: PAST_HANDSHAKE });
  try {
    await waitFor(() => inHandshake.closes.length + pastHandshake.closes.length === 2, {
      what: "both closed",
      timeoutMs: 3000,
    });
    const [hs] = inHandshake.closes;
    const [pub] = pastHandshake.closes;
    assert(hs.ms >= 380 && hs.ms < 1000, `handshake trickle closed after ${hs.ms} ms`);
    assert(pub.ms >= 980 && pub.ms < 1600, `publish trickle closed after ${pub.ms} ms`);
    assert(pub.sent >= PAST_HANDSHAKE.length + 5, `kept sending: ${pub.sent} bytes`);
    assert(t.logs.some((l) => l.includes('"reason":"no publish in time"')), t.logs.join("\n"));
  } finally {
    await Promise.all([inHandshake.stop(), pastHandshake.stop()]);
    await t.close();
  }
});

Deno.test("startRtmpServer() takes a real ffmpeg publish while trickling connections fill every slot", async () => {
  const t = await startTestServer({ maxConnections: 12 });
  // 127.0.0.2-4, four each (the per-address cap): every slot taken, each reconnecting when closed
  const tricklers = ["127.0.0.2", "127.0.0.3", "127.0.0.4"].flatMap((localAddress) =>
    [1, 2, 3, 4].map(() =>
      trickle(t.server.port, { localAddress, head: PAST_HANDSHAKE, everyMs: 200, reconnect: true })
    )
  );
  try {
    await waitFor(() => tricklers.every((x) => x.answered), { what: "12 tricklers answered" });
    await new Promise((r) => setTimeout(r, 2000)); // old enough to give way (giveWayAfterMs)
    const { code, err } = await finished(ffmpegPublish(t.url("key-a"), 3));
    assertEquals(code, 0, err);
    assert(t.events.includes("live room-a pb-a"), t.events.join());
    assert(t.logs.some((l) => l.includes("gave way")), "a trickler gave way to ffmpeg");
    assert(tricklers.reduce((n, x) => n + x.connects, 0) > 12, "tricklers reconnected");
  } finally {
    await Promise.all(tricklers.map((x) => x.stop()));
    await t.close();
  }
});

Deno.test("startRtmpServer() takes a publisher from a quiet address at once while a flood from many fills every slot", async () => {
  const t = await startTestServer({ maxConnections: 12 });
  const tricklers = ["127.0.0.2", "127.0.0.3", "127.0.0.4"].flatMap((localAddress) =>
    [1, 2, 3, 4].map(() =>
      trickle(t.server.port, { localAddress, head: PAST_HANDSHAKE, everyMs: 200, reconnect: true })
    )
  );
  try {
    await waitFor(() => tricklers.every((x) => x.answered), { what: "12 tricklers answered" });
    // No wait: every slot is young, so none gives way by age; the busiest address does.
    const { code, err } = await finished(ffmpegPublish(t.url("key-a"), 3));
    assertEquals(code, 0, err);
    assert(t.events.includes("live room-a pb-a"), t.events.join());
    assert(t.logs.some((l) => l.includes("quieter address")), "a flooding address gave way");
  } finally {
    await Promise.all(tricklers.map((x) => x.stop()));
    await t.close();
  }
});

Deno.test("startRtmpServer() counts an address right when its own connection gives way", async () => {
  const t = await startTestServer({ maxConnections: 2, maxConnectionsPerIp: 2, giveWayAfterMs: 0 });
  const open = async (localAddress: string) => {
    const c = trickle(t.server.port, { localAddress, head: PAST_HANDSHAKE, everyMs: 1000 });
    await waitFor(() => c.answered || c.closes.length > 0, {
      what: `${localAddress} answered`,
      timeoutMs: 3000,
    });
    return c;
  };
  const conns = [];
  try {
    conns.push(await open("127.0.0.2"), await open("127.0.0.2")); // full
    conns.push(await open("127.0.0.3")); // the first .2 gives way
    conns.push(await open("127.0.0.2")); // the second .2 gives way: .2 holds one, not two
    const last = await open("127.0.0.2");
    conns.push(last);
    assert(last.answered && last.closes.length === 0, "the address was at 1 of 2, not refused");
    assertEquals(conns.map((c) => c.closes.length), [1, 1, 1, 0, 0]);
  } finally {
    await Promise.all(conns.map((c) => c.stop()));
    await t.close();
  }
});

Deno.test("startRtmpServer() keeps a publisher and a young connection when full", async () => {
  const t = await startTestServer({ maxConnections: 1, giveWayAfterMs: 0 });
  const pub = await rawPublisher(t.server.port, "key-a");
  try {
    await waitFor(() => pub.statuses.includes("onStatus NetStream.Publish.Start"), {
      what: "publish start",
    });
    const late = trickle(t.server.port, { localAddress: "127.0.0.3" });
    await waitFor(() => late.closes.length === 1, { what: "refused" });
    await late.stop();
    assert(t.server.isLive("room-a"), "a publishing connection never gives way");
  } finally {
    await pub.close();
    await t.close();
  }
  const young = await startTestServer({ maxConnections: 1, giveWayAfterMs: 60_000 });
  const first = trickle(young.server.port, { localAddress: "127.0.0.2" });
  const second = trickle(young.server.port, { localAddress: "127.0.0.3" });
  try {
    await waitFor(() => second.closes.length === 1, { what: "second refused" });
    assertEquals(first.closes.length, 0); // younger than giveWayAfterMs: it stays
  } finally {
    await Promise.all([first.stop(), second.stop()]);
    await young.close();
  }
});

Deno.test("addressKey() counts IPv6 per /64 and IPv4 (also mapped) per address", () => {
  assertEquals(addressKey("203.0.113.9"), "203.0.113.9");
  assertEquals(addressKey("::ffff:203.0.113.9"), "203.0.113.9");
  assertEquals(addressKey("::ffff:cb00:7109"), "203.0.113.9");
  assertEquals(addressKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  assertEquals(addressKey("2001:DB8:1:2::ffff"), "2001:db8:1:2::/64");
  assertEquals(addressKey("2001:0db8:0001:0002::1"), "2001:db8:1:2::/64");
  assertEquals(addressKey("[2001:db8:1:2::1]"), "2001:db8:1:2::/64");
  assertEquals(addressKey("fe80::1%eth0"), "fe80:0:0:0::/64");
  assertEquals(addressKey("2001:db8::"), "2001:db8:0:0::/64");
  assertEquals(addressKey("::1"), "0:0:0:0::/64");
  assertEquals(addressKey("2001:db8:1:3::1"), "2001:db8:1:3::/64"); // the next /64 is another
  for (const bad of ["1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "::1.2.3.400", "g::1"]) {
    assertEquals(addressKey(bad), bad); // not parsed: counted under its own text
  }
});
