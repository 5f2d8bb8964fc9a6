// Workspaces on /ws: EchoSphere's envelopes and codes (voice:* in voice_ws.ts), plus typing, read,
// presence, and guards for the `channel:`, `workspace:` and `account:` topics.
import { longerThan, parseId } from "../../edge/fields.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { TopicNamespace } from "../../realtime/topics.ts";
import type { WsClient, WsFeature } from "../../realtime/ws.ts";
import { createVoiceRooms } from "../../realtime/voice.ts";
import type { Logger } from "../../log.ts";
import type { Presence } from "./presence.ts";
import { topics, type WorkspaceService } from "./service.ts";
import { createVoiceWs, type VoiceWs } from "./voice_ws.ts";
import { createMemberSockets, type MemberSockets } from "./community_sockets.ts";
import type { VoiceRelay } from "./voice_relay.ts";
import { runHandler, type WorkspaceCode, WorkspaceError, type WsHandler } from "./errors.ts";
import type { WorkspaceEvents } from "./wire.ts";
import { messageExtrasHandlers } from "./msg_ws.ts";

export interface WorkspacesWsDeps {
  service: WorkspaceService;
  hub: Pick<Hub, "publish">;
  presence: Presence;
  log: Logger;
  /** Voice peers on other instances (REDIS_URL); unset: every voice channel is in this process. */
  relay?: VoiceRelay;
}

export interface WorkspacesWs {
  features: WsFeature[];
  voice: Pick<VoiceWs, "rosters" | "leaveServer">;
  /** Each user's open sockets, so a kick or ban unsubscribes them at once (community). */
  sockets: MemberSockets;
  /** `channel:`, `workspace:` and `account:`, for the topic table; /ws only (SSE has no session). */
  topics: TopicNamespace[];
  close(): void;
}

const MAX_MESSAGE = 2000;

/** A required id; EchoSphere answers a missing channel id with `invalid_channel`. */
const positiveId = (value: unknown, what: string, code: WorkspaceCode = "bad_request"): number => {
  const id = parseId(value);
  if (id === null) throw new WorkspaceError(code, `${what} must be a positive integer`);
  return id;
};

/** Who is online: a socket counts the first time it talks to workspaces, until it closes. */
function onlineTracker(deps: WorkspacesWsDeps) {
  const { service, hub, presence } = deps;
  const seenIds = new Set<string>();
  const announce = async (userId: number, online: boolean) => {
    for (const serverId of await service.serverIdsOf(userId)) {
      const event: WorkspaceEvents["presence"] = { serverId, userId, online };
      hub.publish(topics.workspace(serverId), "presence", event);
    }
  };
  // A database error is logged, not thrown at the socket that happened to come online.
  const tell = (userId: number, online: boolean) =>
    announce(userId, online).catch((error) =>
      deps.log.error("Cannot announce presence", { error: String(error) })
    );
  // Users of an instance that died: no socket of theirs closes anywhere to say so.
  presence.onExpired((userId) => void tell(userId, false));
  return {
    /** Resolves once told, so a socket's own coming online is published before it follows. */
    async seen(client: WsClient): Promise<void> {
      if (!client.user || seenIds.has(client.id)) return;
      seenIds.add(client.id);
      if (presence.connect(client.user.id)) await tell(client.user.id, true);
    },
    closed(client: WsClient) {
      if (!seenIds.delete(client.id)) return;
      if (presence.disconnect(client.user!.id)) tell(client.user!.id, false);
    },
    clear: () => seenIds.clear(),
  };
}

