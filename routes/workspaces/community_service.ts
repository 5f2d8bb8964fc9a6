// Community rules in one place: who may run a server (owner > admin > member), its settings and
// channels, kicks, bans, leaving and DMs; REST calls these and each publishes its event.
import type { Hub } from "../../realtime/hub.ts";
import type { Account } from "../../storage/accounts_store.ts";
import type { CommunityStore, ServerSettings } from "../../storage/community_store.ts";
import { hasControlCharacters, longerThan, parseId } from "../../edge/fields.ts";
import type { Role, WorkspacesStore } from "../../storage/workspaces_store.ts";
import { rfc3339 } from "../../storage/workspace_messages_store.ts";
import { WorkspaceError } from "./errors.ts";
import { cleanName, topics } from "./service.ts";
import type { RemovalRelay } from "./community_relay.ts";
import type {
  BanView,
  CommunityEvents,
  CommunityView,
  DmView,
  RemovedReason,
} from "./community_wire.ts";

export interface CommunityDeps {
  workspaces: WorkspacesStore;
  community: CommunityStore;
  hub: Pick<Hub, "publish">;
  /** Stops the server's events on a removed user's sockets, on every instance. */
  removals: Pick<RemovalRelay, "remove">;
  /** The URL an avatar blob key is served at. */
  avatarUrl(userId: number, key: string): string;
}

type User = Pick<Account, "id">;

const RANK: Record<Role, number> = { owner: 3, admin: 2, member: 1 };
export const MAX_TOPIC = 1024;

/** A channel topic: trimmed, at most 1024 characters, line breaks allowed, nothing else invisible. */
export function cleanTopic(value: unknown): string {
  if (typeof value !== "string") throw new WorkspaceError("invalid", "Topic must be text");
  const topic = value.trim();
  if (longerThan(topic, MAX_TOPIC) || hasControlCharacters(topic.replace(/\n/g, " "))) {
    throw new WorkspaceError(
      "invalid",
      `Topic must be at most ${MAX_TOPIC} printable characters`,
    );
  }
  return topic;
}

const publisher =
  (hub: Pick<Hub, "publish">) =>
  <K extends keyof CommunityEvents>(topic: string, type: K, data: CommunityEvents[K]) =>
    hub.publish(topic, type, data);

/** The lookups every action starts with, each failing with the error REST and /ws send. */
function communityRules({ workspaces, community }: CommunityDeps) {
  const member = async (user: User, serverId: number) => {
    const settings = await community.settings(serverId);
    if (!settings) throw new WorkspaceError("not_found", "Server not found");
    const role = await workspaces.role(serverId, user.id);
    if (!role) throw new WorkspaceError("forbidden", "You are not a member of this server");
    return { settings, role };
  };
  const manager = async (user: User, serverId: number, action: string) => {
    const found = await member(user, serverId);
    if (found.settings.dm) {
      throw new WorkspaceError("invalid", `A direct message has no one to ${action}`);
    }
    if (RANK[found.role] < RANK.admin) {
      throw new WorkspaceError("forbidden", `Only the server's owner or admins can ${action}`);
    }
    return found;
  };
  const managedChannel = async (user: User, channelId: number, action: string) => {
    const channel = await workspaces.channel(channelId);
    if (!channel) throw new WorkspaceError("not_found", "Channel not found");
    await manager(user, channel.serverId, action);
    return channel;
  };
  /** A member `user` outranks: kicking, banning and roles only reach down. */
  const below = async (user: User, serverId: number, targetId: number, action: string) => {
    const { role } = await manager(user, serverId, action);
    if (targetId === user.id) throw new WorkspaceError("invalid", `You cannot ${action} yourself`);
    const target = await workspaces.role(serverId, targetId);
    if (!target) throw new WorkspaceError("not_found", "That user is not a member of this server");
    if (RANK[target] >= RANK[role]) {
      throw new WorkspaceError("forbidden", `You can only ${action} members below your role`);
    }
    return { role, target };
  };
  return { member, manager, managedChannel, below };
}

