// Voice signaling state: who is in which voice channel. Pure bookkeeping; /ws does the sending.

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

export interface VoiceRooms {
  join(channelId: number, peer: VoicePeer): JoinResult;
  /** The peers left behind, or null when `peerId` was not in the channel. */
  leave(channelId: number, peerId: string): VoicePeer[] | null;
  /** Takes a peer out of wherever it is (its socket closed). */
  leaveAll(peerId: string): { channelId: number; peer: VoicePeer; others: VoicePeer[] }[];
  channelOf(peerId: string): number | null;
  peer(channelId: number, peerId: string): VoicePeer | null;
  peers(channelId: number): VoicePeer[];
  close(): void;
}

export function createVoiceRooms(): VoiceRooms {
  const rooms = new Map<number, Map<string, VoicePeer>>();
  const where = new Map<string, number>();

  const leave = (channelId: number, peerId: string): VoicePeer[] | null => {
    const room = rooms.get(channelId);
    if (!room?.delete(peerId)) return null;
    where.delete(peerId);
    if (room.size === 0) rooms.delete(channelId);
    return [...room.values()];
  };

  return {
    join(channelId, peer) {
      let left: JoinResult["left"];
      const current = where.get(peer.id);
      if (current !== undefined && current !== channelId) {
        left = { channelId: current, others: leave(current, peer.id) ?? [] };
      }
      let room = rooms.get(channelId);
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
    close() {
      rooms.clear();
      where.clear();
    },
  };
}
