// Workspaces on /ws: EchoSphere's envelopes and codes (voice:* in voice_ws.ts), plus typing, read,
// presence, and guards for the `channel:`, `workspace:` and `account:` topics.
import { parseId } from "../../edge/fields.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { TopicNamespace } from "../../realtime/topics.ts";
import type { WsClient, WsFeature, WsUser } from "../../realtime/ws.ts";
import { createVoiceRooms } from "../../realtime/voice.ts";
import type { Logger } from "../../log.ts";
import type { Presence } from "./presence.ts";
import { topics, type WorkspaceService } from "./service.ts";
import { createVoiceWs, type VoiceWs } from "./voice_ws.ts";
import { runHandler, type WorkspaceCode, WorkspaceError } from "./errors.ts";

export interface WorkspacesWsDeps {
  service: WorkspaceService;
  hub: Pick<Hub, "publish" | "lastId">;
  presence: Presence;
  log: Logger;
}

export interface WorkspacesWs {
  features: WsFeature[];
  voice: Pick<VoiceWs, "rosters">;
  /** `channel:`, `workspace:` and `account:`, for the topic table; /ws only (SSE has no session). */
  topics: TopicNamespace[];
  close(): void;
}

type Msg = Record<string, unknown>;

const MAX_MESSAGE = 2000;

/** A required id; EchoSphere answers a missing channel id with `invalid_channel`. */
const positiveId = (value: unknown, what: string, code: WorkspaceCode = "bad_request"): number => {
  const id = parseId(value);
  if (id === null) throw new WorkspaceError(code, `${what} must be a positive integer`);
  return id;
};

export function createWorkspacesWs(deps: WorkspacesWsDeps): WorkspacesWs {
  const { service, hub, presence } = deps;
  const voice = createVoiceWs({ service, hub, voice: createVoiceRooms() });
  // Sockets this feature has seen, with the channels they follow (typing goes only to those).
  const clients = new Map<string, { client: WsClient; channels: Set<number> }>();
  const watchers = new Map<number, Set<WsClient>>();

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

  const handlers: Record<string, (client: WsClient, user: WsUser, m: Msg) => void> = {
    subscribe(client, user, m) {
      const channelId = positiveId(m.channelId, "channelId", "invalid_channel");
      service.channelFor(user, channelId);
      const since = typeof m.since === "number" && m.since >= 0 ? m.since : undefined;
      const topic = topics.channel(channelId);
      if (!client.subscribe(topic, since)) return;
      watch(client, channelId);
      // After the replay: the client now knows it is live, and from which event id.
      client.send({ type: "subscribed", channelId, topic, eventId: hub.lastId(topic) });
    },
    unsubscribe(client, _user, m) {
      // EchoSphere never answers an unsubscribe, even from a channel it does not follow.
      const channelId = parseId(m.channelId);
      if (channelId === null) return;
      unwatch(client, channelId);
      client.unsubscribe(topics.channel(channelId));
    },
    message(client, user, m) {
      // EchoSphere's checks, in its order: ids and text, subscription, length.
      const channelId = parseId(m.channelId);
      const content = typeof m.content === "string" ? m.content.trim() : "";
      if (channelId === null || !content) {
        throw new WorkspaceError("invalid_message", "Channel and content are required");
      }
      if (!clients.get(client.id)?.channels.has(channelId)) {
        throw new WorkspaceError("not_subscribed", "Subscribe to the channel before sending");
      }
      if ([...content].length > MAX_MESSAGE) {
        throw new WorkspaceError(
          "too_long",
          `Message content must be at most ${MAX_MESSAGE} characters`,
        );
      }
      service.postMessage(user, channelId, content);
    },
    typing(client, user, m) {
      const channelId = positiveId(m.channelId, "channelId", "invalid_channel");
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
      const channelId = positiveId(m.channelId, "channelId", "invalid_channel");
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
    ...voice.handlers,
  };

  const main: WsFeature = {
    types: Object.keys(handlers),
    handle: (client, message) => runHandler(handlers, client, message, seen),
    onClose(client) {
      voice.onClose(client);
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
    voice,
    close() {
      voice.close();
      clients.clear();
      watchers.clear();
    },
  };
}
