// Removals (kick, ban, leave, a deleted server) reach every instance: the one that decided drops
// its own sockets at once and publishes the removal on a hub topic no client may follow, and the
// others drop theirs when it arrives (Redis hub); one instance alone needs nothing more.
import type { Hub } from "../../realtime/hub.ts";
import type { WsClient } from "../../realtime/ws.ts";
import type { MemberSockets } from "./community_sockets.ts";
import type { RemovedReason } from "./community_wire.ts";

/** Internal only: no topic namespace names it, so /ws and SSE refuse it. */
export const REMOVALS_TOPIC = "community-removals";

interface Removal {
  instance: string;
  userId: number;
  serverId: number;
  topics: string[];
  reason: RemovedReason;
}

export interface RemovalRelay {
  /** Unsubscribes `userId`'s sockets from `topics` here and on every other instance. */
  remove(userId: number, serverId: number, topics: string[], reason: RemovedReason): void;
  close(): void;
}

export function createRemovalRelay(
  hub: Pick<Hub, "publish" | "subscribe">,
  sockets: Pick<MemberSockets, "drop">,
  leaveVoice: (client: WsClient, serverId: number) => void,
  /** Whether other instances share the hub (REDIS_URL); alone, nothing is published or held. */
  shared = true,
): RemovalRelay {
  const instance = crypto.randomUUID();
  const drop = ({ userId, serverId, topics, reason }: Omit<Removal, "instance">) =>
    sockets.drop(
      userId,
      topics,
      { type: "removed", serverId, reason },
      (client) => leaveVoice(client, serverId),
    );
  if (!shared) {
    return {
      remove: (userId, serverId, topics, reason) => drop({ userId, serverId, topics, reason }),
      close() {},
    };
  }
  const subscription = hub.subscribe(REMOVALS_TOPIC, {
    start() {},
    send(event) {
      const removal = event.data as Removal;
      if (removal.instance !== instance) drop(removal);
      return true;
    },
    close() {},
  });
  return {
    remove(userId, serverId, topics, reason) {
      drop({ userId, serverId, topics, reason });
      const removal: Removal = { instance, userId, serverId, topics, reason };
      hub.publish(REMOVALS_TOPIC, "removed", removal, { history: false });
    },
    close: () => subscription.unsubscribe(),
  };
}
