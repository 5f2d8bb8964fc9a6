// Voice channels on /ws: EchoSphere's voice:join / voice:leave / voice:signal exactly, plus the
// screen share (voice:screen) and the live roster every server member sees (voice:roster); with a
// relay (REDIS_URL), the peers of other instances are in the same channels.
import { parseId } from "../../edge/fields.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { VoicePeer, VoiceRooms } from "../../realtime/voice.ts";
import type { WsClient, WsUser } from "../../realtime/ws.ts";
import { topics, type WorkspaceService } from "./service.ts";
import { WorkspaceError, type WsHandler } from "./errors.ts";
import type { VoiceRoster, WirePeer, WorkspaceEvent, WorkspaceEvents } from "./wire.ts";
import type { RemotePeer, VoiceRelay } from "./voice_relay.ts";

export interface VoiceWsDeps {
  service: Pick<WorkspaceService, "channelFor">;
  hub: Pick<Hub, "publish">;
  voice: VoiceRooms;
  /** Peers on other instances; unset: this process holds every voice channel. */
  relay?: VoiceRelay;
}

export interface VoiceWs {
  handlers: Record<string, WsHandler>;
  /** A closed socket leaves its voice channel; the others are told. */
  onClose(client: WsClient): void;
  /** The socket leaves its voice channel if it is one of `serverId`'s (kicked, banned, left). */
  leaveServer(client: WsClient, serverId: number): void;
  /** Who is in each voice channel of a server, by channel id. */
  rosters(serverId: number): Promise<Record<string, VoiceRoster>>;
  close(): void;
}

const wire = (p: VoicePeer): WirePeer => ({ id: p.id, email: p.email, displayName: p.displayName });
type Message = WorkspaceEvent & Record<string, unknown>;

/** When each local peer joined its channel: every instance lists a channel's peers in join order. */
function joinOrder() {
  const joinedAt = new Map<string, number>();
  const inOrder = (here: VoicePeer[], remote: RemotePeer[]): VoicePeer[] => {
    if (remote.length === 0) return here;
    const at = (p: VoicePeer) => (p as RemotePeer).joinedAt ?? joinedAt.get(p.id) ?? 0;
    return [...here, ...remote].sort((x, y) => at(x) - at(y) || (x.id < y.id ? -1 : 1));
  };
  return { joinedAt, inOrder };
}

/** What the voice handlers share: the rooms, the sockets in them, and how to tell the others. */
function voiceContext(deps: VoiceWsDeps) {
  const { service, hub, voice, relay } = deps;
  // The sockets in voice, to reach a peer by id; and each occupied channel's server, for rosters.
  const sockets = new Map<string, WsClient>();
  const serverOf = new Map<number, number>();
  // Closed sockets, so a join that was awaiting a lookup when its socket closed does not happen.
  const closed = new WeakSet<WsClient>();

  const elsewhere = (channelId: number): RemotePeer[] => relay?.peers(channelId) ?? [];
  const { joinedAt, inOrder } = joinOrder();
  /** Sends to `peers` here, and to the channel's peers on other instances unless `local`. */
  const sendTo = (peers: VoicePeer[], message: Message, remote: RemotePeer[] = []) => {
    for (const p of peers) sockets.get(p.id)?.send(message);
    if (remote.length) relay?.send(remote, message);
  };
  const sharerOf = (channelId: number) =>
    voice.sharer(channelId) ?? elsewhere(channelId).find((p) => p.sharing)?.id ?? null;
  const roster = (channelId: number): VoiceRoster => ({
    participants: inOrder(voice.peers(channelId), elsewhere(channelId)).map(wire),
    screen: sharerOf(channelId),
  });
  const publishRoster = (channelId: number, server?: number) => {
    const serverId = serverOf.get(channelId) ?? server ?? elsewhere(channelId)[0]?.serverId;
    if (serverId === undefined) return;
    const current = roster(channelId);
    const event: WorkspaceEvents["voice:roster"] = { serverId, channelId, ...current };
    hub.publish(topics.workspace(serverId), "voice:roster", event);
    if (voice.peers(channelId).length === 0) serverOf.delete(channelId);
  };
  /** Shares where a local peer is now (nowhere: null; `moved`: just joined) with the others. */
  const place = (peer: VoicePeer, channelId: number | null, moved = false) => {
    if (!relay) return;
    const serverId = channelId === null ? undefined : serverOf.get(channelId);
    const sharing = channelId !== null && voice.sharer(channelId) === peer.id;
    const { id, userId, email, displayName } = peer;
    if (serverId === undefined || moved) joinedAt.delete(id);
    if (serverId !== undefined && !joinedAt.has(id)) joinedAt.set(id, Date.now());
    const at = serverId === undefined ? null : {
      id,
      userId,
      email,
      displayName,
      channelId: channelId!,
      serverId,
      sharing,
      joinedAt: joinedAt.get(id)!,
    };
    relay.share(peer.id, at).catch(() => {});
  };
  /** Takes `peerId` out of `channelId`, telling who remains (and that its screen share ended). */
  const leave = (channelId: number, peer: VoicePeer, others: VoicePeer[], wasSharing: boolean) => {
    const remote = elsewhere(channelId);
    sendTo(others, { type: "voice:peer-left", channelId, peer: wire(peer) }, remote);
    if (wasSharing) sendTo(others, { type: "voice:screen", channelId, peer: null }, remote);
    publishRoster(channelId);
  };
  /** The channel a voice event names; 0 or absent means the one this socket is in. */
  const channelOr = (client: WsClient, value: unknown) =>
    parseId(value) ?? voice.channelOf(client.id);

  const voiceChannel = async (user: WsUser, channelId: number | null) => {
    if (channelId === null) throw new WorkspaceError("voice_invalid", "Channel id is required");
    try {
      const channel = await service.channelFor(user, channelId);
      if (channel.kind !== "voice") {
        throw new WorkspaceError("voice_invalid", "Not a voice channel");
      }
      return channel;
    } catch (error) {
      if (error instanceof WorkspaceError && error.code === "not_found") {
        throw new WorkspaceError("voice_invalid", "Not a voice channel");
      }
      throw error;
    }
  };
  return {
    ...{ voice, relay, sockets, serverOf, closed, elsewhere, sendTo, sharerOf, roster },
    ...{ inOrder, publishRoster, place, leave, channelOr, voiceChannel },
  };
}

