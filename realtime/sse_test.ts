import { assert, assertEquals } from "../tests/_assert.ts";
import { createHub } from "./hub.ts";
import { createSseTransport, jsonFormat, lastEventId, sseFrame } from "./sse.ts";
import { createTopicTable } from "./topics.ts";

/** A table where `t` is open to anyone, as a feature would register it. */
function openTopics() {
  const topics = createTopicTable();
  topics.add({ prefix: "t", authorize: () => true });
  return topics;
}

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, needle: string) {
  let text = "";
  const decoder = new TextDecoder();
  while (!text.includes(needle)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  return text;
}

Deno.test("sseFrame() writes ids, event names and one data line per line", () => {
  assertEquals(sseFrame({ event: "x", data: "a\nb" }, 7), "id: 7\nevent: x\ndata: a\ndata: b\n\n");
  assertEquals(sseFrame({ data: "updated" }), "data: updated\n\n");
});

Deno.test("lastEventId() reads the header, then the query, and ignores junk", () => {
  assertEquals(lastEventId(new Request("http://x/", { headers: { "last-event-id": "12" } })), 12);
  assertEquals(lastEventId(new Request("http://x/?lastEventId=3")), 3);
  assertEquals(
    lastEventId(new Request("http://x/", { headers: { "last-event-id": "abc" } })),
    undefined,
  );
});

Deno.test("createSseTransport() sends retry, greeting, events and a heartbeat; close() ends streams", async () => {
  const hub = createHub();
  const sse = createSseTransport(hub, openTopics(), { heartbeatMs: 50 });
  const controller = new AbortController();
  const response = await sse.respond("t", new Request("http://x/", { signal: controller.signal }), {
    format: jsonFormat,
    greeting: "connected",
  });
  assertEquals(response.headers.get("x-accel-buffering"), "no");
  const reader = response.body!.getReader();
  const head = await readUntil(reader, "data: connected");
  assert(head.startsWith("retry: "));
  hub.publish("t", "snippet", { n: 1 });
  const event = await readUntil(reader, '"n":1');
  assert(event.includes("id: 1\nevent: snippet\n"));
  assert((await readUntil(reader, ": heartbeat")).includes(": heartbeat"));
  assertEquals(sse.size, 1);
  sse.close();
  assertEquals((await reader.read()).done, true);
  assertEquals(hub.subscriberCount("t"), 0);
});

Deno.test("createSseTransport() drops a client whose queue is full", async () => {
  const hub = createHub();
  const sse = createSseTransport(hub, openTopics(), { queueBytes: 1024 });
  const response = await sse.respond("t", new Request("http://x/"), { format: jsonFormat });
  for (let i = 0; i < 50; i++) hub.publish("t", "big", { pad: "x".repeat(100) });
  assertEquals(hub.subscriberCount("t"), 0, "the unread stream was dropped, not buffered");
  assertEquals(sse.size, 0);
  await response.body!.cancel();
  sse.close();
});

Deno.test("createSseTransport() answers 404 for a topic no namespace allows, and makes no topic", async () => {
  const hub = createHub();
  const topics = createTopicTable();
  topics.add({ prefix: "room:", authorize: (_client, topic) => topic === "room:real" });
  const sse = createSseTransport(hub, topics);
  for (const topic of ["room:nope", "other:x", "room:" + "x".repeat(300)]) {
    const response = await sse.respond(topic, new Request("http://x/"), {
      format: jsonFormat,
      notFound: "Room not found",
    });
    assertEquals([response.status, await response.json()], [404, { error: "Room not found" }]);
  }
  assertEquals(hub.stats().topics, 0);
  const open = await sse.respond("room:real", new Request("http://x/"), { format: jsonFormat });
  assertEquals(open.status, 200);
  assertEquals(hub.stats().topics, 1);
  await open.body!.cancel();
  sse.close();
});
