// createMemberSockets(): one entry per open socket, gone when it closes, and drops reach only
// the named user's sockets; createRemovalRelay() carries a drop to other instances.
import { assertEquals } from "../../tests/_assert.ts";
import type { WsClient } from "../../realtime/ws.ts";
import { createMemberSockets } from "./community_sockets.ts";
import { createRemovalRelay } from "./community_relay.ts";
import { createHub } from "../../realtime/hub.ts";

function fakeClient(userId: number | null) {
  const followed = new Set(["workspace:1", "channel:1", "channel:2"]);
  const sent: Record<string, unknown>[] = [];
  const client = {
    id: crypto.randomUUID(),
    user: userId === null ? null : { id: userId, email: `${userId}@x`, displayName: "x" },
    send: (m: Record<string, unknown>) => void sent.push(m),
    subscribe: () => true,
    unsubscribe: (topic: string) => void followed.delete(topic),
    follows: (topic: string) => followed.has(topic),
    error: () => {},
  } satisfies WsClient;
  return { client, followed, sent };
}

Deno.test("createMemberSockets() keeps one entry per open socket and none once they close", () => {
  const sockets = createMemberSockets();
  const clients = Array.from({ length: 1000 }, (_, i) => fakeClient(i % 10).client);
  for (const c of clients) sockets.track(c);
  for (const c of clients) sockets.track(c);
  sockets.track(fakeClient(null).client);
  assertEquals(sockets.size, 1000, "tracked once each; signed-out sockets never");
  for (const c of clients) sockets.untrack(c);
  sockets.untrack(clients[0]);
  assertEquals(sockets.size, 0);
});

Deno.test("createMemberSockets() drop() unsubscribes and tells only that user's sockets", () => {
  const sockets = createMemberSockets();
  const [a1, a2, b] = [fakeClient(1), fakeClient(1), fakeClient(2)];
  for (const c of [a1, a2, b]) sockets.track(c.client);
  const left: string[] = [];
  const reached = sockets.drop(
    1,
    ["workspace:1", "channel:1"],
    { type: "removed" },
    (c) => left.push(c.id),
  );
  assertEquals(reached, 2);
  assertEquals([...a1.followed], ["channel:2"]);
  assertEquals(a2.sent, [{ type: "removed" }]);
  assertEquals([...b.followed].length, 3, "another user keeps everything");
  assertEquals(b.sent, []);
  assertEquals(left.sort(), [a1.client.id, a2.client.id].sort());
});

Deno.test("createRemovalRelay() drops the user's sockets on every instance sharing the hub, once", async () => {
  // Two instances over one hub, as two Roomcasts over Redis: each has its own sockets.
  const hub = createHub();
  const [here, there] = [createMemberSockets(), createMemberSockets()];
  const left: string[] = [];
  const relays = [here, there].map((s) => createRemovalRelay(hub, s, (c) => left.push(c.id)));
  try {
    const [local, remote, bystander] = [fakeClient(7), fakeClient(7), fakeClient(8)];
    here.track(local.client);
    there.track(remote.client);
    there.track(bystander.client);
    relays[0].remove(7, 1, ["workspace:1", "channel:1"], "banned");
    await new Promise((resolve) => setTimeout(resolve, 10));
    for (const c of [local, remote]) {
      assertEquals([...c.followed], ["channel:2"]);
      assertEquals(c.sent, [{ type: "removed", serverId: 1, reason: "banned" }], "told once");
    }
    assertEquals(bystander.sent, []);
    assertEquals(left.length, 2, "both left the server's voice channel");
  } finally {
    for (const relay of relays) relay.close();
    await hub.close();
  }
});
