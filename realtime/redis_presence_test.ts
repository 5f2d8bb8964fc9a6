// Shared presence on a real redis-server: two instances in one process, then one that dies.
import { assertEquals } from "../tests/_assert.ts";
import { startRedis } from "../tests/_redis.ts";
import { waitFor } from "../tests/_wait.ts";
import { silentLogger } from "../log.ts";
import {
  createLocalPresence,
  createLocalPresenceMaps,
  othersTotal,
  type PresenceChange,
} from "./presence.ts";
import { Redis } from "ioredis";
import { createRedisPresence } from "./redis_presence.ts";

Deno.test("createLocalPresence() counts per member: online at the first, offline at the last", () => {
  const set = createLocalPresence()("s");
  assertEquals([set.add("1"), set.add("1"), set.remove("1"), set.has("1")], [
    true,
    false,
    false,
    true,
  ]);
  assertEquals([set.remove("1"), set.has("1"), set.remove("1")], [true, false, false]);
});

Deno.test("createRedisPresence(): members are shared, and a dead instance's vanish within its TTL", async () => {
  const redis = await startRedis();
  const options = { url: redis.url, log: silentLogger, heartbeatMs: 100, ttlMs: 500 };
  const a = createRedisPresence({ ...options, instanceId: "a" });
  const b = createRedisPresence({ ...options, instanceId: "b" });
  try {
    const onA = a.sets("online"), onB = b.sets("online");
    const expired: string[] = [];
    onB.onExpired((member) => expired.push(member));
    assertEquals(onA.add("7"), true, "nobody had 7: it just came online");
    await waitFor(() => onB.has("7"), { timeoutMs: 2000, what: "B seeing A's member" });
    assertEquals(onB.add("7"), false, "7 is online through A already");
    assertEquals(onB.remove("7"), false, "and stays online through A");
    onA.add("8");
    await waitFor(() => onB.has("8"), { timeoutMs: 2000 });
    assertEquals(onA.remove("8"), true, "8 had no socket on B");
    await waitFor(() => !onB.has("8"), { timeoutMs: 2000, what: "B seeing 8 leave" });
    assertEquals(expired, [], "leaving is not expiring");

    a.halt();
    const died = Date.now();
    await waitFor(() => !onB.has("7"), { timeoutMs: 5000, what: "A's members expiring" });
    const goneMs = Date.now() - died;
    assertEquals(expired, ["7"]);
    assertEquals(goneMs < 500 + 2 * 100 + 300, true, `gone after ${goneMs} ms`);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await redis.stop();
  }
});

Deno.test("createLocalPresenceMaps(): alone, so no other instance holds anything", async () => {
  const map = createLocalPresenceMaps()("counts");
  map.set("code:1", "3");
  await map.refresh();
  assertEquals([othersTotal(map, "code:1"), map.leads(), map.others().size], [0, true, 0]);
});

Deno.test("createRedisPresence() maps: entries reach the others at once, and leave with a dead instance", async () => {
  const redis = await startRedis();
  // A heartbeat far longer than the test: what arrives, arrives through the nudge.
  const options = { url: redis.url, log: silentLogger, heartbeatMs: 60_000, ttlMs: 500 };
  const a = createRedisPresence({ ...options, instanceId: "a" });
  const b = createRedisPresence({ ...options, instanceId: "b" });
  try {
    const onA = a.maps("counts"), onB = b.maps("counts");
    const changes: PresenceChange[] = [];
    onB.onChange((change) => changes.push(change));
    await Promise.all([a.ready(), b.ready()]);
    onA.set("code:1", "2");
    onA.set("code:2", "1");
    await waitFor(() => othersTotal(onB, "code:1") === 2, {
      timeoutMs: 2000,
      what: "A's count on B",
    });
    assertEquals(othersTotal(onB, "code:2"), 1);
    assertEquals([onA.leads(), onB.leads()], [true, false], "the lowest id leads");
    onA.set("code:2", null);
    await waitFor(() => othersTotal(onB, "code:2") === 0, {
      timeoutMs: 2000,
      what: "removal on B",
    });
    assertEquals(changes.every((c) => c.gone.size === 0), true, "nobody died yet");
    assertEquals(changes.flatMap((c) => [...c.keys]).sort(), ["code:1", "code:2", "code:2"]);

    // A dies: B's next read (a heartbeat, here a refresh) finds its entries gone.
    a.halt();
    await new Promise((resolve) => setTimeout(resolve, 600));
    await onB.refresh();
    assertEquals(othersTotal(onB, "code:1"), 0);
    const last = changes.at(-1)!;
    assertEquals([...last.gone.keys()], ["a"]);
    assertEquals([...last.gone.get("a")!], [["code:1", "2"]]);
    assertEquals(onB.leads(), true, "B speaks for the dead now");
  } finally {
    await Promise.all([a.close(), b.close()]);
    await redis.stop();
  }
});

Deno.test("createRedisPresence(): an instance's keys outlive its registration, so a dead one's last read is whole", async () => {
  const redis = await startRedis();
  const ttlMs = 500;
  const a = createRedisPresence({
    url: redis.url,
    log: silentLogger,
    heartbeatMs: 60_000,
    ttlMs,
    prefix: "p:",
    instanceId: "a",
  });
  const client = new Redis(redis.url);
  try {
    a.sets("online").add("7");
    a.maps("voice").set("peer", "{}");
    await a.maps("voice").refresh();
    await waitFor(async () => (await client.exists("p:online:at:a", "p:voice:map:a")) === 2, {
      timeoutMs: 2000,
      what: "A's keys written",
    });
    for (const [scope, key] of [["online", "p:online:at:a"], ["voice", "p:voice:map:a"]]) {
      // Listed until its score; readable for a whole TTL after that, when another instance's
      // second round trip may read it.
      const registeredMs = Number(await client.zscore(`p:${scope}:instances`, "a")) - Date.now();
      const keyMs = await client.pttl(key);
      assertEquals(
        registeredMs > 0 && registeredMs <= ttlMs,
        true,
        `${scope} registered ${registeredMs} ms`,
      );
      assertEquals(
        keyMs >= registeredMs + ttlMs - 50,
        true,
        `${key}: ${keyMs} ms left, registered ${registeredMs}`,
      );
    }
  } finally {
    client.disconnect();
    await a.close();
    await redis.stop();
  }
});
