// The /ws transport against the real server: topics, resume with since, Origin, limits.
import { assert, assertEquals } from "../tests/_assert.ts";
import { startServer, type TestServer } from "../tests/_server.ts";
import { uploadTinyPng as upload } from "../tests/_images.ts";
import { openSocket } from "../tests/_ws.ts";

const wsUrl = (server: TestServer) => server.url.replace(/^http/, "ws") + "ws";

Deno.test("/ws: a topic subscriber is acknowledged, gets events with topic and eventId, and resumes with since", async () => {
  const server = await startServer();
  try {
    await upload(server, "wall", 1);
    const client = await openSocket(wsUrl(server));
    client.send({ type: "subscribe", topic: "image:wall" });
    const ack = await client.next();
    assertEquals([ack.type, ack.topic, ack.eventId], ["subscribed", "image:wall", 1]);
    await upload(server, "wall", 2);
    const first = await client.next();
    assertEquals([first.type, first.topic, first.eventId, first.uploadedBy], [
      "updated",
      "image:wall",
      2,
      "admin",
    ]);
    await client.close();

    await upload(server, "wall", 3);
    await upload(server, "wall", 4);
    const again = await openSocket(wsUrl(server));
    again.send({ type: "subscribe", topic: "image:wall", since: 2 });
    assertEquals([(await again.next()).eventId, (await again.next()).eventId], [3, 4]);
    assertEquals((await again.next()).type, "subscribed");
    again.send({ type: "subscribe", topic: "image:wall", since: 999 });
    assertEquals((await again.next()).type, "reset");
    assertEquals([(await again.next()).type, await again.next(300).catch(() => null)], [
      "subscribed",
      null,
    ]);
    await again.close();
  } finally {
    await server.close();
  }
});

Deno.test("/ws: a foreign Origin is refused before the upgrade; the server's own is accepted", async () => {
  const server = await startServer({ env: { ALLOWED_ORIGINS: "https://friends.example" } });
  try {
    const foreign = await fetch(`${server.url}ws`, {
      headers: {
        origin: "https://evil.example",
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
      },
    });
    assertEquals(foreign.status, 403);
    assertEquals((await foreign.json()).code, "forbidden_origin");
    const own = await openSocket(wsUrl(server), { origin: server.origin });
    await own.close();
    const listed = await openSocket(wsUrl(server), { origin: "https://friends.example" });
    await listed.close();
  } finally {
    await server.close();
  }
});

Deno.test("/ws: bad messages, unknown types, forbidden topics and floods get error events", async () => {
  const server = await startServer();
  try {
    const client = await openSocket(wsUrl(server));
    client.socket.send("not json");
    assertEquals((await client.next()).code, "bad_request");
    client.send({ type: "nope" });
    assertEquals((await client.next()).code, "unsupported_event");
    client.send({ type: "subscribe", topic: "secret:thing" });
    assertEquals((await client.next()).code, "forbidden");
    await client.close();
    // A fresh socket has its whole burst (the rate limit is per connection): no wait for a refill.
    const flooder = await openSocket(wsUrl(server));
    for (let i = 0; i < 30; i++) flooder.send({ type: "nope" });
    const codes: unknown[] = [];
    for (let i = 0; i < 30; i++) codes.push((await flooder.next()).code);
    assert(codes.includes("rate_limited"), "a flood is rate limited");
    assert(
      codes.filter((c) => c === "unsupported_event").length <= 12,
      "only the burst got through",
    );
    assertEquals(flooder.socket.readyState, WebSocket.OPEN, "rate limiting does not disconnect");
    flooder.socket.send(JSON.stringify({ type: "x", pad: "a".repeat(70_000) }));
    const closed = await flooder.closed;
    assertEquals(closed.code, 1009);
  } finally {
    await server.close();
  }
});

Deno.test("/ws: WS_MESSAGE_BURST and WS_MESSAGES_PER_SECOND set the per-socket limit", async () => {
  const server = await startServer({ env: { WS_MESSAGE_BURST: "3", WS_MESSAGES_PER_SECOND: "1" } });
  const roomy = await startServer({
    env: { WS_MESSAGE_BURST: "100", WS_MESSAGES_PER_SECOND: "100" },
  });
  try {
    const codes = async (url: string) => {
      const client = await openSocket(url);
      for (let i = 0; i < 20; i++) client.send({ type: "nope" });
      const seen: unknown[] = [];
      for (let i = 0; i < 20; i++) seen.push((await client.next()).code);
      await client.close();
      return seen.filter((c) => c === "unsupported_event").length;
    };
    // A burst of 3 (and at most one refill while the 20 arrive); with 100, all 20 are read.
    assert(await codes(wsUrl(server)) <= 4, "the burst of 3 holds");
    assertEquals(await codes(wsUrl(roomy)), 20);
  } finally {
    await server.close();
    await roomy.close();
  }
});

Deno.test("/ws: binary frames are read as JSON under the same limit; an oversize one closes with 1009", async () => {
  const server = await startServer();
  try {
    const client = await openSocket(wsUrl(server));
    // EchoSphere's ReadJSON takes binary frames too: a small one is handled like text.
    client.socket.send(new TextEncoder().encode(JSON.stringify({ type: "nope" })));
    assertEquals((await client.next()).code, "unsupported_event");
    client.socket.send(Uint8Array.of(0xff, 0xfe));
    assertEquals((await client.next()).code, "bad_request");
    // Past 64 KiB the socket is closed, as for text, instead of answering and staying open.
    client.socket.send(new Uint8Array(70_000).fill(0x20));
    const closed = await client.closed;
    assertEquals(closed.code, 1009);
  } finally {
    await server.close();
  }
});
