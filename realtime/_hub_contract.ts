// The behaviour every Hub engine owes its transports, as one suite run against each engine.
import { assert, assertEquals } from "../tests/_assert.ts";
import { waitFor } from "../tests/_wait.ts";
import type { Hub, HubEvent, Subscriber, SubscriptionStart } from "./hub.ts";

export type Collector = Subscriber & {
  events: HubEvent[];
  closed?: string;
  started?: SubscriptionStart;
};

/** A subscriber that records what it gets; `limit` makes it report a full queue past that many. */
export function collector(limit = Infinity): Collector {
  const sub: Collector = {
    events: [],
    start(start) {
      sub.started = start;
    },
    send(event) {
      if (sub.events.length >= limit) return false;
      sub.events.push(event);
      return true;
    },
    close(reason) {
      sub.closed = reason;
    },
  };
  return sub;
}

/** Makes a fresh, empty engine keeping `historySize` events per topic. */
export type MakeHub = (historySize: number) => Promise<Hub>;

const started = (sub: Collector) =>
  waitFor(() => sub.started !== undefined, { timeoutMs: 5000, intervalMs: 2 });
const published = async (hub: Hub, topic: string, id: number) => {
  while ((await hub.lastId(topic)) < id) await new Promise((r) => setTimeout(r, 5));
};

/** Registers the contract's tests for one engine, named `<engine> ...`. */
export function hubContract(engine: string, make: MakeHub): void {
  const test = (name: string, fn: (hub: Hub) => Promise<void>, historySize = 256) =>
    Deno.test(`${engine} ${name}`, async () => {
      const hub = await make(historySize);
      try {
        await fn(hub);
      } finally {
        await hub.close();
      }
    });

  test("gives each topic its own increasing ids, delivered to that topic only", async (hub) => {
    const a = collector(), b = collector();
    hub.subscribe("a", a);
    hub.subscribe("b", b);
    await Promise.all([started(a), started(b)]);
    hub.publish("a", "x", 1);
    hub.publish("a", "x", 2);
    hub.publish("b", "x", 3);
    await waitFor(() => a.events.length === 2 && b.events.length === 1, {
      timeoutMs: 5000,
      intervalMs: 2,
    });
    assertEquals(a.events.map((e) => [e.id, e.data]), [[1, 1], [2, 2]]);
    // A topic's first id may start above 1 (the Redis engine starts new topics above every id
    // handed out before, as the in-process one does after an eviction).
    assertEquals(b.events.map((e) => [e.topic, e.type, e.data]), [["b", "x", 3]]);
    assertEquals(await hub.lastId("a"), 2);
  });

  test("replays events after since, and reports a gap past history", async (hub) => {
    for (let i = 0; i < 5; i++) hub.publish("t", "e", i);
    await published(hub, "t", 5);
    const open = async (since?: number) => {
      const sub = collector();
      hub.subscribe("t", sub, { since });
      await started(sub);
      return sub.started!;
    };
    const recent = await open(3);
    assertEquals([recent.replay.map((e) => e.id), recent.gap, recent.lastId], [[4, 5], false, 5]);
    assertEquals((await open(1)).gap, true);
    assertEquals((await open(99)).gap, true, "an id from before a restart is stale, not ahead");
    assertEquals([(await open(5)).replay, (await open()).replay], [[], []]);
  }, 3);

  test("loses and repeats nothing for subscriptions made while events are published", async (hub) => {
    const subs: { sub: Collector; since?: number }[] = [];
    for (let i = 1; i <= 60; i++) {
      hub.publish("t", "e", i);
      if (i % 10 === 0) {
        const sub = collector();
        const since = i % 20 === 0 ? i - 5 : undefined;
        hub.subscribe("t", sub, { since });
        subs.push({ sub, since });
      }
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    for (const { sub, since } of subs) {
      await started(sub);
      const from = since ?? sub.started!.lastId;
      await waitFor(() => sub.started!.replay.length + sub.events.length >= 60 - from, {
        timeoutMs: 5000,
        intervalMs: 2,
      });
      const ids = [...sub.started!.replay, ...sub.events].map((e) => e.id);
      assertEquals(ids, Array.from({ length: 60 - from }, (_, k) => from + 1 + k));
    }
  });

  test("sends a history:false event to who follows now, never replays it, gives it no id", async (hub) => {
    const now = collector();
    hub.subscribe("t", now);
    await started(now);
    hub.publish("t", "message", 1);
    hub.publish("t", "typing", 2, { history: false });
    hub.publish("t", "message", 3);
    await waitFor(() => now.events.length === 3, { timeoutMs: 5000, intervalMs: 2 });
    assertEquals(now.events.map((e) => [e.type, e.id]), [["message", 1], ["typing", 1], [
      "message",
      2,
    ]]);
    const later = collector();
    hub.subscribe("t", later, { since: 0 });
    await started(later);
    assertEquals(later.started!.replay.map((e) => e.type), ["message", "message"]);
  });

  test("drops a subscriber whose queue is full, and encodes an event once per format", async (hub) => {
    const slow = collector(1), a = collector(), b = collector();
    for (const sub of [slow, a, b]) hub.subscribe("t", sub);
    await Promise.all([slow, a, b].map(started));
    for (let i = 0; i < 3; i++) hub.publish("t", "e", { n: i });
    await waitFor(() => a.events.length === 3 && b.events.length === 3, {
      timeoutMs: 5000,
      intervalMs: 2,
    });
    assertEquals([slow.closed, slow.events.length, hub.subscriberCount("t")], ["slow", 1, 2]);
    let calls = 0;
    const make = () => (calls++, "x");
    assert(a.events[0].encoded("f", make) === b.events[0].encoded("f", make));
    assertEquals(calls, 1, "one encoding shared by every subscriber");
  });

  test("dropTopic() closes subscribers with dropped; close() with shutdown", async (hub) => {
    const dropped = collector(), kept = collector(), left = collector();
    hub.subscribe("gone", dropped);
    hub.subscribe("stays", kept);
    hub.subscribe("stays", left).unsubscribe();
    await Promise.all([started(dropped), started(kept)]);
    hub.dropTopic("gone");
    await waitFor(() => dropped.closed !== undefined, { timeoutMs: 5000, intervalMs: 2 });
    assertEquals([dropped.closed, hub.subscriberCount("gone")], ["dropped", 0]);
    hub.publish("stays", "e", 1);
    await waitFor(() => kept.events.length === 1, { timeoutMs: 5000, intervalMs: 2 });
    assertEquals(left.events, [], "unsubscribed at once: hears nothing");
    await hub.close();
    assertEquals([kept.closed, left.closed], ["shutdown", undefined]);
  });
}
