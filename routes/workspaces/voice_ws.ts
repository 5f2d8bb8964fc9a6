// Voice channels on /ws: EchoSphere's voice:join / voice:leave / voice:signal exactly, plus the
// screen share (voice:screen) and the live roster every server member sees (voice:roster).
import { parseId } from "../../edge/fields.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { VoicePeer, VoiceRooms } from "../../realtime/voice.ts";
import type { WsClient, WsUser } from "../../realtime/ws.ts";
import { topics, type WorkspaceService } from "./service.ts";
import { WorkspaceError, type WsHandler } from "./errors.ts";
import type { VoiceRoster, WirePeer, WorkspaceEvent, WorkspaceEvents } from "./wire.ts";

export interface VoiceWsDeps {
  service: Pick<WorkspaceService, "channelFor">;
  hub: Pick<Hub, "publish">;
  voice: VoiceRooms;
}

export interface VoiceWs {
  handlers: Record<string, WsHandler>;
  /** A closed socket leaves its voice channel; the others are told. */
  onClose(client: WsClient): void;
  /** The socket leaves its voice channel if it is one of `serverId`'s (kicked, banned, left). */
  leaveServer(client: WsClient, serverId: number): void;
  /** Who is in each voice channel of a server, by channel id. */
  rosters(serverId: number): Record<string, VoiceRoster>;
  close(): void;
}

const wire = (p: VoicePeer): WirePeer => ({ id: p.id, email: p.email, displayName: p.displayName });

/** What the voice handlers share: the rooms, the sockets in them, and how to tell the others. */
function voiceContext(deps: VoiceWsDeps) {
  const { service, hub, voice } = deps;
  // The sockets in voice, to reach a peer by id; and each occupied channel's server, for rosters.
  const sockets = new Map<string, WsClient>();
  const serverOf = new Map<number, number>();

  const sendTo = (peers: VoicePeer[], message: WorkspaceEvent & Record<string, unknown>) => {
    for (const p of peers) sockets.get(p.id)?.send(message);
  };
  const roster = (channelId: number): VoiceRoster => ({
    participants: voice.peers(channelId).map(wire),
    screen: voice.sharer(channelId),
  });
  const publishRoster = (channelId: number) => {
    const serverId = serverOf.get(channelId);
    if (serverId === undefined) return;
    const current = roster(channelId);
    const event: WorkspaceEvents["voice:roster"] = { serverId, channelId, ...current };
    hub.publish(topics.workspace(serverId), "voice:roster", event);
    if (current.participants.length === 0) serverOf.delete(channelId);
  };
  /** Takes `peerId` out of `channelId`, telling who remains (and that its screen share ended). */
  const leave = (channelId: number, peer: VoicePeer, others: VoicePeer[], wasSharing: boolean) => {
    sendTo(others, { type: "voice:peer-left", channelId, peer: wire(peer) });
    if (wasSharing) sendTo(others, { type: "voice:screen", channelId, peer: null });
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
    voice,
    sockets,
    serverOf,
    sendTo,
    roster,
    publishRoster,
    leave,
    channelOr,
    voiceChannel,
  };
}

type VoiceContext = ReturnType<typeof voiceContext>;

/** voice:join: into a voice channel (out of any other), told who is there; they are told too. */
function joinHandler(ctx: VoiceContext): WsHandler {
  const { voice, sockets, serverOf, sendTo, publishRoster, leave, voiceChannel } = ctx;
  return async (client, user, m) => {
    // The lookup comes first: what follows reads and changes the voice rooms in one step.
    const channel = await voiceChannel(user, parseId(m.channelId));
    const channelId = channel.id;
    const self: VoicePeer = {
      id: client.id,
      userId: user.id,
      email: user.email,
      displayName: user.displayName,
    };
    const from = voice.channelOf(client.id);
    const movingShare = from !== null && from !== channelId && voice.sharer(from) === client.id;
    const result = voice.join(channelId, self);
    if (result === "full") {
      throw new WorkspaceError(
        "voice_full",
        `This voice channel is full: at most ${voice.maxPeers} people can talk at once`,
      );
    }
    sockets.set(client.id, client);
    serverOf.set(channelId, channel.serverId);
    if (result.left) leave(result.left.channelId, self, result.left.others, movingShare);
    client.send({
      type: "voice:participants",
      channelId,
      participants: result.participants.map(wire),
      self: wire(self),
      screen: voice.sharer(channelId),
    });
    sendTo(result.participants, { type: "voice:peer-joined", channelId, peer: wire(self) });
    publishRoster(channelId);
  };
}

