// Who may do what in a workspace (membership, roles, message ownership) and what names and message
// text may hold; each failure is the WorkspaceError EchoSphere answers it with.
import type { Account } from "../../storage/accounts_store.ts";
import { hasControlCharacters, longerThan } from "../../edge/fields.ts";
import type { Channel, Role, Server } from "../../storage/workspaces_store.ts";
import { WorkspaceError } from "./errors.ts";
import type { WorkspaceServiceDeps } from "./service.ts";

export type User = Pick<Account, "id" | "email" | "displayName">;

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

/** Who may do what: each lookup fails with the WorkspaceError EchoSphere answers it with. */
export function accessRules({ workspaces, messages }: WorkspaceServiceDeps) {
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
  /** The channel and the user's role in its server, in one read; a member's only. */
  const memberOf = async (user: User, channelId: number) => {
    const found = await workspaces.channelAs(channelId, user.id);
    if (!found) throw new WorkspaceError("not_found", "Channel not found");
    if (!found.role) throw new WorkspaceError("forbidden", "You are not a member of this server");
    return { channel: found.channel, role: found.role };
  };
  const channelFor = async (user: User, channelId: number): Promise<Channel> =>
    (await memberOf(user, channelId)).channel;
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
      const { channel, role } = await memberOf(user, message.channelId);
      if (role === "owner" || role === "admin") return { message, channel };
    }
    return await ownMessage(user, messageId);
  };
  return { roleIn, ownerOf, managerOf, channelFor, textChannel, ownMessage, deletableMessage };
}

export type Rules = ReturnType<typeof accessRules>;
