// Shared presence on a real redis-server: two instances in one process, then one that dies.
import { assertEquals } from "../tests/_assert.ts";
import { startRedis } from "../tests/_redis.ts";
import { waitFor } from "../tests/_wait.ts";
import { silentLogger } from "../log.ts";
import { createLocalPresence } from "./presence.ts";
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
