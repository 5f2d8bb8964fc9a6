// Who is online in workspaces: open authenticated sockets counted per user, over a PresenceSet
// (this process's by default, every instance's with Redis).
import { createLocalPresence, type PresenceSet } from "../../realtime/presence.ts";

export interface Presence {
  /** Counts one more socket for `userId`; true when the user just came online. */
  connect(userId: number): boolean;
  /** Counts one socket less; true when the user just went offline. */
  disconnect(userId: number): boolean;
  isOnline(userId: number): boolean;
  /** `listener` hears of users gone offline with a dead instance (never in-process). */
  onExpired(listener: (userId: number) => void): void;
  close(): void;
}

export function createPresence(set: PresenceSet = createLocalPresence()("online")): Presence {
  return {
    connect: (userId) => set.add(String(userId)),
    disconnect: (userId) => set.remove(String(userId)),
    isOnline: (userId) => set.has(String(userId)),
    onExpired: (listener) => set.onExpired((member) => listener(Number(member))),
    close: () => set.close(),
  };
}
