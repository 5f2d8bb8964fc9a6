// Workspaces over /ws against the real server: EchoSphere's envelopes, resume, guards and voice.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { openSocket } from "../../tests/_ws.ts";
import { api, signupUser, type TestUser, wsUrl } from "../../tests/_workspaces.ts";

type Socket = Awaited<ReturnType<typeof openSocket>>;

const connect = (server: TestServer, user: TestUser | null) =>
  openSocket(wsUrl(server), {
    origin: server.origin,
    ...(user ? { cookie: user.cookie } : {}),
  });

/** The next message of `type`, skipping others (e.g. presence). */
async function nextOf(socket: Socket, type: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) {
    const message = await socket.next();
    if (message.type === type) return message;
  }
  throw new Error(`No ${type} message`);
}

async function subscribe(socket: Socket, channelId: number, since?: number) {
  socket.send({ type: "subscribe", channelId, ...(since === undefined ? {} : { since }) });
  return await nextOf(socket, "subscribed");
}

async function setup(server: TestServer) {
  const ada = await signupUser(server, "ada");
  const bob = await signupUser(server, "bob");
  const boot = await api(server, ada, "GET", "api/bootstrap");
  return {
    ada,
    bob,
    serverId: boot.body.activeServerId as number,
    general: boot.body.activeChannelId as number,
  };
}

Deno.test("ws: two clients in a channel both get each message, in order, in the seed's shape", async () => {
  const server = await startServer();
  const sockets: Socket[] = [];
  try {
    const { ada, bob, general } = await setup(server);
    const a = await connect(server, ada);
    const b = await connect(server, bob);
    sockets.push(a, b);
    await subscribe(a, general);
    await subscribe(b, general);
    for (let i = 1; i <= 5; i++) {
      a.send({ type: "message", channelId: general, content: `hi ${i}` });
    }
    const received = new Map<Socket, Record<string, unknown>[]>([[a, []], [b, []]]);
    for (const [socket, got] of received) {
      for (let i = 0; i < 5; i++) got.push(await nextOf(socket, "message"));
    }
    const posted = await api(server, bob, "POST", `api/channels/${general}/messages`, {
      content: "via REST",
    });
    for (const [socket, got] of received) {
      got.push(await nextOf(socket, "message"));
      const inner = got.map((m) => m.message as Record<string, unknown>);
      assertEquals(inner.map((m) => m.content), [
        "hi 1",
        "hi 2",
        "hi 3",
        "hi 4",
        "hi 5",
        "via REST",
      ]);
      // Ids rise by one per event of a topic; where they start is the hub's (Redis: above a floor).
      assertEquals(got[5], {
        type: "message",
        channelId: general,
        message: posted.body,
        topic: `channel:${general}`,
        eventId: (got[0].eventId as number) + 5,
      });
      assertEquals(inner[0].authorEmail, "ada@example.test");
    }
  } finally {
    for (const s of sockets) await s.close();
    await server.close();
  }
});

Deno.test("ws: a client that reconnects with since gets exactly what it missed", async () => {
  const server = await startServer();
  try {
    const { ada, bob, general } = await setup(server);
    const a = await connect(server, ada);
    await subscribe(a, general);
    await api(server, bob, "POST", `api/channels/${general}/messages`, { content: "one" });
    const seen = await nextOf(a, "message");
    await a.close();

    await api(server, bob, "POST", `api/channels/${general}/messages`, { content: "two" });
    await api(server, bob, "POST", `api/channels/${general}/messages`, { content: "three" });
    const again = await connect(server, ada);
    again.send({ type: "subscribe", channelId: general, since: seen.eventId });
    const missed: unknown[] = [];
    for (;;) {
      const message = await again.next();
      if (message.type === "subscribed") {
        assertEquals(
          message.eventId,
          (seen.eventId as number) + 2,
          "the newest: two after `since`",
        );
        break;
      }
      if (message.type === "message") {
        missed.push((message.message as { content: string }).content);
      }
    }
    assertEquals(missed, ["two", "three"]);
    await api(server, bob, "POST", `api/channels/${general}/messages`, { content: "four" });
    const live = (await nextOf(again, "message")).message as { content: string };
    assertEquals(live.content, "four", "then it is live");
    await again.close();
  } finally {
    await server.close();
  }
});

