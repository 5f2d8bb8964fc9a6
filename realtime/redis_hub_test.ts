// The Redis hub on a real redis-server: the shared contract, then two instances in one process.
import { assertEquals } from "../tests/_assert.ts";
import { startRedis } from "../tests/_redis.ts";
import { waitFor } from "../tests/_wait.ts";
import { silentLogger } from "../log.ts";
import { collector, hubContract } from "./_hub_contract.ts";
import { createRedisHub, type RedisHubOptions } from "./redis_hub.ts";

const redis = await startRedis();
let run = 0;

/** A hub on the shared redis-server; `prefix` keeps each test's topics apart. */
async function redisHub(options: Partial<RedisHubOptions> & { prefix: string }) {
  const hub = createRedisHub({ url: redis.url, log: silentLogger, ...options });
  await hub.ready();
  return hub;
}

hubContract("createRedisHub()", (historySize) => redisHub({ historySize, prefix: `c${run++}:` }));

Deno.test({
  name: "redis-server stops after the Redis hub tests",
  sanitizeResources: false,
  fn: () => redis.stop(),
});
