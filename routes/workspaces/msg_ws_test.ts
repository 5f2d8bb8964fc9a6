// Rich messages on /ws against the real server: replies, reactions, pins and mentions arrive live.
import { assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { openSocket } from "../../tests/_ws.ts";
import { api, signupUser, type TestUser, wsUrl } from "../../tests/_workspaces.ts";

type Socket = Awaited<ReturnType<typeof openSocket>>;

const connect = (server: TestServer, user: TestUser) =>
  openSocket(wsUrl(server), { origin: server.origin, cookie: user.cookie });

async function nextOf(socket: Socket, type: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) {
    const message = await socket.next();
    if (message.type === type) return message;
  }
  throw new Error(`No ${type} message`);
}

Deno.test("ws: replies, reactions, pins and mentions reach the other member live", async () => {
  const server = await startServer();
  const sockets: Socket[] = [];
  try {
    const ada = await signupUser(server, "ada");
    const bob = await signupUser(server, "bob");
    const boot = await api(server, ada, "GET", "api/bootstrap");
    const general = boot.body.activeChannelId as number;
    const serverId = boot.body.activeServerId as number;
    const other = await api(server, ada, "POST", `api/servers/${serverId}`, { name: "other" });
    const a = await connect(server, ada);
    const b = await connect(server, bob);
    sockets.push(a, b);
    for (const s of [a, b]) {
      s.send({ type: "subscribe", channelId: general });
      await nextOf(s, "subscribed");
    }
    b.send({ type: "subscribe", topic: `account:${bob.id}` });
    await nextOf(b, "subscribed");

    a.send({ type: "message", channelId: general, content: `hi <@${bob.id}>` });
    const first = (await nextOf(b, "message")).message as Record<string, unknown>;
    const mention = await nextOf(b, "mention");
    assertEquals([mention.channelId, mention.serverId, mention.mentionCount], [
      general,
      serverId,
      1,
    ]);
    assertEquals((mention.message as { id: number }).id, first.id);

    b.send({ type: "message", channelId: general, content: "hello", replyTo: first.id });
    await nextOf(a, "message"); // Ada's own first message
    const reply = (await nextOf(a, "message")).message as { replyTo: { id: number } };
    assertEquals(reply.replyTo.id, first.id);
    a.send({ type: "subscribe", channelId: other.body.id });
    await nextOf(a, "subscribed");
    a.send({ type: "message", channelId: other.body.id, content: "x", replyTo: first.id });
    assertEquals((await nextOf(a, "error")).code, "invalid");

    b.send({ type: "reaction:add", messageId: first.id, emoji: "🎉" });
    const reaction = await nextOf(a, "reaction");
    assertEquals(reaction.reactions, [{ emoji: "🎉", count: 1, userIds: [bob.id] }]);
    b.send({ type: "reaction:add", messageId: first.id, emoji: "nope" });
    assertEquals((await nextOf(b, "error")).code, "invalid");
    b.send({ type: "pin", messageId: first.id });
    assertEquals((await nextOf(a, "pin")).pinned, true);
    b.send({ type: "unpin", messageId: first.id });
    assertEquals((await nextOf(a, "pin")).pinned, false);
  } finally {
    for (const s of sockets) await s.close();
    await server.close();
  }
});