type VoiceContext = ReturnType<typeof voiceContext>;

/** voice:join: into a voice channel (out of any other), told who is there; they are told too. */
function joinHandler(ctx: VoiceContext): WsHandler {
  const { voice, relay, sockets, serverOf, closed, elsewhere, sendTo, sharerOf } = ctx;
  const { inOrder, publishRoster, place, leave, voiceChannel } = ctx;
  return async (client, user, m) => {
    // The lookups come first: what follows reads and changes the voice rooms in one step.
    const channel = await voiceChannel(user, parseId(m.channelId));
    // Who is in it on other instances, as of now: they count toward the cap and are told.
    if (relay) await relay.refresh();
    if (closed.has(client)) return;
    const channelId = channel.id;
    const self: VoicePeer = {
      id: client.id,
      userId: user.id,
      email: user.email,
      displayName: user.displayName,
    };
    const from = voice.channelOf(client.id);
    const movingShare = from !== null && from !== channelId && voice.sharer(from) === client.id;
    const remote = elsewhere(channelId);
    const result = voice.join(channelId, self, remote.length);
    if (result === "full") {
      throw new WorkspaceError(
        "voice_full",
        `This voice channel is full: at most ${voice.maxPeers} people can talk at once`,
      );
    }
    sockets.set(client.id, client);
    serverOf.set(channelId, channel.serverId);
    if (result.left) leave(result.left.channelId, self, result.left.others, movingShare);
    place(self, channelId, from !== channelId);
    client.send({
      type: "voice:participants",
      channelId,
      participants: inOrder(result.participants, remote).map(wire),
      self: wire(self),
      screen: sharerOf(channelId),
    });
    const joined: Message = { type: "voice:peer-joined", channelId, peer: wire(self) };
    sendTo(result.participants, joined, remote);
    publishRoster(channelId);
  };
}

/** voice:leave, voice:signal and voice:screen: what a socket in a voice channel does there. */
function peerHandlers(ctx: VoiceContext): Record<string, WsHandler> {
  const { voice, relay, sockets, elsewhere, sendTo, place, leave } = ctx;
  const { channelOr } = ctx;
  /** A peer of another instance in the channel, read again if not known yet (it just joined). */
  const remotePeer = async (channelId: number, peerId: string) => {
    const find = () => elsewhere(channelId).find((p) => p.id === peerId);
    if (!relay || find()) return find();
    await relay.refresh();
    return find();
  };
  return {
    "voice:leave"(client, _user, m) {
      // EchoSphere answers a leave from a channel you are not in with nothing at all.
      const channelId = channelOr(client, m.channelId);
      const self = channelId === null ? null : voice.peer(channelId, client.id);
      if (channelId === null || !self) return;
      const wasSharing = voice.sharer(channelId) === client.id;
      const others = voice.leave(channelId, client.id) ?? [];
      sockets.delete(client.id);
      place(self, null);
      leave(channelId, self, others, wasSharing);
    },
    "voice:signal"(client, _user, m) {
      const channelId = channelOr(client, m.channelId);
      const self = channelId === null ? null : voice.peer(channelId, client.id);
      if (channelId === null || !self) {
        throw new WorkspaceError("voice_not_joined", "Join the voice channel before signaling");
      }
      if (typeof m.target !== "string" || m.target === "" || m.payload == null) {
        throw new WorkspaceError("voice_invalid", "A signal needs a target and a payload");
      }
      const { id: from, email, displayName } = self;
      const signal: Message = {
        type: "voice:signal",
        channelId,
        signal: { from, email, displayName, payload: m.payload },
      };
      const target = voice.peer(channelId, m.target);
      if (target) return sendTo([target], signal);
      const missing = () =>
        new WorkspaceError("voice_target_missing", "No such peer in this channel");
      if (!relay) throw missing();
      return remotePeer(channelId, m.target).then((remote) => {
        if (!remote) throw missing();
        sendTo([], signal, [remote]);
      });
    },
    "voice:screen": screenHandler(ctx),
  };
}