/** The settings, channels and membership actions of one server. */
function serverActions(deps: CommunityDeps, rules: ReturnType<typeof communityRules>) {
  const publish = publisher(deps.hub);
  const { community } = deps;
  const { member, manager } = rules;
  const view = async (s: ServerSettings, role: Role): Promise<CommunityView> => {
    const keys = await community.avatarsOf(s.id);
    const avatars = Object.fromEntries(
      Object.entries(keys).map(([id, key]) => [id, deps.avatarUrl(Number(id), key)]),
    );
    const { id: serverId, name, membersCanInvite, dm, isDefault } = s;
    const channelTopics = await community.topics(serverId);
    return {
      serverId,
      name,
      role,
      membersCanInvite,
      dm,
      isDefault,
      topics: channelTopics,
      avatars,
    };
  };
  return {
    async view(user: User, serverId: number): Promise<CommunityView> {
      const { settings, role } = await member(user, serverId);
      return await view(settings, role);
    },

    async updateServer(user: User, serverId: number, body: Record<string, unknown>) {
      await manager(user, serverId, "change the server");
      const name = body.name === undefined ? undefined : cleanName(body.name, "Name", 100);
      const invite = body.membersCanInvite;
      if (invite !== undefined && typeof invite !== "boolean") {
        throw new WorkspaceError("invalid", "membersCanInvite must be true or false");
      }
      await community.updateServer(serverId, { name, membersCanInvite: invite });
      const { settings, role } = await member(user, serverId);
      const { name: now, membersCanInvite } = settings;
      publish(topics.workspace(serverId), "server:update", {
        serverId,
        name: now,
        membersCanInvite,
      });
      return await view(settings, role);
    },
  };
}

/** A server's channels: names, topics, order, deleting. */
function channelActions(deps: CommunityDeps, rules: ReturnType<typeof communityRules>) {
  const publish = publisher(deps.hub);
  const { workspaces, community } = deps;
  const { manager, managedChannel } = rules;
  return {
    async updateChannel(user: User, channelId: number, body: Record<string, unknown>) {
      const channel = await managedChannel(user, channelId, "change channels");
      const name = body.name === undefined ? undefined : cleanName(body.name, "Channel name", 64);
      const topic = body.topic === undefined ? undefined : cleanTopic(body.topic);
      await community.updateChannel(channelId, { name, topic });
      const updated = (await workspaces.channel(channelId))!;
      const now = (await community.topics(channel.serverId))[String(channelId)] ?? "";
      const data = { serverId: channel.serverId, channel: updated, channelTopic: now };
      publish(topics.workspace(channel.serverId), "channel:update", data);
      return data;
    },

    async deleteChannel(user: User, channelId: number) {
      const channel = await managedChannel(user, channelId, "delete channels");
      const texts = (await workspaces.channels(channel.serverId)).filter((c) => c.kind === "text");
      if (channel.kind === "text" && texts.length === 1) {
        throw new WorkspaceError("invalid", "A server keeps at least one text channel");
      }
      await community.deleteChannel(channelId);
      const data = { serverId: channel.serverId, channelId };
      publish(topics.workspace(channel.serverId), "channel:delete", data);
      publish(topics.channel(channelId), "channel:delete", data);
      return data;
    },

    async orderChannels(user: User, serverId: number, ids: unknown) {
      await manager(user, serverId, "reorder channels");
      const have = (await workspaces.channels(serverId)).map((c) => c.id);
      const wanted = Array.isArray(ids) ? ids.map(parseId) : [];
      const same = wanted.length === have.length && new Set(wanted).size === have.length &&
        wanted.every((id) => id !== null && have.includes(id));
      if (!same) {
        throw new WorkspaceError(
          "invalid",
          "channelIds must list each of the server's channels once",
        );
      }
      const channelIds = wanted as number[];
      await community.orderChannels(serverId, channelIds);
      publish(topics.workspace(serverId), "channels:order", { serverId, channelIds });
      return { serverId, channelIds };
    },
  };
}

/** Removing people (kick, ban, leave, a deleted server) and changing roles. */
function memberActions(deps: CommunityDeps, rules: ReturnType<typeof communityRules>) {
  const publish = publisher(deps.hub);
  const { workspaces, community } = deps;
  const { member, manager, below } = rules;

  /** Stops the server's events on the user's sockets now, then tells everyone who stays. */
  const removed = async (serverId: number, userId: number, reason: RemovedReason) => {
    const channels = (await workspaces.channels(serverId)).map((c) => topics.channel(c.id));
    deps.removals.remove(userId, serverId, [topics.workspace(serverId), ...channels], reason);
    if (reason !== "deleted") {
      publish(topics.workspace(serverId), "member:remove", { serverId, userId, reason });
    }
  };

  return {
    async kick(user: User, serverId: number, targetId: number) {
      await below(user, serverId, targetId, "kick");
      await community.removeMember(serverId, targetId);
      await removed(serverId, targetId, "kicked");
      return { serverId, userId: targetId, reason: "kicked" as const };
    },

    async ban(user: User, serverId: number, targetId: unknown) {
      const id = parseId(targetId);
      if (id === null) throw new WorkspaceError("invalid", "userId must be a positive integer");
      await below(user, serverId, id, "ban");
      await community.ban(serverId, id, user.id);
      await removed(serverId, id, "banned");
      return { serverId, userId: id, reason: "banned" as const };
    },

    async leave(user: User, serverId: number) {
      const { settings, role } = await member(user, serverId);
      if (settings.dm) throw new WorkspaceError("invalid", "A direct message cannot be left");
      if (role === "owner") {
        throw new WorkspaceError(
          "conflict",
          "The owner must hand the server over to another member or delete it",
        );
      }
      await community.removeMember(serverId, user.id);
      await removed(serverId, user.id, "left");
      return { serverId, userId: user.id, reason: "left" as const };
    },

    async deleteServer(user: User, serverId: number) {
      const { settings } = await manager(user, serverId, "delete the server");
      if (settings.isDefault) {
        throw new WorkspaceError(
          "invalid",
          "The shared Lobby every new account joins cannot be deleted",
        );
      }
      const everyone = await workspaces.members(serverId);
      const channels = (await workspaces.channels(serverId)).map((c) => topics.channel(c.id));
      await community.deleteServer(serverId);
      for (const m of everyone) {
        deps.removals.remove(m.id, serverId, [topics.workspace(serverId), ...channels], "deleted");
      }
      return { serverId, deleted: true };
    },
  };
}