Deno.test("ws: Origin, login and membership are enforced", async () => {
  const server = await startServer();
  const sockets: Socket[] = [];
  try {
    const { ada, general } = await setup(server);
    const foreign = await fetch(wsUrl(server).replace(/^ws/, "http"), {
      headers: {
        cookie: ada.cookie,
        origin: "https://evil.example",
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
      },
    });
    assertEquals(foreign.status, 403, "refused before the upgrade");
    await foreign.body?.cancel();

    const anonymous = await connect(server, null);
    sockets.push(anonymous);
    anonymous.send({ type: "subscribe", channelId: general });
    assertEquals(await anonymous.next(), {
      type: "error",
      code: "unauthorized",
      error: "Log in to use workspaces",
      channelId: general,
    });

    const outsider = await signupUser(server, "outsider");
    const made = await api(server, ada, "POST", "api/servers", { name: "Private" });
    const secret = (made.body.channels as { id: number }[])[0].id;
    const o = await connect(server, outsider);
    sockets.push(o);
    o.send({ type: "subscribe", channelId: secret });
    const refused = await nextOf(o, "error");
    assertEquals([refused.code, refused.channelId], ["forbidden", secret]);
    o.send({ type: "subscribe", topic: `channel:${secret}` });
    assertEquals((await nextOf(o, "error")).code, "forbidden");
    o.send({
      type: "subscribe",
      topic: `workspace:${made.body.server && (made.body.server as { id: number }).id}`,
    });
    assertEquals((await nextOf(o, "error")).code, "forbidden");
    o.send({ type: "subscribe", topic: `account:${ada.id}` });
    assertEquals((await nextOf(o, "error")).code, "forbidden");
    o.send({ type: "message", channelId: secret, content: "let me in" });
    assertEquals((await nextOf(o, "error")).code, "not_subscribed", "refused subscriptions count");
    o.send({ type: "subscribe", channelId: 999 });
    assertEquals((await nextOf(o, "error")).code, "not_found");
    o.send({ type: "subscribe", channelId: "abc" });
    assertEquals((await nextOf(o, "error")).code, "invalid_channel");
    const history = await api(server, outsider, "GET", `api/channels/${secret}/messages`);
    assertEquals(history.status, 403);

    // Nothing from the private channel leaks to the refused socket.
    await api(server, ada, "POST", `api/channels/${secret}/messages`, { content: "secret" });
    o.send({ type: "presence", serverId: 999 });
    const next = await o.next();
    assertEquals([next.type, next.code], ["error", "not_found"]);
  } finally {
    for (const s of sockets) await s.close();
    await server.close();
  }
});

Deno.test("ws: typing, edits, deletes, reads and presence are live", async () => {
  const server = await startServer();
  const sockets: Socket[] = [];
  try {
    const { ada, bob, serverId, general } = await setup(server);
    const a = await connect(server, ada);
    sockets.push(a);
    a.send({ type: "subscribe", topic: `workspace:${serverId}` });
    a.send({ type: "subscribe", topic: `account:${ada.id}` });
    await subscribe(a, general);
    const b = await connect(server, bob);
    sockets.push(b);
    await subscribe(b, general);
    const { eventId: _, ...online } = await nextOf(a, "presence");
    assertEquals(
      online,
      {
        serverId,
        userId: bob.id,
        online: true,
        type: "presence",
        topic: `workspace:${serverId}`,
      },
    );
    a.send({ type: "presence", serverId });
    assertEquals((await nextOf(a, "presence")).online, [ada.id, bob.id]);
    const members = await api(server, ada, "GET", `api/servers/${serverId}/members`);
    assert((members.body.members as { online: boolean }[]).every((m) => m.online));

    b.send({ type: "typing", channelId: general });
    const typing = await nextOf(a, "typing");
    assertEquals([typing.channelId, typing.displayName], [general, "bob"]);
    // Through the hub on the channel's topic, never kept: a resume from 0 replays no typing.
    assertEquals(typing.topic, `channel:${general}`);
    const late = await connect(server, ada);
    sockets.push(late);
    late.send({ type: "subscribe", channelId: general, since: 0 });
    const replayed: unknown[] = [];
    for (let m = await late.next(); m.type !== "subscribed"; m = await late.next()) {
      replayed.push(m.type);
    }
    assert(!replayed.includes("typing"), `replayed ${replayed}`);
    await late.close();
    sockets.pop();

    b.send({ type: "message", channelId: general, content: "draft" });
    const message = (await nextOf(a, "message")).message as { id: number };
    const activity = await nextOf(a, "activity");
    assertEquals([activity.channelId, activity.messageId], [general, message.id]);
    await api(server, bob, "PATCH", `api/messages/${message.id}`, { content: "final" });
    const edit = (await nextOf(a, "message:edit")).message as { id: number; content: string };
    assertEquals([edit.id, edit.content], [message.id, "final"]);
    await api(server, bob, "DELETE", `api/messages/${message.id}`);
    assertEquals((await nextOf(a, "message:delete")).id, message.id);

    a.send({ type: "read", channelId: general });
    const read = await nextOf(a, "read");
    assertEquals([read.channelId, read.unread], [general, 0]);

    await b.close();
    sockets.pop();
    const offline = await nextOf(a, "presence");
    assertEquals([offline.userId, offline.online], [bob.id, false]);
  } finally {
    for (const s of sockets) await s.close();
    await server.close();
  }
});