/** voice:screen: starts or stops this peer's screen share, one sharer per channel. */
function screenHandler(ctx: VoiceContext): WsHandler {
  const { voice, relay, elsewhere, sendTo, sharerOf, publishRoster, place, channelOr } = ctx;
  const share = (client: WsClient, m: Record<string, unknown>) => {
    const channelId = channelOr(client, m.channelId);
    const sharing = m.sharing === true;
    const before = channelId === null ? null : sharerOf(channelId);
    // One sharer per channel across instances: another instance's counts as busy here.
    const theirs = before !== null && before !== client.id && !voice.sharer(channelId!);
    const result = channelId === null
      ? "not_joined"
      : theirs && sharing && voice.peer(channelId, client.id)
      ? "busy"
      : voice.share(channelId, client.id, sharing);
    if (result === "not_joined") {
      throw new WorkspaceError(
        "voice_not_joined",
        "Join the voice channel before sharing a screen",
      );
    }
    if (result === "busy") {
      throw new WorkspaceError("voice_screen_busy", "Someone else is sharing a screen here");
    }
    const after = sharerOf(channelId!);
    if (before === after) return;
    const self = voice.peer(channelId!, client.id)!;
    const peer = after === null ? null : wire(self);
    place(self, channelId);
    const screen: Message = { type: "voice:screen", channelId: channelId!, peer };
    sendTo(voice.peers(channelId!), screen, elsewhere(channelId!));
    publishRoster(channelId!);
  };
  return (client, _user, m) => {
    // Whether another instance's peer shares already is read now, not as of the last read.
    if (relay && m.sharing === true) return relay.refresh().then(() => share(client, m));
    share(client, m);
  };
}

export function createVoiceWs(deps: VoiceWsDeps): VoiceWs {
  const ctx = voiceContext(deps);
  const { voice, relay, sockets, serverOf, closed, roster, place, leave } = ctx;
  const handlers: Record<string, WsHandler> = {
    "voice:join": joinHandler(ctx),
    ...peerHandlers(ctx),
  };
  relay?.onMessage((to, message) => {
    for (const id of to) sockets.get(id)?.send(message);
  });
  relay?.onGone((peers, speak) => remoteGone(ctx, peers, speak));

  return {
    handlers,
    onClose(client) {
      closed.add(client);
      if (!sockets.delete(client.id)) return;
      const channelId = voice.channelOf(client.id);
      const wasSharing = channelId !== null && voice.sharer(channelId) === client.id;
      for (const { channelId, peer, others } of voice.leaveAll(client.id)) {
        place(peer, null);
        leave(channelId, peer, others, wasSharing);
      }
    },
    leaveServer(client, serverId) {
      const channelId = voice.channelOf(client.id);
      if (channelId === null || serverOf.get(channelId) !== serverId) return;
      const wasSharing = voice.sharer(channelId) === client.id;
      for (const { channelId, peer, others } of voice.leaveAll(client.id)) {
        // Gone from the shared places too, as on close, so other instances see the kick.
        place(peer, null);
        leave(channelId, peer, others, wasSharing);
      }
    },
    async rosters(serverId) {
      await relay?.refresh();
      const channels = new Set(relay?.channels(serverId));
      for (const [channelId, server] of serverOf) if (server === serverId) channels.add(channelId);
      const out: Record<string, VoiceRoster> = {};
      for (const channelId of channels) {
        const current = roster(channelId);
        if (current.participants.length) out[channelId] = current;
      }
      return out;
    },
    close() {
      sockets.clear();
      serverOf.clear();
      voice.close();
      relay?.close();
    },
  };
}

/**
 * Peers whose instance died: no socket of theirs closes to say so. The peers here are told they
 * left (and that their screen share ended); one instance (`speak`) publishes the new rosters.
 */
function remoteGone(ctx: VoiceContext, peers: RemotePeer[], speak: boolean): void {
  const { voice, sendTo, publishRoster } = ctx;
  const channels = new Map<number, number>();
  for (const peer of peers) {
    const here = voice.peers(peer.channelId);
    const { channelId } = peer;
    sendTo(here, { type: "voice:peer-left", channelId, peer: wire(peer) });
    if (peer.sharing) sendTo(here, { type: "voice:screen", channelId, peer: null });
    channels.set(channelId, peer.serverId);
  }
  if (speak) { for (const [channelId, serverId] of channels) publishRoster(channelId, serverId); }
}