/** voice:leave, voice:signal and voice:screen: what a socket in a voice channel does there. */
function peerHandlers(ctx: VoiceContext): Record<string, WsHandler> {
  const { voice, sockets, sendTo, publishRoster, leave, channelOr } = ctx;
  return {
    "voice:leave"(client, _user, m) {
      // EchoSphere answers a leave from a channel you are not in with nothing at all.
      const channelId = channelOr(client, m.channelId);
      const self = channelId === null ? null : voice.peer(channelId, client.id);
      if (channelId === null || !self) return;
      const wasSharing = voice.sharer(channelId) === client.id;
      const others = voice.leave(channelId, client.id) ?? [];
      sockets.delete(client.id);
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
      const target = voice.peer(channelId, m.target);
      if (!target) throw new WorkspaceError("voice_target_missing", "No such peer in this channel");
      sendTo([target], {
        type: "voice:signal",
        channelId,
        signal: {
          from: self.id,
          email: self.email,
          displayName: self.displayName,
          payload: m.payload,
        },
      });
    },
    "voice:screen"(client, _user, m) {
      const channelId = channelOr(client, m.channelId);
      const sharing = m.sharing === true;
      const before = channelId === null ? null : voice.sharer(channelId);
      const result = channelId === null ? "not_joined" : voice.share(channelId, client.id, sharing);
      if (result === "not_joined") {
        throw new WorkspaceError(
          "voice_not_joined",
          "Join the voice channel before sharing a screen",
        );
      }
      if (result === "busy") {
        throw new WorkspaceError("voice_screen_busy", "Someone else is sharing a screen here");
      }
      const after = voice.sharer(channelId!);
      if (before === after) return;
      const self = voice.peer(channelId!, client.id)!;
      const peer = after === null ? null : wire(self);
      sendTo(voice.peers(channelId!), { type: "voice:screen", channelId: channelId!, peer });
      publishRoster(channelId!);
    },
  };
}

export function createVoiceWs(deps: VoiceWsDeps): VoiceWs {
  const ctx = voiceContext(deps);
  const { voice, sockets, serverOf, roster, leave } = ctx;
  const handlers: Record<string, WsHandler> = {
    "voice:join": joinHandler(ctx),
    ...peerHandlers(ctx),
  };

  return {
    handlers,
    onClose(client) {
      if (!sockets.delete(client.id)) return;
      const channelId = voice.channelOf(client.id);
      const wasSharing = channelId !== null && voice.sharer(channelId) === client.id;
      for (const { channelId, peer, others } of voice.leaveAll(client.id)) {
        leave(channelId, peer, others, wasSharing);
      }
    },
    leaveServer(client, serverId) {
      const channelId = voice.channelOf(client.id);
      if (channelId === null || serverOf.get(channelId) !== serverId) return;
      const wasSharing = voice.sharer(channelId) === client.id;
      for (const { channelId, peer, others } of voice.leaveAll(client.id)) {
        leave(channelId, peer, others, wasSharing);
      }
    },
    rosters(serverId) {
      const out: Record<string, VoiceRoster> = {};
      for (const [channelId, server] of serverOf) {
        if (server === serverId) out[channelId] = roster(channelId);
      }
      return out;
    },
    close() {
      sockets.clear();
      serverOf.clear();
      voice.close();
    },
  };
}
