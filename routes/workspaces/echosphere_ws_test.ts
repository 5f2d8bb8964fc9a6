// /ws as an EchoSphere client speaks it (only its events and fields), against the real server:
// subscribe, message, unsubscribe, voice join/signal/leave, every error code, and hostile input.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { openSocket } from "../../tests/_ws.ts";
import {
  api,
  ECHOSPHERE_MESSAGE_KEYS,
  signupUser,
  type TestUser,
  wsUrl,
} from "../../tests/_workspaces.ts";

type Socket = Awaited<ReturnType<typeof openSocket>>;
type Msg = Record<string, unknown>;

/** A socket whose sends stay under Roomcast's per-connection rate limit (5/s, burst 10). */
async function connect(server: TestServer, user: TestUser) {
  const socket = await openSocket(wsUrl(server), { origin: server.origin, cookie: user.cookie });
  let tokens = 8;
  let refilled = Date.now();
  const send = socket.send;
  let queue = Promise.resolve();
  socket.send = (message: unknown) => {
    queue = queue.then(async () => {
      tokens = Math.min(8, tokens + (Date.now() - refilled) / 250);
      refilled = Date.now();
      if (tokens < 1) await new Promise((r) => setTimeout(r, (1 - tokens) * 250));
      tokens -= 1;
      send(message);
    });
  };
  return socket;
}

/** The next message that is not one of Roomcast's additions an EchoSphere client ignores. */
async function next(socket: Socket): Promise<Msg> {
  for (;;) {
    const m = await socket.next();
    if (!["subscribed", "presence"].includes(String(m.type))) return m;
  }
}

/** Sends `marker` (an unknown event) and expects its error next: nothing else arrived before. */
async function nothingRelayed(socket: Socket, what: string) {
  socket.send({ type: "marker" });
  const m = await next(socket);
  assertEquals([m.type, m.code], ["error", "unsupported_event"], `${what}: ${JSON.stringify(m)}`);
}

const errorOf = async (socket: Socket) => {
  const m = await next(socket);
  assertEquals(m.type, "error", JSON.stringify(m));
  assert(typeof m.error === "string" && m.error.length > 0, "a message for people");
  return m.code;
};

async function setup(server: TestServer) {
  const ada = await signupUser(server, "ada");
  const bob = await signupUser(server, "bob");
  const boot = await api(server, ada, "GET", "api/bootstrap");
  const serverId = boot.body.activeServerId as number;
  const newChannel = async (name: string, kind: string) =>
    (await api(server, ada, "POST", `api/servers/${serverId}`, { name, kind })).body.id as number;
  return {
    ada,
    bob,
    serverId,
    general: boot.body.activeChannelId as number,
    voice: await newChannel("Voice", "voice"),
    voice2: await newChannel("Voice 2", "voice"),
  };
}

Deno.test("EchoSphere /ws: subscribe, nested message, unsubscribe and each text error code", async () => {
  const server = await startServer();
  const sockets: Socket[] = [];
  try {
    const { ada, bob, general } = await setup(server);
    const a = await connect(server, ada);
    const b = await connect(server, bob);
    sockets.push(a, b);
    for (const bad of [undefined, 0, -1]) {
      a.send({ type: "subscribe", channelId: bad });
      assertEquals(await errorOf(a), "invalid_channel");
    }
    a.send({ type: "subscribe", channelId: 424242 });
    assertEquals(await errorOf(a), "not_found");
    const other = await api(server, bob, "POST", "api/servers", { name: "Bob's" });
    const bobsChannel = (other.body.channels as { id: number }[])[0].id;
    a.send({ type: "subscribe", channelId: bobsChannel });
    assertEquals(await errorOf(a), "forbidden");

    a.send({ type: "message", channelId: general, content: "before subscribing" });
    assertEquals(await errorOf(a), "not_subscribed");
    a.send({ type: "subscribe", channelId: general });
    b.send({ type: "subscribe", channelId: general });
    a.send({ type: "message", channelId: general, content: "   " });
    assertEquals(await errorOf(a), "invalid_message");
    a.send({ type: "message", content: "no channel" });
    assertEquals(await errorOf(a), "invalid_message");
    a.send({ type: "message", channelId: general, content: "é".repeat(2001) });
    assertEquals(await errorOf(a), "too_long");
    a.send({ type: "message", channelId: general, content: ` ${"é".repeat(2000)} ` });
    const long = await next(a);
    assertEquals((long.message as Msg).content, "é".repeat(2000), "trimmed, 2000 is fine");
    await next(b);

    a.send({ type: "message", channelId: general, content: "  hello  " });
    for (const s of [a, b]) {
      const m = await next(s);
      const inner = m.message as Msg;
      assertEquals([m.type, m.channelId], ["message", general]);
      assertEquals(Object.keys(inner).sort(), ECHOSPHERE_MESSAGE_KEYS);
      assertEquals([inner.channelId, inner.content, inner.authorEmail], [
        general,
        "hello",
        "ada@example.test",
      ]);
      assertEquals(inner.authorDisplayName, "ada");
      assert(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(String(inner.createdAt)), "RFC 3339 UTC");
    }

    b.send({ type: "unsubscribe", channelId: general });
    b.send({ type: "unsubscribe", channelId: 0 });
    b.send({ type: "unsubscribe", channelId: 999 });
    await nothingRelayed(b, "unsubscribe is never answered");
    a.send({ type: "message", channelId: general, content: "after bob left" });
    assertEquals(((await next(a)).message as Msg).content, "after bob left");
    await nothingRelayed(b, "an unsubscribed socket gets no messages");
    b.send({ type: "message", channelId: general, content: "from outside" });
    assertEquals(await errorOf(b), "not_subscribed");
    b.send({ type: "gossip" });
    assertEquals(await errorOf(b), "unsupported_event");
  } finally {
    for (const s of sockets) await s.close();
    await server.close();
  }
});

