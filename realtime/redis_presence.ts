// Presence shared through Redis: each instance writes its part of a scope to a key of its own,
// refreshed on a heartbeat and expiring, so a dead instance's members vanish within `ttlMs`.
import { Redis } from "ioredis";
import type { Logger } from "../log.ts";
import type { PresenceFactory, PresenceMapFactory } from "./presence.ts";
import { type BeatingScope, MapScope, SetScope } from "./redis_presence_scopes.ts";

export interface RedisPresenceOptions {
  url: string;
  log: Logger;
  /** This instance's name in Redis. @default a random UUID */
  instanceId?: string;
  /** How often this instance rewrites its members and reads the others'. @default 10000 */
  heartbeatMs?: number;
  /** How long an instance's members outlive its last heartbeat. @default 30000 */
  ttlMs?: number;
  /** @default "roomcast:presence:" */
  prefix?: string;
}

export interface RedisPresence {
  sets: PresenceFactory;
  /** Per-instance entries (counts, voice peers), shared the same way. */
  maps: PresenceMapFactory;
  readonly instanceId: string;
  /** Resolves after the first heartbeat of every scope made so far. */
  ready(): Promise<void>;
  /** Stops heartbeating without removing this instance's keys, as a crash would (tests). */
  halt(): void;
  /** Removes this instance's members from Redis and disconnects. */
  close(): Promise<void>;
}

function connect(url: string, log: Logger, options: { maxRetriesPerRequest?: number } = {}) {
  const redis = new Redis(url, {
    retryStrategy: (times: number) => Math.min(times * 50, 500),
    ...options,
  });
  redis.on(
    "error",
    (error: Error) => log.debug("Redis presence connection error", { error: error.message }),
  );
  return redis;
}

/**
 * Batches beats per turn (a crowd arriving at once is one round trip); each caller's promise
 * resolves once its scope's beat is done, then `after` hears which scopes were beaten.
 */
function coalesce(
  beat: (scope: BeatingScope) => Promise<void>,
  after: (names: string[]) => void,
): (scope: BeatingScope) => Promise<void> {
  const pending = new Set<BeatingScope>();
  let batch: Promise<void> | undefined;
  return (scope) => {
    pending.add(scope);
    batch ??= new Promise<void>((resolve) =>
      setTimeout(async () => {
        const scopes = [...pending];
        pending.clear();
        batch = undefined;
        await Promise.all(scopes.map(beat));
        after(scopes.map((s) => s.name));
        resolve();
      }, 0)
    );
    return batch;
  };
}

export function createRedisPresence(options: RedisPresenceOptions): RedisPresence {
  const { log } = options;
  const self = options.instanceId ?? crypto.randomUUID();
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const prefix = options.prefix ?? "roomcast:presence:";
  const beatOptions = { prefix, ttlMs: options.ttlMs ?? 30_000 };
  const redis = connect(options.url, log, { maxRetriesPerRequest: 1 });
  // A change is announced on this channel, so the others read it now, not at their next beat.
  const nudges = `${prefix}nudge`;
  const listener = connect(options.url, log);
  const scopes = new Map<string, BeatingScope>();

  const beat = (scope: BeatingScope) =>
    scope.beat(redis, beatOptions).catch((error) =>
      log.debug("Redis presence heartbeat failed", { error: String(error) })
    );
  const beatAll = () => Promise.all([...scopes.values()].map(beat));
  let timer: ReturnType<typeof setInterval> | undefined = setInterval(beatAll, heartbeatMs);

  const changed = coalesce(beat, (names) => {
    if (timer === undefined) return;
    for (const name of names) redis.publish(nudges, `${self} ${name}`).catch(() => {});
  });
  const reread = coalesce(beat, () => {});
  listener.subscribe(nudges).catch(() => {});
  listener.on("message", (_channel: string, message: string) => {
    const [from, name] = message.split(" ");
    const scope = scopes.get(name);
    if (from !== self && scope && timer !== undefined) reread(scope);
  });

  const made = <T extends BeatingScope>(name: string, make: () => T): T => {
    const scope = scopes.get(name) as T | undefined;
    if (scope) return scope;
    const fresh = make();
    scopes.set(name, fresh);
    changed(fresh);
    return fresh;
  };

  return {
    instanceId: self,
    sets(name) {
      const scope: SetScope = made(name, () => new SetScope(name, self, () => void changed(scope)));
      return scope;
    },
    maps(name) {
      const scope: MapScope = made(
        name,
        () => new MapScope(name, self, () => void changed(scope), () => reread(scope)),
      );
      return scope;
    },
    ready: async () => {
      await beatAll();
    },
    halt() {
      clearInterval(timer);
      timer = undefined;
      redis.disconnect();
      listener.disconnect();
    },
    async close() {
      clearInterval(timer);
      timer = undefined;
      listener.disconnect();
      if (redis.status === "ready") {
        const cleanup = redis.multi();
        for (const scope of scopes.values()) scope.cleanup(cleanup, prefix);
        await cleanup.exec().catch(() => {});
        await redis.quit().catch(() => redis.disconnect());
      } else redis.disconnect();
    },
  };
}
