import { assert, assertEquals } from "../tests/_assert.ts";
import { createHub, type HubEvent, type Subscriber } from "./hub.ts";

function collector(limit = Infinity): Subscriber & { events: HubEvent[]; closed?: string } {
  const sub = {
    events: [] as HubEvent[],
    closed: undefined as string | undefined,
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

Deno.test("createHub() gives each topic its own increasing ids", () => {
  const hub = createHub();
  assertEquals(hub.publish("a", "x", 1).id, 1);
  assertEquals(hub.publish("a", "x", 2).id, 2);
  assertEquals(hub.publish("b", "x", 3).id, 1);
  assertEquals(hub.lastId("a"), 2);
});

Deno.test("createHub() delivers to every subscriber of the topic only", () => {
  const hub = createHub();
  const a = collector(), b = collector(), other = collector();
  hub.subscribe("room", a);
  hub.subscribe("room", b);
  hub.subscribe("elsewhere", other);
  hub.publish("room", "updated", null);
  assertEquals([a.events.length, b.events.length, other.events.length], [1, 1, 0]);
});

Deno.test("createHub() replays events after since, and reports a gap past history", () => {
  const hub = createHub({ historySize: 3 });
  for (let i = 0; i < 5; i++) hub.publish("t", "e", i);
  const recent = hub.subscribe("t", collector(), { since: 3 });
  assertEquals(recent.replay.map((e) => e.id), [4, 5]);
  assertEquals(recent.gap, false);
  const old = hub.subscribe("t", collector(), { since: 1 });
  assertEquals(old.replay.map((e) => e.id), [3, 4, 5]);
  assertEquals(old.gap, true);
  const future = hub.subscribe("t", collector(), { since: 99 });
  assertEquals(future.gap, true);
  assertEquals(hub.subscribe("t", collector(), { since: 5 }).replay, []);
});

Deno.test("createHub() drops a subscriber whose queue is full instead of buffering", () => {
  const hub = createHub();
  const slow = collector(1), fast = collector();
  hub.subscribe("t", slow);
  hub.subscribe("t", fast);
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
  const event = hub.publish("t", "e", { n: 1 });
  const make = () => (calls++, "x");
  const first = event.encoded("f", make);
  assert(first === event.encoded("f", make));
  assertEquals(calls, 1);
});

Deno.test("createHub().close() closes every subscriber with shutdown", () => {
  const hub = createHub();
  const a = collector();
  hub.subscribe("t", a).unsubscribe();
  const b = collector();
  hub.subscribe("t", b);
  hub.close();
  assertEquals([a.closed, b.closed], [undefined, "shutdown"]);
});