Deno.test("EchoSphere /ws: voice join, signal and leave with its shapes and error codes", async () => {
  const server = await startServer();
  const sockets: Socket[] = [];
  try {
    const { ada, bob, general, voice } = await setup(server);
    const [a, b] = [await connect(server, ada), await connect(server, bob)];
    sockets.push(a, b);
    for (const bad of [{}, { channelId: 0 }, { channelId: general }, { channelId: 424242 }]) {
      a.send({ type: "voice:join", ...bad });
      assertEquals(await errorOf(a), "voice_invalid", JSON.stringify(bad));
    }
    a.send({ type: "voice:signal", channelId: voice, target: "x", payload: {} });
    assertEquals(await errorOf(a), "voice_not_joined");

    a.send({ type: "voice:join", channelId: voice });
    const joined = await next(a);
    assertEquals(joined.type, "voice:participants");
    assertEquals([joined.channelId, joined.participants], [voice, []]);
    const aSelf = joined.self as Msg;
    assertEquals(Object.keys(aSelf).sort(), ["displayName", "email", "id"]);
    b.send({ type: "voice:join", channelId: voice });
    const bJoined = await next(b);
    assertEquals(bJoined.participants, [aSelf]);
    const bSelf = bJoined.self as Msg;
    assertEquals(await next(a), { type: "voice:peer-joined", channelId: voice, peer: bSelf });

    const offer = { kind: "sdp", description: { type: "offer", sdp: "v=0\r\n" } };
    b.send({ type: "voice:signal", channelId: voice, target: aSelf.id, payload: offer });
    assertEquals(await next(a), {
      type: "voice:signal",
      channelId: voice,
      signal: { from: bSelf.id, email: "bob@example.test", displayName: "bob", payload: offer },
    });
    // channelId 0 means the channel this socket is in.
    const answer = { kind: "candidate", candidate: { candidate: "candidate:1", sdpMid: "0" } };
    a.send({ type: "voice:signal", channelId: 0, target: bSelf.id, payload: answer });
    assertEquals(((await next(b)).signal as Msg).payload, answer);
    a.send({ type: "voice:signal", channelId: voice, payload: answer });
    assertEquals(await errorOf(a), "voice_invalid", "no target");
    a.send({ type: "voice:signal", channelId: voice, target: bSelf.id });
    assertEquals(await errorOf(a), "voice_invalid", "no payload");
    a.send({ type: "voice:signal", channelId: voice, target: "nobody", payload: answer });
    assertEquals(await errorOf(a), "voice_target_missing");
    await nothingRelayed(b, "refused signals reach nobody");

    b.send({ type: "voice:leave" });
    assertEquals(await next(a), { type: "voice:peer-left", channelId: voice, peer: bSelf });
    b.send({ type: "voice:leave", channelId: voice });
    await nothingRelayed(b, "leaving twice is answered by nothing");
    a.send({ type: "voice:signal", channelId: voice, target: bSelf.id, payload: answer });
    assertEquals(await errorOf(a), "voice_target_missing", "a left peer is gone");
  } finally {
    for (const s of sockets) await s.close();
    await server.close();
  }
});

Deno.test("EchoSphere /ws: signals across channels and oversize frames are refused, nothing relayed", async () => {
  const server = await startServer();
  const sockets: Socket[] = [];
  try {
    const { ada, bob, general, voice, voice2 } = await setup(server);
    const [a, b] = [await connect(server, ada), await connect(server, bob)];
    sockets.push(a, b);
    a.send({ type: "voice:join", channelId: voice });
    const aId = ((await next(a)).self as Msg).id;
    b.send({ type: "voice:join", channelId: voice2 });
    const bId = ((await next(b)).self as Msg).id;

    const payload = { kind: "sdp", description: { type: "offer", sdp: "v=0\r\n" } };
    a.send({ type: "voice:signal", channelId: voice, target: bId, payload });
    assertEquals(await errorOf(a), "voice_target_missing", "b is in another channel");
    a.send({ type: "voice:signal", channelId: voice2, target: bId, payload });
    assertEquals(await errorOf(a), "voice_not_joined", "a is not in b's channel");
    a.send({ type: "voice:signal", channelId: general, target: bId, payload });
    assertEquals(await errorOf(a), "voice_not_joined", "a text channel has no voice");
    await nothingRelayed(b, "cross-channel signals");

    // Into the same channel, then a 64 KiB + 1 byte frame: refused and the socket closed.
    b.send({ type: "voice:join", channelId: voice });
    await next(b);
    await next(a);
    const big = "x".repeat(64 * 1024);
    a.send({ type: "voice:signal", channelId: voice, target: bId, payload: { sdp: big } });
    assertEquals(await errorOf(a), "too_large");
    assertEquals((await a.closed).code, 1009);
    assertEquals((await next(b)).type, "voice:peer-left", "the closed socket left voice");
    // 22 000 three-byte characters: 66 000 bytes although the string is only 22 000 long.
    const c = await connect(server, ada);
    sockets.push(c);
    c.send({ type: "voice:join", channelId: voice });
    await next(c);
    assertEquals((await next(b)).type, "voice:peer-joined");
    c.send({ type: "voice:signal", channelId: voice, target: bId, payload: "€".repeat(22_000) });
    assertEquals(await errorOf(c), "too_large");
    assertEquals((await c.closed).code, 1009);
    assertEquals((await next(b)).type, "voice:peer-left");
    await nothingRelayed(b, "oversize signals");
    assert(aId !== bId);
  } finally {
    for (const s of sockets) await s.close().catch(() => {});
    await server.close();
  }
});
