// Workspace rules in one place (membership, ownership, kinds, limits) and the events they publish;
// REST and /ws both call these, so the two can never disagree.
import type { Hub } from "../../realtime/hub.ts";
import type { Account } from "../../storage/accounts_store.ts";
import { hasControlCharacters, longerThan } from "../../edge/fields.ts";
import {
  type Message,
  type MessagesStore,
  rfc3339,
} from "../../storage/workspace_messages_store.ts";
import type {
  Channel,
  ChannelKind,
  Invite,
  Role,
  Server,
  WorkspacesStore,
} from "../../storage/workspaces_store.ts";
import { WorkspaceError } from "./errors.ts";
import type { Presence } from "./presence.ts";
import type { MessageExtrasStore } from "../../storage/workspace_message_extras_store.ts";
import type { Sql } from "../../storage/sql.ts";
import { createMessageFeatures, type MessageFeatures } from "./msg_service.ts";
import type {
  Bootstrap,
  DeletedMessage,
  InvitePreview,
  InviteView,
  MemberView,
  ReadPosition,
  RedeemedInvite,
  ServerView,
  ServerWithChannels,
  WorkspaceEvents,
} from "./wire.ts";

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

type User = Pick<Account, "id" | "email" | "displayName">;

export const topics = {
  channel: (id: number) => `channel:${id}`,
  workspace: (serverId: number) => `workspace:${serverId}`,
  account: (userId: number) => `account:${userId}`,
};

const MAX_MESSAGE = 2000;

/** A trimmed name of 1..max printable characters, or an `invalid` error naming `what`. */
export function cleanName(value: unknown, what: string, max: number): string {
  const name = typeof value === "string" ? value.trim().replace(/\s+/g, " ") : "";
  if (!name) throw new WorkspaceError("invalid", `${what} is required`);
  if (longerThan(name, max) || hasControlCharacters(name)) {
    throw new WorkspaceError("invalid", `${what} must be at most ${max} printable characters`);
  }
  return name;
}

/** Message text: trimmed, 1..2000 characters. */
export function cleanContent(value: unknown): string {
  const content = typeof value === "string" ? value.trim() : "";
  if (!content) throw new WorkspaceError("invalid", "Message content is required");
  if (longerThan(content, MAX_MESSAGE)) {
    throw new WorkspaceError(
      "too_long",
      `Message content must be at most ${MAX_MESSAGE} characters`,
    );
  }
  return content;
}

export type WorkspaceService = ReturnType<typeof createWorkspaceService>;

const serverView = (s: Server, role: Role): ServerView => ({
  id: s.id,
  name: s.name,
  ownerId: s.ownerId,
  role,
  isDefault: s.isDefault,
});

/** Who may do what: each lookup fails with the WorkspaceError EchoSphere answers it with. */
function accessRules({ workspaces, messages }: WorkspaceServiceDeps) {
  const roleIn = async (user: User, serverId: number): Promise<{ server: Server; role: Role }> => {
    const server = await workspaces.server(serverId);
    if (!server) throw new WorkspaceError("not_found", "Server not found");
    const role = await workspaces.role(serverId, user.id);
    if (!role) throw new WorkspaceError("forbidden", "You are not a member of this server");
    return { server, role };
  };
  const ownerOf = async (user: User, serverId: number, action: string) => {
    const found = await roleIn(user, serverId);
    if (found.role !== "owner") {
      throw new WorkspaceError("forbidden", `Only the server owner can ${action}`);
    }
    return found;
  };
  /** Owners and admins run the server (issue 14): channels, settings, moderation. */
  const managerOf = async (user: User, serverId: number, action: string) => {
    const found = await roleIn(user, serverId);
    if (found.role !== "owner" && found.role !== "admin") {
      throw new WorkspaceError("forbidden", `Only the server's owner or admins can ${action}`);
    }
    return found;
  };
  const channelFor = async (user: User, channelId: number): Promise<Channel> => {
    const channel = await workspaces.channel(channelId);
    if (!channel) throw new WorkspaceError("not_found", "Channel not found");
    if (!await workspaces.role(channel.serverId, user.id)) {
      throw new WorkspaceError("forbidden", "You are not a member of this server");
    }
    return channel;
  };
  const textChannel = async (user: User, channelId: number): Promise<Channel> => {
    const channel = await channelFor(user, channelId);
    if (channel.kind !== "text") {
      throw new WorkspaceError("wrong_kind", "Messages can only be posted in text channels");
    }
    return channel;
  };
  const ownMessage = async (user: User, messageId: number) => {
    const message = await messages.message(messageId);
    if (!message) throw new WorkspaceError("not_found", "Message not found");
    const channel = await channelFor(user, message.channelId);
    if (message.authorId !== user.id) {
      throw new WorkspaceError("forbidden", "You can only change your own messages");
    }
    return { message, channel };
  };
  /** One's own message, or anyone's for the server's owner and admins (moderation). */
  const deletableMessage = async (user: User, messageId: number) => {
    const message = await messages.message(messageId);
    if (message && message.authorId !== user.id) {
      const channel = await channelFor(user, message.channelId);
      const role = await workspaces.role(channel.serverId, user.id);
      if (role === "owner" || role === "admin") return { message, channel };
    }
    return await ownMessage(user, messageId);
  };
  return { roleIn, ownerOf, managerOf, channelFor, textChannel, ownMessage, deletableMessage };
}

