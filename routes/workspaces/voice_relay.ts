// Voice across instances (REDIS_URL): each instance shares its peers' places (expiring with it)
// and relays voice events to a peer on another instance through the hub, on that instance's topic.
import type { Hub, HubEvent } from "../../realtime/hub.ts";
import type { PresenceMap } from "../../realtime/presence.ts";
import type { VoicePeer } from "../../realtime/voice.ts";

/** A peer as its instance shares it: where it is, and whether it shares its screen. */
export interface RemotePeer extends VoicePeer {
  channelId: number;
  serverId: number;
  sharing: boolean;
  /** When it joined the channel (ms since the epoch), to list a channel's peers in one order. */
  joinedAt: number;
  /** The instance holding its socket. */
  instance: string;
}

export type PeerPlace = Omit<RemotePeer, "instance">;

type Message = Record<string, unknown> & { type: string };

export interface VoiceRelay {
  /** Shares where a local peer is (null: it left voice); resolves once the others can read it. */
  share(peerId: string, place: PeerPlace | null): Promise<void>;
  /** Peers of other instances in `channelId`, as of the last read. */
  peers(channelId: number): RemotePeer[];
  /** Channels of `serverId` with peers on other instances, as of the last read. */
  channels(serverId: number): number[];
  /** Reads the other instances' peers now. */
  refresh(): Promise<void>;
  /** Sends `message` to peers of other instances, one hub event per instance. */
  send(peers: RemotePeer[], message: Message): void;
  /** Delivers what other instances send to the local peers named in `to`. */
  onMessage(listener: (to: string[], message: Message) => void): void;
  /** Peers gone with an instance that stopped heartbeating; `speak` on one instance only. */
  onGone(listener: (peers: RemotePeer[], speak: boolean) => void): void;
  close(): void;
}

export interface VoiceRelayDeps {
  hub: Pick<Hub, "publish" | "subscribe">;
  /** The `voice:peers` scope: peer id → its place, per instance. */
  map: PresenceMap;
}

/** The hub topic an instance hears its peers' voice events on. No namespace owns it: no client follows it. */
export const relayTopic = (instance: string): string => `voice-relay:${instance}`;

function parsePlace(raw: string, instance: string): RemotePeer | null {
  try {
    const p = JSON.parse(raw);
    const ok = typeof p.id === "string" && Number.isInteger(p.channelId) &&
      Number.isInteger(p.serverId) && Number.isInteger(p.userId) &&
      typeof p.email === "string" && typeof p.displayName === "string";
    const joinedAt = Number.isFinite(p.joinedAt) ? p.joinedAt : 0;
    return ok ? { ...p, sharing: p.sharing === true, joinedAt, instance } : null;
  } catch {
    return null;
  }
}

export function createVoiceRelay(deps: VoiceRelayDeps): VoiceRelay {
  const { hub, map } = deps;
  const messageListeners: ((to: string[], message: Message) => void)[] = [];
  const goneListeners: ((peers: RemotePeer[], speak: boolean) => void)[] = [];
  // Parsed once per read: `others()` is a new map after each read that changed it.
  let parsed: { from: unknown; peers: RemotePeer[] } = { from: null, peers: [] };
  const remote = (): RemotePeer[] => {
    const others = map.others();
    if (parsed.from === others) return parsed.peers;
    const peers: RemotePeer[] = [];
    for (const [instance, entries] of others) {
      for (const raw of entries.values()) {
        const peer = parsePlace(raw, instance);
        if (peer) peers.push(peer);
      }
    }
    parsed = { from: others, peers };
    return peers;
  };

  map.onChange(({ gone }) => {
    if (gone.size === 0) return;
    const peers: RemotePeer[] = [];
    for (const [instance, entries] of gone) {
      for (const raw of entries.values()) {
        const peer = parsePlace(raw, instance);
        if (peer) peers.push(peer);
      }
    }
    if (peers.length) { for (const listener of goneListeners) listener(peers, map.leads()); }
  });

  let closed = false;
  let subscription: { unsubscribe(): void } | undefined;
  const listen = () => {
    subscription = hub.subscribe(relayTopic(map.instance), {
      start() {},
      send(event: HubEvent) {
        const { to, message } = event.data as { to?: unknown; message?: Message };
        if (!Array.isArray(to) || typeof message?.type !== "string") return true;
        const ids = to.filter((id): id is string => typeof id === "string");
        for (const listener of messageListeners) listener(ids, message);
        return true;
      },
      // A Redis outage may end it: heard again at once, as voice must keep flowing.
      close: () => void (!closed && listen()),
    });
  };
  listen();

  return {
    share(peerId, place) {
      map.set(peerId, place === null ? null : JSON.stringify(place));
      // A read writes this instance's entries first: once it is done, the others can see them.
      return map.refresh();
    },
    peers: (channelId) => remote().filter((p) => p.channelId === channelId),
    channels: (serverId) => [
      ...new Set(remote().filter((p) => p.serverId === serverId).map((p) => p.channelId)),
    ],
    refresh: () => map.refresh(),
    send(peers, message) {
      const byInstance = new Map<string, string[]>();
      for (const p of peers) {
        byInstance.set(p.instance, [...byInstance.get(p.instance) ?? [], p.id]);
      }
      for (const [instance, to] of byInstance) {
        // Fleeting: a signal is for who is connected now, never replayed.
        hub.publish(relayTopic(instance), "voice", { to, message }, { history: false });
      }
    },
    onMessage: (listener) => void messageListeners.push(listener),
    onGone: (listener) => void goneListeners.push(listener),
    close() {
      closed = true;
      subscription?.unsubscribe();
      map.close();
    },
  };
}
