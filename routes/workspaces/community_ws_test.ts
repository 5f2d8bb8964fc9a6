// Community over the real server and /ws: a kick or ban stops that server's events on open sockets
// at once, DMs work both ways, and REST and /ws share one posting limit per account.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { openSocket } from "../../tests/_ws.ts";
import { api, signupUser, type TestUser, wsUrl } from "../../tests/_workspaces.ts";

type Socket = Awaited<ReturnType<typeof openSocket>>;
type Frame = Record<string, unknown>;

const connect = (server: TestServer, user: TestUser) =>
  openSocket(wsUrl(server), { origin: server.origin, cookie: user.cookie });

async function nextOf(socket: Socket, type: string, where: (m: Frame) => boolean = () => true) {
  for (let i = 0; i < 50; i++) {
    const message = await socket.next();
    if (message.type === type && where(message)) return message;
  }
  throw new Error(`No ${type} message`);
}

/** Every frame that arrives within `ms`. */
async function collect(socket: Socket, ms: number): Promise<Frame[]> {
  const got: Frame[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      got.push(await socket.next(Math.max(1, until - Date.now())));
    } catch {
      break;
    }
  }
  return got;
}

async function follow(socket: Socket, serverId: number, channelId: number) {
  socket.send({ type: "subscribe", topic: `workspace:${serverId}` });
  await nextOf(socket, "subscribed", (m) => m.topic === `workspace:${serverId}`);
  socket.send({ type: "subscribe", channelId });
  await nextOf(socket, "subscribed", (m) => m.channelId === channelId);
}

/** Ada owns "Club" with Bob and Cy in it. */
async function club(server: TestServer) {
  const ada = await signupUser(server, "ada");
  const bob = await signupUser(server, "bob");
  const cy = await signupUser(server, "cy");
  const created = await api(server, ada, "POST", "api/servers", { name: "Club" });
  const serverId = (created.body.server as { id: number }).id;
  const general = (created.body.channels as { id: number }[])[0].id;
  const code = (await api(server, ada, "POST", `api/servers/${serverId}/invites`, {})).body.code;
  for (const u of [bob, cy]) await api(server, u, "POST", `api/invites/${code}`);
  return { ada, bob, cy, serverId, general, code };
}

for (const action of ["kick", "ban"] as const) {
  Deno.test(`community ws: a ${action} stops the server's events on the member's open socket at once`, async () => {
    const server = await startServer();
    const sockets: Socket[] = [];
    try {
      const { ada, bob, cy, serverId, general, code } = await club(server);
      const [stays, goes] = [await connect(server, bob), await connect(server, cy)];
      sockets.push(stays, goes);
      await follow(stays, serverId, general);
      await follow(goes, serverId, general);

      const r = action === "kick"
        ? await api(server, ada, "DELETE", `api/servers/${serverId}/members/${cy.id}`)
        : await api(server, ada, "POST", `api/servers/${serverId}/bans`, { userId: cy.id });
      assertEquals(r.status, action === "kick" ? 200 : 201);
      const told = await nextOf(goes, "removed");
      assertEquals([told.serverId, told.reason], [
        serverId,
        action === "kick" ? "kicked" : "banned",
      ]);
      const removal = await nextOf(stays, "member:remove");
      assertEquals(removal.userId, cy.id);

      await api(server, ada, "POST", `api/channels/${general}/messages`, { content: "after" });
      await api(server, ada, "POST", `api/servers/${serverId}`, { name: "new-channel" });
      await nextOf(stays, "message");
      await nextOf(stays, "channel");
      const leaked = (await collect(goes, 300)).filter((m) =>
        m.type === "message" || m.type === "channel" || m.type === "activity"
      );
      assertEquals(leaked, [], "nothing of the server after the removal");
      // And it cannot follow them again.
      goes.send({ type: "subscribe", channelId: general });
      assertEquals((await nextOf(goes, "error")).code, "forbidden");
      // Nor follow the instances' own removal topic (community_relay.ts).
      goes.send({ type: "subscribe", topic: "community-removals" });
      assertEquals((await nextOf(goes, "error")).code, "forbidden");

      const rejoin = await api(server, cy, "POST", `api/invites/${code}`);
      assertEquals(
        rejoin.status,
        action === "kick" ? 200 : 403,
        "a kick lets them back, a ban not",
      );
    } finally {
      for (const s of sockets) await s.close();
      await server.close();
    }
  });
}

