// The workspace service: servers, channels and members here, invites, messages and access rules in
// service_*.ts beside it; REST and /ws both call it, so the two can never disagree.
import type { Hub } from "../../realtime/hub.ts";
import type { MessagesStore } from "../../storage/workspace_messages_store.ts";
import type { Channel, ChannelKind, WorkspacesStore } from "../../storage/workspaces_store.ts";
import { WorkspaceError } from "./errors.ts";
import type { Presence } from "./presence.ts";
import type { MessageExtrasStore } from "../../storage/workspace_message_extras_store.ts";
import type { Sql } from "../../storage/sql.ts";
import { createMessageFeatures, type MessageFeatures } from "./msg_service.ts";
import { publisher, serverView, topics } from "./service_events.ts";
import { inviteActions } from "./service_invites.ts";
import { messageActions, readActions } from "./service_messages.ts";
import { accessRules, cleanContent, cleanName, type Rules, type User } from "./service_rules.ts";
import type { Bootstrap, ServerWithChannels } from "./wire.ts";

export { cleanContent, cleanName, topics };

export interface WorkspaceServiceDeps {
  workspaces: WorkspacesStore;
  messages: MessagesStore;
  /** Replies, mentions, reactions, pins (msg_service.ts). */
  extras: MessageExtrasStore;
  sql: Pick<Sql, "transaction">;
  hub: Pick<Hub, "publish">;
  presence: Pick<Presence, "isOnline">;
  basePath: string;
}

export type WorkspaceService = ReturnType<typeof createWorkspaceService>;

const onlineMembers = async (deps: WorkspaceServiceDeps, serverId: number) =>
  (await deps.workspaces.members(serverId))
    .map((m) => ({ ...m, online: deps.presence.isOnline(m.id) }));

/** Servers and their channels and members. */
function serverActions(
  deps: WorkspaceServiceDeps,
  { roleIn, managerOf }: Rules,
  features: MessageFeatures,
) {
  const publish = publisher(deps.hub);
  const { workspaces, messages } = deps;
  const members = (serverId: number) => onlineMembers(deps, serverId);
  return {
    async bootstrap(
      user: User,
      want: { serverId?: number; channelId?: number },
    ): Promise<Bootstrap> {
      const servers = await workspaces.serversOf(user.id);
      const active = servers.find((s) => s.id === want.serverId) ?? servers[0];
      const channels = active ? await workspaces.channels(active.id) : [];
      const texts = channels.filter((c) => c.kind === "text");
      const channel = texts.find((c) => c.id === want.channelId) ?? texts[0];
      const mentionCount = await features.mentionCounts(user);
      return {
        user: { id: user.id, email: user.email, displayName: user.displayName },
        servers: servers.map((s) => serverView(s, s.role)),
        activeServerId: active?.id ?? null,
        channels,
        activeChannelId: channel?.id ?? null,
        messages: channel
          ? await features.decorate(await messages.history(channel.id, { limit: 50 }))
          : [],
        members: active ? await members(active.id) : [],
        unread: await messages.unreadCounts(user.id),
        // Only when there are some: EchoSphere's bootstrap keeps its keys otherwise.
        ...(Object.keys(mentionCount).length ? { mentionCount } : {}),
      };
    },

    async createServer(user: User, name: unknown): Promise<ServerWithChannels> {
      const { server, channels } = await workspaces.createServer(
        user.id,
        cleanName(name, "Name", 100),
      );
      return { server: serverView(server, "owner"), channels };
    },

    async server(user: User, serverId: number): Promise<ServerWithChannels> {
      const { server, role } = await roleIn(user, serverId);
      return { server: serverView(server, role), channels: await workspaces.channels(serverId) };
    },

    async createChannel(user: User, serverId: number, name: unknown, kind: unknown) {
      await managerOf(user, serverId, "create channels");
      const cleanKind = kind === undefined ? "text" : kind;
      if (cleanKind !== "text" && cleanKind !== "voice") {
        throw new WorkspaceError("invalid", 'Channel kind must be "text" or "voice"');
      }
      const channel = await workspaces.createChannel(
        serverId,
        cleanName(name, "Channel name", 64),
        cleanKind as ChannelKind,
      );
      publish(topics.workspace(serverId), "channel", { serverId, channel });
      return channel;
    },

    async members(user: User, serverId: number) {
      await roleIn(user, serverId);
      return await members(serverId);
    },
  };
}

export function createWorkspaceService(deps: WorkspaceServiceDeps) {
  const { workspaces } = deps;
  const rules = accessRules(deps);
  const features = createMessageFeatures(deps, rules, topics);
  return {
    channelFor: rules.channelFor,
    textChannel: rules.textChannel,
    /** The channel when `userId` may read it, else null (for /ws authorisation). */
    async readable(userId: number, channelId: number): Promise<Channel | null> {
      const found = await workspaces.channelAs(channelId, userId);
      return found?.role ? found.channel : null;
    },
    isMember: async (userId: number, serverId: number) =>
      await workspaces.role(serverId, userId) !== null,
    serverIdsOf: async (userId: number) => (await workspaces.serversOf(userId)).map((s) => s.id),
    ...serverActions(deps, rules, features),
    ...inviteActions(deps, rules),
    ...messageActions(deps, rules, features),
    ...readActions(deps, rules, features),
  };
}
