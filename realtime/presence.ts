// Presence: who is present in a scope (a workspace's online users), counted per instance; the
// in-process default here, the Redis one (shared across instances, expiring) in redis_presence.ts.

/** The members of one scope. `add` and `remove` pair up, like sockets opening and closing. */
export interface PresenceSet {
  /** Counts `member` once more on this instance; true when no instance had it before. */
  add(member: string): boolean;
  /** Counts it once less here; true when no instance has it any more. */
  remove(member: string): boolean;
  /** Whether any instance has it (others' as of their last heartbeat). */
  has(member: string): boolean;
  /**
   * Calls `listener` for each member that vanished with another instance (one that stopped
   * heartbeating) and is present nowhere else. Never called by the in-process set.
   */
  onExpired(listener: (member: string) => void): void;
  close(): void;
}

/** Makes the set of one scope; each name is asked for once. */
export type PresenceFactory = (scope: string) => PresenceSet;

/** The in-process presence: counts in a map, nothing shared, nothing expiring. */
export function createLocalPresence(): PresenceFactory {
  return () => {
    const counts = new Map<string, number>();
    return {
      add(member) {
        const count = (counts.get(member) ?? 0) + 1;
        counts.set(member, count);
        return count === 1;
      },
      remove(member) {
        const count = (counts.get(member) ?? 0) - 1;
        if (count > 0) {
          counts.set(member, count);
          return false;
        }
        return counts.delete(member);
      },
      has: (member) => counts.has(member),
      onExpired() {},
      close: () => counts.clear(),
    };
  };
}

/** Entries of other instances, by instance id, then key. */
export type InstanceEntries = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** What one read of the other instances changed. */
export interface PresenceChange {
  /** Keys whose value changed on some other instance (appeared, changed or went). */
  keys: ReadonlySet<string>;
  /** Instances that stopped heartbeating, with the entries they had: gone with them. */
  gone: InstanceEntries;
}

/**
 * Per-instance entries of one scope (counts per topic, peers in voice), shared: each instance owns
 * its own keys, and sees the others' as of its last read; a dead instance's vanish with it.
 */
export interface PresenceMap {
  /** This instance's id, as the others see it in `others()`. */
  readonly instance: string;
  /** Sets this instance's `value` for `key` (null removes it); shared at once, coalesced. */
  set(key: string, value: string | null): void;
  /** The other live instances' entries, as of the last read. */
  others(): InstanceEntries;
  /** Reads the other instances' entries now, for a decision that must see them. */
  refresh(): Promise<void>;
  /** True on one live instance only (the lowest id): who speaks for the dead. */
  leads(): boolean;
  /** Called after a read that changed what other instances hold. Never called in-process. */
  onChange(listener: (change: PresenceChange) => void): void;
  close(): void;
}

/** Makes the map of one scope; each name is asked for once. */
export type PresenceMapFactory = (scope: string) => PresenceMap;

const NOBODY: InstanceEntries = new Map();

/** The in-process maps: this instance is alone, so there are no others and nothing changes. */
export function createLocalPresenceMaps(): PresenceMapFactory {
  return () => ({
    instance: "local",
    set() {},
    others: () => NOBODY,
    refresh: () => Promise.resolve(),
    leads: () => true,
    onChange() {},
    close() {},
  });
}

/** The sum of `key`'s numeric values on the other instances (a count's remote part). */
export function othersTotal(map: Pick<PresenceMap, "others">, key: string): number {
  let total = 0;
  for (const entries of map.others().values()) total += Number(entries.get(key) ?? 0) || 0;
  return total;
}
