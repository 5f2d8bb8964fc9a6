// The two kinds of shared presence scope on Redis: member sets (who is online) and entry maps
// (counts, voice peers). Each instance writes its own key per scope and reads the others'.
import type { ChainableCommander, Redis } from "ioredis";
import type { InstanceEntries, PresenceChange, PresenceMap, PresenceSet } from "./presence.ts";

export interface BeatOptions {
  prefix: string;
  ttlMs: number;
}

/** A scope the heartbeat keeps alive: writes this instance's part, reads the others'. */
export interface BeatingScope {
  readonly name: string;
  beat(redis: Redis, options: BeatOptions): Promise<void>;
  /** Adds to `multi` what forgets this instance's part in Redis (a clean shutdown). */
  cleanup(multi: ChainableCommander, prefix: string): void;
}

const registry = (prefix: string, scope: string) => `${prefix}${scope}:instances`;

/**
 * How long an instance's own key lives: a TTL past its registration. Another instance lists the
 * registered ones and reads their keys in a second round trip; a key that expired in between made
 * a dead instance look alive and empty, so its entries were dropped as removed, not as gone with
 * it (a voice peer on it was never told to have left). Liveness is the registry's alone.
 */
export const keyTtl = (ttlMs: number): number => 2 * ttlMs;

/**
 * Writes `write` (this instance's key) and registers the instance in the scope until `ttlMs`
 * from now; then reads, with `read`, the key of every other instance still registered.
 */
async function exchange<T>(
  redis: Redis,
  { name, instance }: { name: string; instance: string },
  { prefix, ttlMs }: BeatOptions,
  write: (multi: ChainableCommander) => void,
  read: (pipeline: ChainableCommander, instance: string) => void,
): Promise<Map<string, T>> {
  const instancesKey = registry(prefix, name);
  const now = Date.now();
  const multi = redis.multi();
  write(multi);
  multi.zadd(instancesKey, now + ttlMs, instance)
    .zremrangebyscore(instancesKey, "-inf", now)
    .zrange(instancesKey, 0, -1);
  const results = await multi.exec();
  const listed = (results?.at(-1)?.[1] as string[] | undefined) ?? [];
  const instances = listed.filter((i) => i !== instance);
  const pipeline = redis.pipeline();
  for (const other of instances) read(pipeline, other);
  const values = instances.length ? await pipeline.exec() : [];
  const out = new Map<string, T>();
  instances.forEach((other, i) => out.set(other, values?.[i]?.[1] as T));
  return out;
}

/** Reads overlap (a heartbeat and a change): only the newest one started is applied. */
class Sequenced {
  #started = 0;
  #applied = 0;
  next(): number {
    return ++this.#started;
  }
  fresh(seq: number): boolean {
    if (seq < this.#applied) return false;
    this.#applied = seq;
    return true;
  }
}

/** One set scope on this instance: local counts, and what the other instances had at last read. */
export class SetScope implements PresenceSet, BeatingScope {
  readonly counts = new Map<string, number>();
  /** Other instances → their members, as of the last heartbeat. */
  others = new Map<string, Set<string>>();
  #elsewhere = new Map<string, number>();
  #listeners: ((member: string) => void)[] = [];
  #seq = new Sequenced();

  constructor(readonly name: string, readonly instance: string, readonly changed: () => void) {}

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

  async beat(redis: Redis, options: BeatOptions): Promise<void> {
    const key = `${options.prefix}${this.name}:at:${this.instance}`;
    const seq = this.#seq.next();
    const read = await exchange<string[]>(redis, this, options, (multi) => {
      multi.del(key);
      if (this.counts.size > 0) {
        multi.sadd(key, ...this.counts.keys()).pexpire(key, keyTtl(options.ttlMs));
      }
    }, (pipeline, other) => pipeline.smembers(`${options.prefix}${this.name}:at:${other}`));
    if (!this.#seq.fresh(seq)) return;
    this.update(new Map([...read].map(([other, members]) => [other, new Set(members)])));
  }

  cleanup(multi: ChainableCommander, prefix: string): void {
    multi.del(`${prefix}${this.name}:at:${this.instance}`);
    multi.zrem(registry(prefix, this.name), this.instance);
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

/** One map scope on this instance: its own entries, and the others' as of the last read. */
export class MapScope implements PresenceMap, BeatingScope {
  readonly local = new Map<string, string>();
  #others: Map<string, Map<string, string>> = new Map();
  #listeners: ((change: PresenceChange) => void)[] = [];
  #seq = new Sequenced();

  constructor(
    readonly name: string,
    readonly instance: string,
    readonly changed: () => void,
    readonly reread: () => Promise<void>,
  ) {}

  set(key: string, value: string | null): void {
    if (value === null ? !this.local.delete(key) : this.local.get(key) === value) return;
    if (value !== null) this.local.set(key, value);
    this.changed();
  }

  others(): InstanceEntries {
    return this.#others;
  }

  refresh(): Promise<void> {
    return this.reread();
  }

  leads(): boolean {
    for (const other of this.#others.keys()) if (other < this.instance) return false;
    return true;
  }

  onChange(listener: (change: PresenceChange) => void): void {
    this.#listeners.push(listener);
  }

  async beat(redis: Redis, options: BeatOptions): Promise<void> {
    const key = `${options.prefix}${this.name}:map:${this.instance}`;
    const seq = this.#seq.next();
    const read = await exchange<Record<string, string>>(redis, this, options, (multi) => {
      multi.del(key);
      if (this.local.size > 0) {
        multi.hset(key, Object.fromEntries(this.local)).pexpire(key, keyTtl(options.ttlMs));
      }
    }, (pipeline, other) => pipeline.hgetall(`${options.prefix}${this.name}:map:${other}`));
    if (!this.#seq.fresh(seq)) return;
    this.update(
      new Map([...read].map(([other, hash]) => [other, new Map(Object.entries(hash ?? {}))])),
    );
  }

  cleanup(multi: ChainableCommander, prefix: string): void {
    multi.del(`${prefix}${this.name}:map:${this.instance}`);
    multi.zrem(registry(prefix, this.name), this.instance);
  }

  /** Takes the others' entries as read now and tells the listeners what differs. */
  update(others: Map<string, Map<string, string>>): void {
    const previous = this.#others;
    this.#others = others;
    const keys = new Set<string>();
    const gone = new Map<string, ReadonlyMap<string, string>>();
    for (const [instance, entries] of previous) {
      const now = others.get(instance);
      if (!now) gone.set(instance, entries);
      for (const [key, value] of entries) if (now?.get(key) !== value) keys.add(key);
    }
    for (const [instance, entries] of others) {
      const before = previous.get(instance);
      for (const [key, value] of entries) if (before?.get(key) !== value) keys.add(key);
    }
    if (keys.size === 0 && gone.size === 0) return;
    for (const listener of this.#listeners) listener({ keys, gone });
  }

  close(): void {
    this.local.clear();
  }
}