/** The ban list, and roles (the owner's alone). */
function roleActions(deps: CommunityDeps, rules: ReturnType<typeof communityRules>) {
  const publish = publisher(deps.hub);
  const { workspaces, community } = deps;
  const { manager } = rules;
  return {
    async bans(user: User, serverId: number): Promise<BanView[]> {
      await manager(user, serverId, "see bans");
      return (await community.bans(serverId)).map((b) => ({
        ...b,
        createdAt: rfc3339(b.createdAt),
      }));
    },

    async unban(user: User, serverId: number, targetId: number) {
      await manager(user, serverId, "lift bans");
      if (!await community.unban(serverId, targetId)) {
        throw new WorkspaceError("not_found", "That user is not banned here");
      }
      return { serverId, userId: targetId };
    },

    async setRole(user: User, serverId: number, targetId: number, role: unknown) {
      const { role: mine } = await manager(user, serverId, "change roles");
      if (mine !== "owner") {
        throw new WorkspaceError("forbidden", "Only the server owner can change roles");
      }
      if (role !== "admin" && role !== "member" && role !== "owner") {
        throw new WorkspaceError("invalid", 'Role must be "owner", "admin" or "member"');
      }
      if (targetId === user.id) {
        throw new WorkspaceError("invalid", "You cannot change your own role");
      }
      if (!await workspaces.role(serverId, targetId)) {
        throw new WorkspaceError("not_found", "That user is not a member of this server");
      }
      const topic = topics.workspace(serverId);
      if (role === "owner") {
        await community.transferOwnership(serverId, user.id, targetId);
        publish(topic, "member:role", { serverId, userId: user.id, role: "admin" });
      } else await community.setRole(serverId, targetId, role);
      publish(topic, "member:role", { serverId, userId: targetId, role });
      return { serverId, userId: targetId, role };
    },
  };
}

/** Direct messages between two people who share a server. */
function dmActions(deps: CommunityDeps) {
  const publish = publisher(deps.hub);
  const { community } = deps;
  const dmView = async (
    dm: Awaited<ReturnType<CommunityStore["dms"]>>[number],
  ): Promise<DmView> => {
    const key = await community.avatarKey(dm.peer.id);
    return { ...dm, peer: { ...dm.peer, avatarUrl: key ? deps.avatarUrl(dm.peer.id, key) : null } };
  };
  return {
    async dms(user: User): Promise<DmView[]> {
      return await Promise.all((await community.dms(user.id)).map(dmView));
    },
    async openDm(user: User, peerId: unknown): Promise<{ dm: DmView; created: boolean }> {
      const id = parseId(peerId);
      if (id === null) throw new WorkspaceError("invalid", "userId must be a positive integer");
      if (id === user.id) throw new WorkspaceError("invalid", "You cannot message yourself");
      if (!await community.shareServer(user.id, id)) {
        throw new WorkspaceError(
          "forbidden",
          "You can only message people you share a server with",
        );
      }
      const { dm, created } = await community.openDm(user.id, id);
      const view = await dmView(dm);
      if (created) {
        // Both people's pages list it: each is told with their own peer.
        publish(topics.account(user.id), "dm", { dm: view });
        const theirs = (await community.dms(id)).find((d) => d.serverId === dm.serverId)!;
        publish(topics.account(id), "dm", { dm: await dmView(theirs) });
      }
      return { dm: view, created };
    },
  };
}

export type CommunityService = ReturnType<typeof createCommunityService>;

export function createCommunityService(deps: CommunityDeps) {
  const rules = communityRules(deps);
  return {
    ...serverActions(deps, rules),
    ...channelActions(deps, rules),
    ...memberActions(deps, rules),
    ...roleActions(deps, rules),
    ...dmActions(deps),
  };
}
