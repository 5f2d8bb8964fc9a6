// The Redis hub on a real redis-server: the shared contract, then two instances in one process.
import { assertEquals } from "../tests/_assert.ts";
import { startRedis } from "../tests/_redis.ts";
import { waitFor } from "../tests/_wait.ts";
import { createLogger, silentLogger } from "../log.ts";
import { collector, hubContract } from "./_hub_contract.ts";
import { createRedisHub, type RedisHubOptions } from "./redis_hub.ts";

const redis = await startRedis();
let run = 0;

/** A hub on the shared redis-server; `prefix` keeps each test's topics apart. */
async function redisHub(options: Partial<RedisHubOptions> & { prefix: string }) {
  const hub = createRedisHub({
    url: redis.url,
    log: Deno.env.get("HUB_LOG") ? createLogger("debug") : silentLogger,
    ...options,
  });
  await hub.ready();
  return hub;
}

hubContract("createRedisHub()", (historySize) => redisHub({ historySize, prefix: `c${run++}:` }));

Deno.test("createRedisHub(): an event published on one instance reaches the other; resume there", async () => {
  const a = await redisHub({ prefix: "two:" }), b = await redisHub({ prefix: "two:" });
  try {
    const onB = collector();
    b.subscribe("room", onB);
    await waitFor(() => onB.started, { timeoutMs: 5000 });
    for (let i = 1; i <= 5; i++) a.publish("room", "updated", i);
    await waitFor(() => onB.events.length === 5, { timeoutMs: 5000 });
    assertEquals(onB.events.map((e) => [e.id, e.data]), [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]);
    // A client that saw id 2 through A resumes on B without a gap or a repeat.
    const resumed = collector();
    b.subscribe("room", resumed, { since: 2 });
    await waitFor(() => resumed.started, { timeoutMs: 5000 });
    assertEquals([resumed.started!.replay.map((e) => e.id), resumed.started!.gap], [
      [3, 4, 5],
      false,
    ]);
    assertEquals(await a.lastId("room"), 5);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

Deno.test("createRedisHub(): after a Redis restart delivery resumes within 5 s and nothing is lost", async () => {
  const a = await redisHub({ prefix: "restart:" }), b = await redisHub({ prefix: "restart:" });
  try {
    const onB = collector();
    b.subscribe("chat", onB);
    await waitFor(() => onB.started, { timeoutMs: 5000 });
    for (let i = 0; i < 10; i++) a.publish("chat", "message", i);
    await waitFor(() => onB.events.length === 10, { timeoutMs: 5000 });
    await redis.down();
    for (let i = 10; i < 20; i++) a.publish("chat", "message", i); // held while Redis is down
    await redis.up();
    const back = Date.now();
    for (let i = 20; i < 30; i++) a.publish("chat", "message", i);
    await waitFor(() => onB.events.length === 30, { timeoutMs: 5000, what: "delivery resumed" });
    const resumedMs = Date.now() - back;
    assertEquals(onB.events.map((e) => e.data), Array.from({ length: 30 }, (_, i) => i));
    const ids = onB.events.map((e) => e.id);
    assertEquals(ids.every((id, i) => i === 0 || id > ids[i - 1]), true, `ids ${ids}`);
    assertEquals(onB.closed, undefined);
    console.log(`delivery resumed ${resumedMs} ms after redis-server came back`);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

Deno.test("createRedisHub(): while Redis is down, publishes wait in a bounded queue, then drop", async () => {
  const hub = await redisHub({ prefix: "down:", publishQueue: 50 });
  try {
    await redis.down();
    await waitFor(async () => {
      hub.publish("probe", "x", 0);
      return (await Promise.resolve(hub.publishStats())).queued > 0;
    }, { timeoutMs: 5000 });
    for (let i = 0; i < 10_000; i++) hub.publish("t", "e", { i, pad: "x".repeat(100) });
    const { dropped, queued } = hub.publishStats();
    assertEquals(queued <= 50 + 1000, true, `${queued} held`);
    assertEquals(dropped >= 10_000 - 50 - 1000, true, `${dropped} dropped`);
  } finally {
    await redis.up();
    await hub.close();
  }
});

Deno.test({
  name: "redis-server stops after the Redis hub tests",
  sanitizeResources: false,
  fn: () => redis.stop(),
});