type Rules = ReturnType<typeof accessRules>;

const onlineMembers = async (deps: WorkspaceServiceDeps, serverId: number) =>
  (await deps.workspaces.members(serverId))
    .map((m) => ({ ...m, online: deps.presence.isOnline(m.id) }));

/** Publishes `data` checked against the wire type of its event (wire.ts). */
const publisher =
  (hub: Pick<Hub, "publish">) =>
  <K extends keyof WorkspaceEvents>(topic: string, type: K, data: WorkspaceEvents[K]) =>
    hub.publish(topic, type, data);

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

/** Invite links: made by owners, previewed by anyone, redeemed by signed-in users. */
function inviteActions(deps: WorkspaceServiceDeps, { roleIn }: Rules) {
  const publish = publisher(deps.hub);
  const { workspaces } = deps;
  const inviteView = (i: Invite): InviteView => ({
    code: i.code,
    url: `${deps.basePath}invite/${i.code}`,
    serverId: i.serverId,
    expiresAt: i.expiresAt === null ? null : rfc3339(i.expiresAt),
    maxUses: i.maxUses,
    uses: i.uses,
  });
  return {
    async createInvite(user: User, serverId: number, expiresInSeconds: unknown, maxUses: unknown) {
      const { role } = await roleIn(user, serverId);
      if (role === "member" && !await workspaces.membersCanInvite(serverId)) {
        throw new WorkspaceError(
          "forbidden",
          "Only the server's owner or admins can create invites",
        );
      }
      const whole = (v: unknown, what: string, min: number, max: number): number | null => {
        if (v === undefined || v === null) return null;
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
          throw new WorkspaceError(
            "invalid",
            `${what} must be a whole number from ${min} to ${max}`,
          );
        }
        return v;
      };
      const seconds = whole(expiresInSeconds, "expiresInSeconds", 60, 365 * 24 * 3600);
      const uses = whole(maxUses, "maxUses", 1, 100_000);
      const invite = await workspaces.createInvite(serverId, user.id, {
        expiresAt: seconds === null ? null : Date.now() + seconds * 1000,
        maxUses: uses,
      });
      return inviteView(invite);
    },

    async invitePreview(code: string): Promise<InvitePreview> {
      const invite = await workspaces.invite(code);
      const server = invite && await workspaces.server(invite.serverId);
      if (!invite || !server) throw new WorkspaceError("not_found", "Invite not found");
      return {
        ...inviteView(invite),
        server: { id: server.id, name: server.name },
        memberCount: (await workspaces.members(server.id)).length,
      };
    },

    /** Whether `code` names an invite that can still be used (sign-up by invitation). */
    async inviteUsable(code: string, now = Date.now()): Promise<boolean> {
      const invite = code.length <= 32 ? await workspaces.invite(code) : null;
      if (!invite) return false;
      if (invite.expiresAt !== null && invite.expiresAt <= now) return false;
      return invite.maxUses === null || invite.uses < invite.maxUses;
    },

    async redeemInvite(user: User, code: string): Promise<RedeemedInvite> {
      const result = await workspaces.redeemInvite(code, user.id);
      if (!result.ok) {
        if (result.reason === "not_found") {
          throw new WorkspaceError("not_found", "Invite not found");
        }
        if (result.reason === "banned") {
          throw new WorkspaceError("banned", "You are banned from this server");
        }
        const why = result.reason === "expired" ? "has expired" : "has been used up";
        throw new WorkspaceError(result.reason, `Invite ${why}`);
      }
      const { server } = result;
      if (result.joined) {
        const member: MemberView = {
          id: user.id,
          displayName: user.displayName,
          role: "member",
          online: deps.presence.isOnline(user.id),
        };
        publish(topics.workspace(server.id), "member", { serverId: server.id, member });
      }
      return {
        joined: result.joined,
        server: serverView(server, (await workspaces.role(server.id, user.id))!),
        channels: await workspaces.channels(server.id),
      };
    },
  };
}

