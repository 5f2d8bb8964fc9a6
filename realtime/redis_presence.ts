// Presence shared through Redis: each instance writes its members of a scope to a key of its own,
// refreshed on a heartbeat and expiring, so a dead instance's members vanish within `ttlMs`.
import { Redis } from "ioredis";
import type { Logger } from "../log.ts";
import type { PresenceFactory, PresenceSet } from "./presence.ts";

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
  /** Resolves after the first heartbeat of every scope made so far. */
  ready(): Promise<void>;
  /** Stops heartbeating without removing this instance's keys, as a crash would (tests). */
  halt(): void;
  /** Removes this instance's members from Redis and disconnects. */
  close(): Promise<void>;
}

/** One scope on this instance: local counts, and what the other instances had at last read. */
class Scope implements PresenceSet {
  readonly counts = new Map<string, number>();
  /** Other instances → their members, as of the last heartbeat. */
  others = new Map<string, Set<string>>();
  #elsewhere = new Map<string, number>();
  #listeners: ((member: string) => void)[] = [];

  constructor(readonly name: string, readonly changed: () => void) {}

  add(member: string): boolean {
    const count = (this.counts.get(member) ?? 0) + 1;
    this.counts.set(member, count);
    if (count === 1) this.changed();
    return count === 1 && !this.#elsewhere.has(member);
  }

  remove(member: string): boolean {
    const count = (this.counts.get(member) ?? 0) - 1;
    if (count > 0) {
      this.counts.set(member, count);
      return false;
    }
    if (!this.counts.delete(member)) return false;
    this.changed();
    return !this.#elsewhere.has(member);
  }

  has(member: string): boolean {
    return this.counts.has(member) || this.#elsewhere.has(member);
  }

  onExpired(listener: (member: string) => void): void {
    this.#listeners.push(listener);
  }

  /** Takes the others' members as read now; tells of members lost with an instance that died. */
  update(others: Map<string, Set<string>>): void {
    const previous = this.others;
    this.others = others;
    this.#elsewhere = new Map();
    for (const members of others.values()) {
      for (const m of members) this.#elsewhere.set(m, (this.#elsewhere.get(m) ?? 0) + 1);
    }
    for (const [instance, members] of previous) {
      if (others.has(instance)) continue;
      for (const member of members) {
        if (!this.has(member)) { for (const listener of this.#listeners) listener(member); }
      }
    }
  }

  close(): void {
    this.counts.clear();
  }
}

const registry = (prefix: string, scope: string) => `${prefix}${scope}:instances`;
const membersKey = (prefix: string, scope: string, instance: string) =>
  `${prefix}${scope}:at:${instance}`;

/** Writes this instance's members of `scope`, then reads every live instance's. */
async function heartbeat(
  redis: Redis,
  scope: Scope,
  { self, prefix, ttlMs }: { self: string; prefix: string; ttlMs: number },
): Promise<void> {
  const key = membersKey(prefix, scope.name, self);
  const instancesKey = registry(prefix, scope.name);
  const now = Date.now();
  const write = redis.multi().del(key);
  if (scope.counts.size > 0) write.sadd(key, ...scope.counts.keys()).pexpire(key, ttlMs);
  write.zadd(instancesKey, now + ttlMs, self)
    .zremrangebyscore(instancesKey, "-inf", now)
    .zrange(instancesKey, 0, -1);
  const results = await write.exec();
  const listed = (results?.at(-1)?.[1] as string[] | undefined) ?? [];
  const instances = listed.filter((i) => i !== self);
  const read = redis.pipeline();
  for (const instance of instances) read.smembers(membersKey(prefix, scope.name, instance));
  const members = instances.length ? await read.exec() : [];
  const others = new Map<string, Set<string>>();
  instances.forEach((instance, i) => others.set(instance, new Set(members?.[i]?.[1] as string[])));
  scope.update(others);
}

export function createRedisPresence(options: RedisPresenceOptions): RedisPresence {
  const { log } = options;
  const self = options.instanceId ?? crypto.randomUUID();
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const ttlMs = options.ttlMs ?? 30_000;
  const prefix = options.prefix ?? "roomcast:presence:";
  const redis = new Redis(options.url, {
    retryStrategy: (times: number) => Math.min(times * 50, 500),
    maxRetriesPerRequest: 1,
  });
  redis.on(
    "error",
    (error: Error) => log.debug("Redis presence connection error", { error: error.message }),
  );
  const scopes = new Map<string, Scope>();

  const beat = (scope: Scope) => heartbeat(redis, scope, { self, prefix, ttlMs });
  const beatAll = () =>
    Promise.all(
      [...scopes.values()].map((scope) =>
        beat(scope).catch((error) =>
          log.debug("Redis presence heartbeat failed", { error: String(error) })
        )
      ),
    );
  let timer: ReturnType<typeof setInterval> | undefined = setInterval(beatAll, heartbeatMs);
  // A change is written at once (coalesced per turn), not at the next heartbeat.
  const pending = new Set<Scope>();
  const changed = (scope: Scope) => {
    if (pending.size === 0) {
      setTimeout(() => {
        for (const s of pending) beat(s).catch(() => {});
        pending.clear();
      }, 0);
    }
    pending.add(scope);
  };

  return {
    sets(name) {
      let scope = scopes.get(name);
      if (!scope) {
        const made: Scope = new Scope(name, () => changed(made));
        scopes.set(name, scope = made);
        changed(made);
      }
      return scope;
    },
    ready: async () => {
      await beatAll();
    },
    halt() {
      clearInterval(timer);
      timer = undefined;
      redis.disconnect();
    },
    async close() {
      clearInterval(timer);
      timer = undefined;
      if (redis.status === "ready") {
        const keys = [...scopes.keys()];
        const cleanup = redis.multi();
        for (const name of keys) {
          cleanup.del(membersKey(prefix, name, self)).zrem(registry(prefix, name), self);
        }
        await cleanup.exec().catch(() => {});
        await redis.quit().catch(() => redis.disconnect());
      } else redis.disconnect();
    },
  };
}
