import { assert, assertEquals, assertThrows } from "../tests/_assert.ts";
import { hubContract } from "./_hub_contract.ts";
import {
  createHub,
  type HubEvent,
  type LocalHub,
  type Subscriber,
  type SubscriptionStart,
} from "./hub.ts";

function collector(limit = Infinity): Subscriber & { events: HubEvent[]; closed?: string } {
  const sub = {
    events: [] as HubEvent[],
    closed: undefined as string | undefined,
    started: undefined as SubscriptionStart | undefined,
    start(start: SubscriptionStart) {
      sub.started = start;
    },
    send(event: HubEvent) {
      if (sub.events.length >= limit) return false;
      sub.events.push(event);
      return true;
    },
    close(reason: string) {
      sub.closed = reason;
    },
  };
  return sub;
}

/** Subscribes and returns where it started: the in-process hub starts a subscription at once. */
function open(hub: LocalHub, topic: string, sub = collector(), options?: { since?: number }) {
  let started: SubscriptionStart | undefined;
  const { unsubscribe } = hub.subscribe(topic, {
    start: (start) => (started = start, sub.start(start)),
    send: (event) => sub.send(event),
    close: (reason) => sub.close(reason),
  }, options);
  return { ...started!, unsubscribe };
}

Deno.test("createHub() gives each topic its own increasing ids", async () => {
  const hub = createHub();
  assertEquals(hub.publishEvent("a", "x", 1).id, 1);
  assertEquals(hub.publishEvent("a", "x", 2).id, 2);
  assertEquals(hub.publishEvent("b", "x", 3).id, 1);
  assertEquals(await hub.lastId("a"), 2);
});

Deno.test("createHub() delivers to every subscriber of the topic only", () => {
  const hub = createHub();
  const a = collector(), b = collector(), other = collector();
  open(hub, "room", a);
  open(hub, "room", b);
  open(hub, "elsewhere", other);
  hub.publish("room", "updated", null);
  assertEquals([a.events.length, b.events.length, other.events.length], [1, 1, 0]);
});

Deno.test("createHub() replays events after since, and reports a gap past history", () => {
  const hub = createHub({ historySize: 3 });
  for (let i = 0; i < 5; i++) hub.publish("t", "e", i);
  const recent = open(hub, "t", collector(), { since: 3 });
  assertEquals(recent.replay.map((e) => e.id), [4, 5]);
  assertEquals(recent.gap, false);
  const old = open(hub, "t", collector(), { since: 1 });
  assertEquals(old.replay.map((e) => e.id), [3, 4, 5]);
  assertEquals(old.gap, true);
  const future = open(hub, "t", collector(), { since: 99 });
  assertEquals(future.gap, true);
  assertEquals(open(hub, "t", collector(), { since: 5 }).replay, []);
});

Deno.test("createHub() drops a subscriber whose queue is full instead of buffering", () => {
  const hub = createHub();
  const slow = collector(1), fast = collector();
  open(hub, "t", slow);
  open(hub, "t", fast);
  hub.publish("t", "e", 1);
  hub.publish("t", "e", 2);
  hub.publish("t", "e", 3);
  assertEquals(slow.closed, "slow");
  assertEquals(slow.events.length, 1);
  assertEquals(fast.events.length, 3);
  assertEquals(hub.subscriberCount("t"), 1);
});

Deno.test("createHub() encodes an event once per format", () => {
  const hub = createHub();
  let calls = 0;
  const event = hub.publishEvent("t", "e", { n: 1 });
  const make = () => (calls++, "x");
  const first = event.encoded("f", make);
  assert(first === event.encoded("f", make));
  assertEquals(calls, 1);
});

Deno.test("createHub().close() closes every subscriber with shutdown", () => {
  const hub = createHub();
  const a = collector();
  open(hub, "t", a).unsubscribe();
  const b = collector();
  open(hub, "t", b);
  hub.close();
  assertEquals([a.closed, b.closed], [undefined, "shutdown"]);
});

Deno.test("createHub() forgets a topic idle past idleMs, with its history; a later resume gets a gap", () => {
  let now = 0;
  const hub = createHub({ idleMs: 1000, now: () => now });
  const viewer = collector();
  const subscription = open(hub, "room", viewer);
  for (let i = 0; i < 3; i++) hub.publish("room", "updated", i);
  now = 5000;
  hub.publish("other", "x", 0);
  assertEquals(hub.stats().topics, 2, "a topic with a subscriber is never evicted");
  subscription.unsubscribe();
  now = 5500;
  const early = open(hub, "room", collector(), { since: 1 });
  assertEquals(early.replay.map((e) => e.id), [2, 3], "within the TTL, history still replays");
  early.unsubscribe();
  now = 7000;
  hub.publish("fresh", "x", 0);
  assertEquals(hub.stats(), {
    topics: 1,
    idleTopics: 1,
    subscribers: 0,
    historyEvents: 1,
    historyBytes: hub.stats().historyBytes,
    delivered: hub.stats().delivered,
    dropped: 0,
  });
  const late = open(hub, "room", collector(), { since: 3 - 1 });
  assertEquals([late.gap, late.replay.length], [true, 0], "past eviction: refetch, not replay");
  assertEquals(hub.publishEvent("room", "updated", 4).id, 4, "ids go on above the evicted ones");
});