/** Messages: history, posting, edits, deletes and read marks, each published to its topic. */
function messageActions(deps: WorkspaceServiceDeps, rules: Rules, features: MessageFeatures) {
  const publish = publisher(deps.hub);
  const { messages } = deps;
  const { channelFor, textChannel, ownMessage, deletableMessage } = rules;
  // A mention count only when some are left, so EchoSphere's read position keeps its shape.
  const position = async (user: User, channelId: number, kept: Promise<number>) => {
    const lastReadId = await kept;
    const unread = (await messages.unreadCounts(user.id))[String(channelId)] ?? 0;
    const mentionCount = await features.mentionCount(user, channelId);
    return { channelId, lastReadId, unread, ...(mentionCount ? { mentionCount } : {}) };
  };
  return {
    async history(
      user: User,
      channelId: number,
      options: { limit: number; before?: number; after?: number },
    ) {
      await channelFor(user, channelId);
      return await features.decorate(await messages.history(channelId, options));
    },

    /** `extra.replyTo`: a message of the same channel; `<@id>` in the text mentions a member. */
    async postMessage(
      user: User,
      channelId: number,
      content: unknown,
      extra: { replyTo?: unknown } = {},
    ): Promise<Message> {
      const channel = await textChannel(user, channelId);
      const text = cleanContent(content);
      const checked = await features.check(channel, text, extra.replyTo);
      const message = await features.post(channel, user.id, text, checked);
      // EchoSphere's envelope nests the message: {type, channelId, message: {...}}.
      publish(topics.channel(channel.id), "message", { channelId: channel.id, message });
      publish(topics.workspace(channel.serverId), "activity", {
        serverId: channel.serverId,
        channelId: channel.id,
        messageId: message.id,
        authorEmail: message.authorEmail,
      });
      await features.notify(channel, message, checked.mentions, user.id);
      return message;
    },

    async editMessage(user: User, messageId: number, content: unknown): Promise<Message> {
      const { channel } = await ownMessage(user, messageId);
      const message = await features.edit(channel, messageId, cleanContent(content));
      publish(topics.channel(channel.id), "message:edit", { channelId: channel.id, message });
      return message;
    },

    async deleteMessage(user: User, messageId: number): Promise<DeletedMessage> {
      const { channel } = await deletableMessage(user, messageId);
      await messages.delete(messageId);
      const data = { id: messageId, channelId: channel.id };
      publish(topics.channel(channel.id), "message:delete", data);
      return data;
    },

    async markRead(user: User, channelId: number, messageId?: number): Promise<ReadPosition> {
      await channelFor(user, channelId);
      const data = await position(
        user,
        channelId,
        messages.markRead(user.id, channelId, messageId),
      );
      // The reader's other tabs and devices clear the same badge.
      publish(topics.account(user.id), "read", data);
      return data;
    },
    /** Where the user's reading stands in the channel, for the "new messages" divider. */
    async readPosition(user: User, channelId: number): Promise<ReadPosition> {
      await channelFor(user, channelId);
      return await position(user, channelId, messages.readPosition(user.id, channelId));
    },
    unread: (user: User) => messages.unreadCounts(user.id),
    channelServers: (user: User) => messages.channelServers(user.id),
    mentionCounts: (user: User) => features.mentionCounts(user),
    react: features.react,
    pin: features.pin,
    pins: features.pins,
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
      const channel = await workspaces.channel(channelId);
      return channel && await workspaces.role(channel.serverId, userId) ? channel : null;
    },
    isMember: async (userId: number, serverId: number) =>
      await workspaces.role(serverId, userId) !== null,
    serverIdsOf: async (userId: number) => (await workspaces.serversOf(userId)).map((s) => s.id),
    ...serverActions(deps, rules, features),
    ...inviteActions(deps, rules),
    ...messageActions(deps, rules, features),
  };
}