Deno.test("ws: voice join, signal and leave between sockets; a closed socket's peer-left reaches the rest", async () => {
  const server = await startServer();
  const sockets: Socket[] = [];
  try {
    const { ada, bob, serverId, general } = await setup(server);
    const carol = await signupUser(server, "carol");
    const voice = (await api(server, ada, "POST", `api/servers/${serverId}`, {
      name: "Voice",
      kind: "voice",
    })).body.id as number;
    const [a, b, c] = [
      await connect(server, ada),
      await connect(server, bob),
      await connect(server, carol),
    ];
    sockets.push(a, b, c);

    a.send({ type: "voice:join", channelId: general });
    assertEquals((await nextOf(a, "error")).code, "voice_invalid", "voice only in voice channels");

    a.send({ type: "voice:join", channelId: voice });
    const first = await nextOf(a, "voice:participants");
    assertEquals(first.participants, []);
    const aSelf = first.self as { id: string; email: string; displayName: string };
    assertEquals([aSelf.email, aSelf.displayName], ["ada@example.test", "ada"]);

    b.send({ type: "voice:join", channelId: voice });
    const second = await nextOf(b, "voice:participants");
    assertEquals(second.participants, [aSelf]);
    const bSelf = second.self as { id: string };
    assertEquals(await nextOf(a, "voice:peer-joined"), {
      type: "voice:peer-joined",
      channelId: voice,
      peer: bSelf,
    });

    const offer = { kind: "sdp", description: { type: "offer", sdp: "v=0..." } };
    b.send({ type: "voice:signal", channelId: voice, target: aSelf.id, payload: offer });
    assertEquals(await nextOf(a, "voice:signal"), {
      type: "voice:signal",
      channelId: voice,
      signal: { from: bSelf.id, email: "bob@example.test", displayName: "bob", payload: offer },
    });
    c.send({ type: "voice:signal", channelId: voice, target: aSelf.id, payload: offer });
    assertEquals((await nextOf(c, "error")).code, "voice_not_joined", "outsiders cannot signal");
    b.send({ type: "voice:signal", channelId: voice, target: "nobody", payload: offer });
    assertEquals((await nextOf(b, "error")).code, "voice_target_missing");

    c.send({ type: "voice:join", channelId: voice });
    const third = await nextOf(c, "voice:participants");
    assertEquals((third.participants as { id: string }[]).map((p) => p.id), [aSelf.id, bSelf.id]);
    const cSelf = third.self as { id: string };
    await nextOf(a, "voice:peer-joined");
    await nextOf(b, "voice:peer-joined");

    c.send({ type: "voice:leave", channelId: voice });
    for (const s of [a, b]) assertEquals((await nextOf(s, "voice:peer-left")).peer, cSelf);
    c.send({ type: "voice:leave", channelId: voice });
    c.send({ type: "voice:signal", channelId: voice, target: aSelf.id, payload: offer });
    assertEquals(
      (await c.next()).code,
      "voice_not_joined",
      "a second leave is answered by nothing",
    );

    await b.close();
    sockets.splice(1, 1);
    assertEquals(await nextOf(a, "voice:peer-left"), {
      type: "voice:peer-left",
      channelId: voice,
      peer: bSelf,
    });
    a.send({ type: "voice:signal", channelId: voice, target: bSelf.id, payload: offer });
    assertEquals(
      (await nextOf(a, "error")).code,
      "voice_target_missing",
      "no stale participant lingers",
    );
  } finally {
    for (const s of sockets) await s.close();
    await server.close();
  }
});
