// Who is online in workspaces: open authenticated sockets counted per user, in this process.

export interface Presence {
  /** Counts one more socket for `userId`; true when the user just came online. */
  connect(userId: number): boolean;
  /** Counts one socket less; true when the user just went offline. */
  disconnect(userId: number): boolean;
  isOnline(userId: number): boolean;
  close(): void;
}

export function createPresence(): Presence {
  const sockets = new Map<number, number>();
  return {
    connect(userId) {
      const count = (sockets.get(userId) ?? 0) + 1;
      sockets.set(userId, count);
      return count === 1;
    },
    disconnect(userId) {
      const count = (sockets.get(userId) ?? 0) - 1;
      if (count > 0) {
        sockets.set(userId, count);
        return false;
      }
      return sockets.delete(userId);
    },
    isOnline: (userId) => sockets.has(userId),
    close: () => sockets.clear(),
  };
}
