// The /ws transport's bounds, in process so the hub's stats() can be read: refused topics make no
// hub topic, a socket follows at most 100 topics, and onClose hears which topics a socket had.
import { assert, assertEquals } from "../tests/_assert.ts";
import { openSocket } from "../tests/_ws.ts";
import { waitFor } from "../tests/_wait.ts";
import { silentLogger } from "../log.ts";
import { createHub, type Hub } from "./hub.ts";
import { createTopicTable } from "./topics.ts";
import { createWsTransport, type WsFeature } from "./ws.ts";

type Socket = Awaited<ReturnType<typeof openSocket>>;

/** A real /ws on port 0 where `room:<n>` exists for n < 200. */
function serve(features: WsFeature[] = []) {
  const hub = createHub();
  const topics = createTopicTable();
  topics.add({
    prefix: "room:",
    authorize: (_client, topic) => Number(topic.slice(5)) < 200,
  });
  // Fast enough to send 150 subscribes in a test; the default is 5/s.
  const rate = { perSecond: 10_000, burst: 10_000 };
  const ws = createWsTransport({
    hub,
    topics,
    log: silentLogger,
    features,
    authenticate: () => Promise.resolve(null),
    allowedOrigins: [],
    client: { basePath: "/", trustProxy: false },
    rate,
  });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (request) => ws.upgrade(request),
  );
  return {
    hub: hub as Hub,
    url: `ws://127.0.0.1:${server.addr.port}/ws`,
    async close() {
      ws.close();
      hub.close();
      await server.shutdown();
    },
  };
}

Deno.test("/ws: refused topics (unknown, unowned, 60 KiB names) leave no topic in the hub", async () => {
  const server = serve();
  let client: Socket | undefined;
  try {
    client = await openSocket(server.url);
    const names = ["image:nowhere", "room:9999", "room:" + "9".repeat(60_000), "nope"];
    for (const topic of names) {
      client.send({ type: "subscribe", topic });
      const refused = await client.next();
      assertEquals(refused.code, "forbidden");
      assert(String(refused.topic).length <= 200, "a long name is not echoed back whole");
    }
    assertEquals(server.hub.stats().topics, 0);
  } finally {
    await client?.close();
    await server.close();
  }
});

Deno.test("/ws: a socket follows at most 100 topics; the 101st gets too_many_topics", async () => {
  const server = serve();
  let client: Socket | undefined;
  try {
    client = await openSocket(server.url);
    for (let i = 0; i < 101; i++) client.send({ type: "subscribe", topic: `room:${i}` });
    const replies = [];
    for (let i = 0; i < 101; i++) replies.push(await client.next());
    assertEquals(replies.filter((r) => r.type === "subscribed").length, 100);
    const refused = replies.find((r) => r.type === "error")!;
    assertEquals([refused.code, refused.topic], ["too_many_topics", "room:100"]);
    assertEquals(server.hub.stats().subscribers, 100);
    client.send({ type: "subscribe", topic: "room:5" });
    assertEquals((await client.next()).type, "subscribed", "one already followed is fine");
    client.send({ type: "unsubscribe", topic: "room:0" });
    client.send({ type: "subscribe", topic: "room:100" });
    assertEquals([(await client.next()).type], ["subscribed"], "room was made by leaving one");
    await client.close();
    client = undefined;
    await waitFor(() => server.hub.stats().subscribers === 0, {
      what: "the socket to leave every topic",
    });
  } finally {
    await client?.close();
    await server.close();
  }
});

Deno.test("/ws: onClose is told which topics the socket still followed", async () => {
  const closed: string[][] = [];
  const feature: WsFeature = {
    types: [],
    handle() {},
    onClose: (_client, topics) => void closed.push([...topics].sort()),
  };
  const server = serve([feature]);
  try {
    const client = await openSocket(server.url);
    for (const topic of ["room:1", "room:2", "room:3"]) {
      client.send({ type: "subscribe", topic });
      assertEquals((await client.next()).type, "subscribed");
    }
    client.send({ type: "unsubscribe", topic: "room:2" });
    await client.close();
    await waitFor(() => closed.length === 1, { what: "onClose" });
    assertEquals(closed, [["room:1", "room:3"]]);
  } finally {
    await server.close();
  }
});
