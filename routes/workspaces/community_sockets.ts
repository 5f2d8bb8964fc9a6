// Which open /ws sockets belong to whom, so a kick, a ban, leaving or a deleted server stops that
// server's events on them at once (server-side unsubscribe), without closing the socket.
import type { WsClient } from "../../realtime/ws.ts";

export interface MemberSockets {
  /** Remembers a signed-in socket (the first time it talks to workspaces). */
  track(client: WsClient): void;
  /** Forgets a closed socket. */
  untrack(client: WsClient): void;
  /**
   * Unsubscribes the sockets of `userId` from `topics`, lets
   * `each` act on each (leave voice), then sends it `event`; returns how many sockets it reached.
   */
  drop(
    userId: number,
    topics: readonly string[],
    event: Record<string, unknown>,
    each?: (client: WsClient) => void,
  ): number;
  readonly size: number;
}

/** One entry per open signed-in socket, removed when it closes: bounded by the transport's cap. */
export function createMemberSockets(): MemberSockets {
  const byUser = new Map<number, Set<WsClient>>();
  let size = 0;
  return {
    track(client) {
      if (!client.user) return;
      let set = byUser.get(client.user.id);
      if (!set) byUser.set(client.user.id, set = new Set());
      if (set.has(client)) return;
      set.add(client);
      size++;
    },
    untrack(client) {
      const set = client.user ? byUser.get(client.user.id) : undefined;
      if (!set?.delete(client)) return;
      size--;
      if (set.size === 0) byUser.delete(client.user!.id);
    },
    drop(userId, topics, event, each) {
      const clients = [...byUser.get(userId) ?? []];
      for (const client of clients) {
        for (const topic of topics) client.unsubscribe(topic);
        each?.(client);
        client.send(event);
      }
      return clients.length;
    },
    get size() {
      return size;
    },
  };
}