Deno.test("createHub() keeps at most maxIdleTopics topics without subscribers, least recently used first", async () => {
  const hub = createHub({ maxIdleTopics: 10 });
  const held = collector();
  open(hub, "held", held);
  let first = 0;
  for (let i = 0; i < 1000; i++) {
    const event = hub.publishEvent(`t${i}`, "x", i);
    if (i === 995) first = event.id;
  }
  hub.publish("t995", "x", "again");
  for (let i = 0; i < 5; i++) hub.publish(`late${i}`, "x", i);
  const stats = hub.stats();
  assertEquals([stats.topics, stats.idleTopics, stats.subscribers], [11, 10, 1]);
  assertEquals(await hub.lastId("t995"), first + 1, "the one used again survived");
  assertEquals(open(hub, "t0", collector(), { since: 1 }).gap, true, "t0 was evicted");
});

Deno.test("createHub() keeps history under historyBytes across topics, dropping the oldest first", () => {
  const hub = createHub({ historyBytes: 100_000, historySize: 1000 });
  const big = "x".repeat(10_000);
  for (let i = 0; i < 30; i++) hub.publish(i % 2 ? "a" : "b", "snippet", { big, i });
  const stats = hub.stats();
  assert(stats.historyBytes <= 100_000, `kept ${stats.historyBytes} bytes`);
  assertEquals(stats.historyEvents, 9, "as many of the newest as fit");
  const a = open(hub, "a", collector(), { since: 0 });
  const b = open(hub, "b", collector(), { since: 0 });
  const kept = [...a.replay, ...b.replay].map((e) => (e.data as { i: number }).i).sort((x, y) =>
    x - y
  );
  assertEquals(kept, [21, 22, 23, 24, 25, 26, 27, 28, 29]);
  assertEquals([a.gap, b.gap], [true, true]);
  hub.dropTopic("a");
  hub.dropTopic("b");
  assertEquals([hub.stats().historyBytes, hub.stats().historyEvents], [0, 0]);
});

Deno.test("createHub() budget bookkeeping stays bounded over a million small events", async () => {
  const hub = createHub({ historySize: 4, historyBytes: 4096 });
  for (let i = 0; i < 1_000_000; i++) hub.publish(`t${i % 50}`, "x", i);
  const stats = hub.stats();
  assert(stats.historyBytes <= 4096 && stats.historyEvents > 0, JSON.stringify(stats));
  assertEquals(await hub.lastId("t0"), 20_000);
});

Deno.test("publish(..., {history: false}) reaches who follows now, is never replayed, takes no id", async () => {
  const hub = createHub();
  const now = collector();
  open(hub, "t", now);
  hub.publish("t", "message", 1);
  const typing = hub.publishEvent("t", "typing", 2, { history: false });
  assertEquals([typing.id, await hub.lastId("t")], [1, 1]);
  hub.publish("t", "message", 3);
  assertEquals(now.events.map((e) => [e.type, e.id]), [["message", 1], ["typing", 1], [
    "message",
    2,
  ]]);
  // A client resuming from the fleeting event's id misses nothing and sees no gap.
  const fromTyping = open(hub, "t", collector(), { since: typing.id });
  assertEquals([fromTyping.replay.map((e) => e.id), fromTyping.gap], [[2], false]);
  const fromStart = open(hub, "t", collector(), { since: 0 });
  assertEquals(fromStart.replay.map((e) => e.type), ["message", "message"]);
  assertEquals(hub.stats().historyEvents, 2);
});

Deno.test("publish(..., {history: false}) on a topic nobody holds makes no topic", () => {
  const hub = createHub();
  hub.publish("nobody", "typing", null, { history: false });
  assertEquals(hub.stats().topics, 0);
});

Deno.test("createHub() counts deliveries and slow-subscriber drops in stats()", () => {
  const hub = createHub();
  let room = 2;
  const slow = { start() {}, send: () => room-- > 0, close() {} };
  hub.subscribe("room", slow);
  hub.subscribe("room", { start() {}, send: () => true, close() {} });
  for (let i = 0; i < 5; i++) hub.publish("room", "updated", i);
  // The slow one took two, refused the third and was dropped; the other took all five.
  assertEquals([hub.stats().delivered, hub.stats().dropped], [7, 1]);
  hub.publish("room", "typing", 0, { history: false });
  assertEquals(hub.stats().delivered, 8, "fleeting events are deliveries too");
});

// The same contract the Redis engine is held to (redis_hub_test.ts).
hubContract("createHub()", (historySize) => Promise.resolve(createHub({ historySize })));

Deno.test("an event's text is made once per format, and a failed make is not kept", () => {
  const hub = createHub();
  const event = hub.publishEvent("t", "m", { n: 1 });
  let made = 0;
  const json = (e: HubEvent) => (made++, JSON.stringify(e.data));
  const upper = (e: HubEvent) => (made++, JSON.stringify(e.data).toUpperCase());
  assertThrows(() =>
    event.text("a", () => {
      throw new Error("cannot encode");
    })
  );
  assertEquals(event.text("a", json), '{"n":1}', "the failed make left nothing behind");
  assertEquals(event.text("b", upper), '{"N":1}');
  assertEquals([event.text("a", json), event.text("b", upper), event.text("a", json)], [
    '{"n":1}',
    '{"N":1}',
    '{"n":1}',
  ]);
  assertEquals(made, 2);
  assert(event.encoded("b", upper) === event.encoded("b", upper));
  assertEquals(new TextDecoder().decode(event.encoded("b", upper)), '{"N":1}');
  assertEquals(made, 2);
});
