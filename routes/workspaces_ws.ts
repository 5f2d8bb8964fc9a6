// Workspaces on /ws: EchoSphere's flat envelopes (subscribe, message, voice:*), plus typing, read,
// presence, and guards for the `channel:`, `workspace:` and `account:` topics.
import { HttpError } from "../errors.ts";
import type { Hub } from "../realtime/hub.ts";
import type { TopicNamespace } from "../realtime/topics.ts";
import type { WsClient, WsFeature, WsUser } from "../realtime/ws.ts";
import { createVoiceRooms, type VoicePeer } from "../realtime/voice.ts";
import type { Logger } from "../log.ts";
import type { Presence } from "./workspaces_presence.ts";
import { topics, type WorkspaceService } from "./workspaces_service.ts";

export interface WorkspacesWsDeps {
  service: WorkspaceService;
  hub: Pick<Hub, "publish" | "lastId">;
  presence: Presence;
  log: Logger;
}

export interface WorkspacesWs {
  features: WsFeature[];
  /** `channel:`, `workspace:` and `account:`, for the topic table; /ws only (SSE has no session). */
  topics: TopicNamespace[];
  close(): void;
}

type Msg = Record<string, unknown>;

class WsProblem extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const positiveId = (value: unknown, what: string): number => {
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  if (typeof value === "string" && /^[1-9][0-9]{0,15}$/.test(value)) return Number(value);
  throw new WsProblem("bad_request", `${what} must be a positive integer`);
};

