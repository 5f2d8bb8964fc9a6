// Voice signaling state: who is in which voice channel, and who shares a screen. Pure bookkeeping;
// /ws does the sending.

export interface VoicePeer {
  /** The socket's id: one person with two tabs is two peers. */
  id: string;
  userId: number;
  email: string;
  displayName: string;
}

export interface JoinResult {
  /** Everyone already in the channel, before this peer. */
  participants: VoicePeer[];
  /** The channel this peer was moved out of (one voice channel per socket), with who remains. */
  left?: { channelId: number; others: VoicePeer[] };
}

/** What a peer taking the channel's one screen share gets. */
export type ShareResult = "ok" | "not_joined" | "busy";

export interface VoiceRoomsOptions {
  /** People per channel: a browser mesh sends its audio to every other peer. @default 8 */
  maxPeers?: number;
}

export interface VoiceRooms {
  readonly maxPeers: number;
  /**
   * "full" when the channel already holds `maxPeers` others: the ones here, and `elsewhere` (its
   * peers on other instances). @default elsewhere 0
   */
  join(channelId: number, peer: VoicePeer, elsewhere?: number): JoinResult | "full";
  /** The peers left behind, or null when `peerId` was not in the channel. */
  leave(channelId: number, peerId: string): VoicePeer[] | null;
  /** Takes a peer out of wherever it is (its socket closed). */
  leaveAll(peerId: string): { channelId: number; peer: VoicePeer; others: VoicePeer[] }[];
  channelOf(peerId: string): number | null;
  peer(channelId: number, peerId: string): VoicePeer | null;
  peers(channelId: number): VoicePeer[];
  /** Starts or stops `peerId`'s screen share; one sharer per channel. */
  share(channelId: number, peerId: string, sharing: boolean): ShareResult;
  /** The peer sharing its screen in the channel, or null. */
  sharer(channelId: number): string | null;
  close(): void;
}

export function createVoiceRooms(options: VoiceRoomsOptions = {}): VoiceRooms {
  const maxPeers = options.maxPeers ?? 8;
  const rooms = new Map<number, Map<string, VoicePeer>>();
  const where = new Map<string, number>();
  const sharers = new Map<number, string>();

  const leave = (channelId: number, peerId: string): VoicePeer[] | null => {
    const room = rooms.get(channelId);
    if (!room?.delete(peerId)) return null;
    where.delete(peerId);
    if (sharers.get(channelId) === peerId) sharers.delete(channelId);
    if (room.size === 0) rooms.delete(channelId);
    return [...room.values()];
  };

  return {
    maxPeers,
    join(channelId, peer, elsewhere = 0) {
      let room = rooms.get(channelId);
      if (!room?.has(peer.id) && (room?.size ?? 0) + elsewhere >= maxPeers) return "full";
      let left: JoinResult["left"];
      const current = where.get(peer.id);
      if (current !== undefined && current !== channelId) {
        left = { channelId: current, others: leave(current, peer.id) ?? [] };
      }
      if (!room) rooms.set(channelId, room = new Map());
      const participants = [...room.values()].filter((p) => p.id !== peer.id);
      room.set(peer.id, peer);
      where.set(peer.id, channelId);
      return left ? { participants, left } : { participants };
    },
    leave,
    leaveAll(peerId) {
      const channelId = where.get(peerId);
      if (channelId === undefined) return [];
      const peer = rooms.get(channelId)!.get(peerId)!;
      return [{ channelId, peer, others: leave(channelId, peerId) ?? [] }];
    },
    channelOf: (peerId) => where.get(peerId) ?? null,
    peer: (channelId, peerId) => rooms.get(channelId)?.get(peerId) ?? null,
    peers: (channelId) => [...(rooms.get(channelId)?.values() ?? [])],
    share(channelId, peerId, sharing) {
      if (!rooms.get(channelId)?.has(peerId)) return "not_joined";
      const current = sharers.get(channelId);
      if (!sharing) {
        if (current === peerId) sharers.delete(channelId);
        return "ok";
      }
      if (current !== undefined && current !== peerId) return "busy";
      sharers.set(channelId, peerId);
      return "ok";
    },
    sharer: (channelId) => sharers.get(channelId) ?? null,
    close() {
      rooms.clear();
      where.clear();
      sharers.clear();
    },
  };
}
