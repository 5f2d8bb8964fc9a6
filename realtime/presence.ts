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
