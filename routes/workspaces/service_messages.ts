// Messages: history, posting, edits, deletes and read marks, each published to its topic.
import type { Message } from "../../storage/workspace_messages_store.ts";
import type { MessageFeatures } from "./msg_service.ts";
import { publisher, publishPosted, topics } from "./service_events.ts";
import { cleanContent, type Rules, type User } from "./service_rules.ts";
import type { WorkspaceServiceDeps } from "./service.ts";
import type { DeletedMessage, ReadPosition } from "./wire.ts";

/** History, posting, edits and deletes; `features` adds replies, mentions, reactions and pins. */
export function messageActions(
  deps: WorkspaceServiceDeps,
  rules: Rules,
  features: MessageFeatures,
) {
  const publish = publisher(deps.hub);
  const { messages } = deps;
  const { channelFor, textChannel, ownMessage, deletableMessage } = rules;
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
      publishPosted(deps.hub, channel, message);
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

    react: features.react,
    pin: features.pin,
    pins: features.pins,
  };
}

/** Read marks: where each reader stands in a channel, and the unread and mention badges. */
export function readActions(
  deps: WorkspaceServiceDeps,
  { channelFor }: Rules,
  features: MessageFeatures,
) {
  const publish = publisher(deps.hub);
  const { messages } = deps;
  // A mention count only when some are left, so EchoSphere's read position keeps its shape.
  const position = async (user: User, channelId: number, kept: Promise<number>) => {
    const lastReadId = await kept;
    const unread = (await messages.unreadCounts(user.id))[String(channelId)] ?? 0;
    const mentionCount = await features.mentionCount(user, channelId);
    return { channelId, lastReadId, unread, ...(mentionCount ? { mentionCount } : {}) };
  };
  return {
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
  };
}