export function createWorkspacesWs(deps: WorkspacesWsDeps): WorkspacesWs {
  const { service, hub, presence } = deps;
  const voice = createVoiceRooms();
  // Sockets this feature has seen, with the channels they follow (typing goes only to those).
  const clients = new Map<string, { client: WsClient; channels: Set<number> }>();
  const watchers = new Map<number, Set<WsClient>>();

  const userOf = (client: WsClient): WsUser => {
    if (!client.user) throw new WsProblem("unauthorized", "Log in to use workspaces");
    return client.user;
  };
  const announcePresence = (user: WsUser, online: boolean) => {
    for (const serverId of service.serverIdsOf(user.id)) {
      hub.publish(topics.workspace(serverId), "presence", { serverId, userId: user.id, online });
    }
  };
  /** Counts the socket as online the first time it talks to workspaces. */
  const seen = (client: WsClient) => {
    if (!client.user || clients.has(client.id)) return clients.get(client.id);
    const entry = { client, channels: new Set<number>() };
    clients.set(client.id, entry);
    if (presence.connect(client.user.id)) announcePresence(client.user, true);
    return entry;
  };
  const watch = (client: WsClient, channelId: number) => {
    seen(client)?.channels.add(channelId);
    let set = watchers.get(channelId);
    if (!set) watchers.set(channelId, set = new Set());
    set.add(client);
  };
  const unwatch = (client: WsClient, channelId: number) => {
    clients.get(client.id)?.channels.delete(channelId);
    const set = watchers.get(channelId);
    set?.delete(client);
    if (set?.size === 0) watchers.delete(channelId);
  };
  const peerOf = (client: WsClient, user: WsUser): VoicePeer => ({
    id: client.id,
    userId: user.id,
    email: user.email,
    displayName: user.displayName,
  });
  const sendTo = (peers: VoicePeer[], message: Msg) => {
    for (const p of peers) clients.get(p.id)?.client.send(message);
  };

  const handlers: Record<string, (client: WsClient, user: WsUser, m: Msg) => void> = {
    subscribe(client, user, m) {
      const channelId = positiveId(m.channelId, "channelId");
      service.channelFor(user, channelId);
      const since = typeof m.since === "number" && m.since >= 0 ? m.since : undefined;
      const topic = topics.channel(channelId);
      if (!client.subscribe(topic, since)) return;
      watch(client, channelId);
      // After the replay: the client now knows it is live, and from which event id.
      client.send({ type: "subscribed", channelId, topic, eventId: hub.lastId(topic) });
    },
    unsubscribe(client, _user, m) {
      const channelId = positiveId(m.channelId, "channelId");
      unwatch(client, channelId);
      client.unsubscribe(topics.channel(channelId));
    },
    message(_client, user, m) {
      service.postMessage(user, positiveId(m.channelId, "channelId"), m.content);
    },
    typing(client, user, m) {
      const channelId = positiveId(m.channelId, "channelId");
      service.textChannel(user, channelId);
      const event = {
        type: "typing",
        channelId,
        userId: user.id,
        email: user.email,
        displayName: user.displayName,
      };
      // Typing is fleeting: sent to who watches now, never kept in the hub's history.
      for (const other of watchers.get(channelId) ?? []) if (other !== client) other.send(event);
    },
    read(_client, user, m) {
      const channelId = positiveId(m.channelId, "channelId");
      const messageId = m.messageId === undefined
        ? undefined
        : positiveId(m.messageId, "messageId");
      service.markRead(user, channelId, messageId);
    },
    presence(client, user, m) {
      const serverId = positiveId(m.serverId, "serverId");
      const members = service.members(user, serverId);
      client.send({
        type: "presence",
        serverId,
        online: members.filter((member) => member.online).map((member) => member.id),
      });
    },
    "voice:join"(client, user, m) {
      const channelId = positiveId(m.channelId, "channelId");
      const channel = service.channelFor(user, channelId);
      if (channel.kind !== "voice") {
        throw new WsProblem("wrong_kind", "Voice is only available in voice channels");
      }
      const self = peerOf(client, user);
      const { participants, left } = voice.join(channelId, self);
      if (left) {
        sendTo(left.others, { type: "voice:peer-left", channelId: left.channelId, peer: self });
      }
      client.send({ type: "voice:participants", channelId, participants, self });
      sendTo(participants, { type: "voice:peer-joined", channelId, peer: self });
    },
    "voice:leave"(client, _user, m) {
      const channelId = m.channelId === undefined
        ? voice.channelOf(client.id)
        : positiveId(m.channelId, "channelId");
      const self = channelId === null ? null : voice.peer(channelId, client.id);
      if (channelId === null || !self) {
        throw new WsProblem("not_in_voice", "You are not in that voice channel");
      }
      sendTo(voice.leave(channelId, client.id) ?? [], {
        type: "voice:peer-left",
        channelId,
        peer: self,
      });
    },
    "voice:signal"(client, _user, m) {
      const channelId = positiveId(m.channelId, "channelId");
      const self = voice.peer(channelId, client.id);
      if (!self) throw new WsProblem("not_in_voice", "Join the voice channel before signaling");
      const target = typeof m.target === "string" ? voice.peer(channelId, m.target) : null;
      if (!target) throw new WsProblem("peer_not_found", "No such peer in this voice channel");
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
  };

  const main: WsFeature = {
    types: Object.keys(handlers),
    handle(client, message) {
      const type = String(message.type);
      const extra = message.channelId === undefined ? {} : { channelId: message.channelId };
      try {
        const user = userOf(client);
        seen(client);
        handlers[type](client, user, message);
      } catch (error) {
        if (error instanceof WsProblem) return client.error(error.code, error.message, extra);
        if (error instanceof HttpError) {
          return client.error(error.code ?? "bad_request", error.message, extra);
        }
        throw error;
      }
    },
    onClose(client) {
      for (const { channelId, peer, others } of voice.leaveAll(client.id)) {
        sendTo(others, { type: "voice:peer-left", channelId, peer });
      }
      const entry = clients.get(client.id);
      if (!entry) return;
      for (const channelId of entry.channels) unwatch(client, channelId);
      clients.delete(client.id);
      if (presence.disconnect(client.user!.id)) announcePresence(client.user!, false);
    },
  };
  const namespaces: TopicNamespace[] = [{
    prefix: "channel:",
    authorize(client, topic) {
      const channelId = Number(topic.slice("channel:".length));
      if (!client?.user || !Number.isInteger(channelId)) return false;
      if (!service.readable(client.user.id, channelId)) return false;
      watch(client, channelId);
      return true;
    },
  }, {
    prefix: "workspace:",
    authorize(client, topic) {
      const serverId = Number(topic.slice("workspace:".length));
      if (!client?.user || !Number.isInteger(serverId)) return false;
      if (!service.isMember(client.user.id, serverId)) return false;
      seen(client);
      return true;
    },
  }, {
    prefix: "account:",
    authorize: (client, topic) => !!client?.user && topic === topics.account(client.user.id),
  }];

  return {
    features: [main],
    topics: namespaces,
    close() {
      voice.close();
      clients.clear();
      watchers.clear();
    },
  };
}