/** EchoSphere's text-channel messages: subscribe, unsubscribe, message, typing, read, presence. */
function textHandlers(deps: WorkspacesWsDeps): Record<string, WsHandler> {
  const { service, hub } = deps;
  return {
    async subscribe(client, user, m) {
      const channelId = positiveId(m.channelId, "channelId", "invalid_channel");
      await service.channelFor(user, channelId);
      const since = typeof m.since === "number" && m.since >= 0 ? m.since : undefined;
      const topic = topics.channel(channelId);
      // After the replay: the client now knows it is live, and from which event id.
      client.subscribe(topic, since, (eventId) => {
        client.send({ type: "subscribed", channelId, topic, eventId });
      });
    },
    unsubscribe(client, _user, m) {
      // EchoSphere never answers an unsubscribe, even from a channel it does not follow.
      const channelId = parseId(m.channelId);
      if (channelId !== null) client.unsubscribe(topics.channel(channelId));
    },
    async message(client, user, m) {
      // EchoSphere's checks, in its order: ids and text, subscription, length.
      const channelId = parseId(m.channelId);
      const content = typeof m.content === "string" ? m.content.trim() : "";
      if (channelId === null || !content) {
        throw new WorkspaceError("invalid_message", "Channel and content are required");
      }
      if (!client.follows(topics.channel(channelId))) {
        throw new WorkspaceError("not_subscribed", "Subscribe to the channel before sending");
      }
      if (longerThan(content, MAX_MESSAGE)) {
        const error = `Message content must be at most ${MAX_MESSAGE} characters`;
        throw new WorkspaceError("too_long", error);
      }
      await service.postMessage(user, channelId, content, { replyTo: m.replyTo });
    },
    async typing(_client, user, m) {
      const channelId = positiveId(m.channelId, "channelId", "invalid_channel");
      await service.textChannel(user, channelId);
      const { id: userId, email, displayName } = user;
      // Typing is fleeting: who follows the channel now hears it; it is never kept or replayed.
      const data = { channelId, userId, email, displayName };
      hub.publish(topics.channel(channelId), "typing", data, { history: false });
    },
    async read(_client, user, m) {
      const channelId = positiveId(m.channelId, "channelId", "invalid_channel");
      const messageId = m.messageId === undefined
        ? undefined
        : positiveId(m.messageId, "messageId");
      await service.markRead(user, channelId, messageId);
    },
    async presence(client, user, m) {
      const serverId = positiveId(m.serverId, "serverId");
      const online = (await service.members(user, serverId)).filter((member) => member.online);
      client.send({ type: "presence", serverId, online: online.map((member) => member.id) });
    },
  };
}

/** Who may follow `channel:`, `workspace:` and `account:` topics (the generic subscribe). */
function workspaceTopics(
  service: WorkspaceService,
  seen: (client: WsClient) => Promise<void>,
): TopicNamespace[] {
  /** `prefix<id>` for a signed-in member; following one counts the socket as online. */
  const byId = (prefix: string, allowed: (userId: number, id: number) => Promise<boolean>) => ({
    prefix,
    async authorize(client: WsClient | null, topic: string) {
      const id = Number(topic.slice(prefix.length));
      if (!client?.user || !Number.isInteger(id)) return false;
      // Seen first: the membership check is then the last await before the transport subscribes,
      // so a kick landing meanwhile finds the subscription to undo (community_sockets.ts).
      await seen(client);
      return await allowed(client.user.id, id);
    },
  });
  return [
    byId(
      "channel:",
      async (userId, channelId) => await service.readable(userId, channelId) !== null,
    ),
    byId("workspace:", (userId, serverId) => service.isMember(userId, serverId)),
    {
      prefix: "account:",
      authorize: (client, topic) => !!client?.user && topic === topics.account(client.user.id),
    },
  ];
}

export function createWorkspacesWs(deps: WorkspacesWsDeps): WorkspacesWs {
  const { service, hub } = deps;
  const voice = createVoiceWs({ service, hub, voice: createVoiceRooms(), relay: deps.relay });
  const tracker = onlineTracker(deps);
  const sockets = createMemberSockets();
  const online = {
    ...tracker,
    seen: (client: WsClient) => (sockets.track(client), tracker.seen(client)),
  };
  const handlers = { ...textHandlers(deps), ...messageExtrasHandlers(service), ...voice.handlers };

  // One socket's messages run one after another, as EchoSphere reads them: a subscribe's lookup
  // finishes before the message sent right after it is checked against the subscription.
  const queues = new WeakMap<WsClient, Promise<void>>();
  const main: WsFeature = {
    types: Object.keys(handlers),
    handle(client, message) {
      const run = (queues.get(client) ?? Promise.resolve())
        .then(() => runHandler(handlers, client, message, online.seen));
      queues.set(client, run.catch(() => {}));
      return run;
    },
    onClose(client) {
      voice.onClose(client);
      sockets.untrack(client);
      online.closed(client);
    },
  };
  return {
    features: [main],
    topics: workspaceTopics(service, online.seen),
    voice,
    sockets,
    close() {
      voice.close();
      online.clear();
    },
  };
}