Deno.test("community ws: a DM works both ways, live, and only between people who share a server", async () => {
  // Without the shared Lobby, the loner shares no server with anyone.
  const server = await startServer({ env: { SHARED_LOBBY: "false" } });
  const sockets: Socket[] = [];
  try {
    const { ada, bob } = await club(server);
    const loner = await signupUser(server, "loner");
    const a = await connect(server, ada);
    const b = await connect(server, bob);
    sockets.push(a, b);
    for (const [s, u] of [[a, ada], [b, bob]] as const) {
      s.send({ type: "subscribe", topic: `account:${u.id}` });
      await nextOf(s, "subscribed");
    }
    const opened = await api(server, ada, "POST", "api/dms", { userId: bob.id });
    assertEquals(opened.status, 201);
    const dm = opened.body.dm as { serverId: number; channelId: number; peer: { id: number } };
    assertEquals(dm.peer.id, bob.id);
    const toldBob = await nextOf(b, "dm");
    assertEquals((toldBob.dm as { peer: { id: number } }).peer.id, ada.id, "each sees the other");
    assertEquals((await api(server, bob, "POST", "api/dms", { userId: ada.id })).status, 200);

    await follow(a, dm.serverId, dm.channelId);
    await follow(b, dm.serverId, dm.channelId);
    a.send({ type: "message", channelId: dm.channelId, content: "hi bob" });
    assertEquals(((await nextOf(b, "message")).message as { content: string }).content, "hi bob");
    await api(server, bob, "POST", `api/channels/${dm.channelId}/messages`, { content: "hi ada" });
    const fromBob = (m: Frame) => (m.message as { content: string }).content === "hi ada";
    await nextOf(a, "message", fromBob);
    const unread = await api(server, ada, "GET", "api/unread");
    assert(String(dm.channelId) in (unread.body.unread as Record<string, number>));

    const refused = await api(server, loner, "POST", "api/dms", { userId: ada.id });
    assertEquals([refused.status, refused.body.code], [403, "forbidden"]);
    const outsider = await api(server, loner, "GET", `api/channels/${dm.channelId}/messages`);
    assertEquals(outsider.status, 403);
    const self = await api(server, ada, "POST", "api/dms", { userId: ada.id });
    assertEquals(self.status, 400);
    const manage = await api(server, ada, "PATCH", `api/servers/${dm.serverId}`, { name: "x" });
    assertEquals([manage.status, manage.body.code], [400, "invalid"]);
    assertEquals((await api(server, bob, "GET", "api/dms")).body.dms, [
      { ...dm, peer: { id: ada.id, displayName: "ada", avatarUrl: null } },
    ]);
  } finally {
    for (const s of sockets) await s.close();
    await server.close();
  }
});

Deno.test("community ws: REST and /ws share one posting limit: 429 with Retry-After, an error frame", async () => {
  const server = await startServer({
    env: { WORKSPACE_POST_BURST: "3", WORKSPACE_POSTS_PER_MINUTE: "6" },
  });
  const sockets: Socket[] = [];
  try {
    const { ada, bob, general } = await club(server);
    const a = await connect(server, ada);
    sockets.push(a);
    a.send({ type: "subscribe", channelId: general });
    await nextOf(a, "subscribed", (m) => m.channelId === general);
    for (let i = 0; i < 2; i++) {
      const r = await api(server, ada, "POST", `api/channels/${general}/messages`, {
        content: `${i}`,
      });
      assertEquals(r.status, 201);
    }
    a.send({ type: "message", channelId: general, content: "third, over /ws" });
    await nextOf(
      a,
      "message",
      (m) => (m.message as { content: string }).content.startsWith("third"),
    );
    const limited = await api(server, ada, "POST", `api/channels/${general}/messages`, {
      content: "fourth",
    });
    assertEquals([limited.status, limited.body.code], [429, "rate_limited"]);
    assert(Number(limited.headers.get("retry-after")) >= 1);
    a.send({ type: "message", channelId: general, content: "fifth" });
    const frame = await nextOf(a, "error");
    assertEquals([frame.code, frame.channelId], ["rate_limited", general]);
    assert(Number(frame.retryAfter) >= 1);
    const other = await api(server, bob, "POST", `api/channels/${general}/messages`, {
      content: "b",
    });
    assertEquals(other.status, 201, "the limit is per account");
    const stored = await api(server, bob, "GET", `api/channels/${general}/messages`);
    const contents = (stored.body.messages as { content: string }[]).map((m) => m.content);
    assertEquals(contents, ["0", "1", "third, over /ws", "b"], "nothing over the limit is stored");
  } finally {
    for (const s of sockets) await s.close();
    await server.close();
  }
});
