// Rich messages' rules (replies, @mentions, reactions, pins) for REST and /ws alike: what a post or
// an edit may carry, the bounds, and the events each change publishes.
import type { Hub } from "../../realtime/hub.ts";
import { parseId } from "../../edge/fields.ts";
import type { Account } from "../../storage/accounts_store.ts";
import type { MessageExtrasStore } from "../../storage/workspace_message_extras_store.ts";
import {
  type Message,
  type MessagesStore,
  publicMessage,
} from "../../storage/workspace_messages_store.ts";
import type { Channel, WorkspacesStore } from "../../storage/workspaces_store.ts";
import type { Sql } from "../../storage/sql.ts";
import { WorkspaceError } from "./errors.ts";
import { publisher } from "./service_events.ts";
import type { PinChange, ReactionUpdate } from "./wire.ts";

type User = Pick<Account, "id">;

/** At most this many distinct users in one message's `<@id>` mentions. */
export const MAX_MENTIONS = 20;
/** Distinct emoji on one message (Discord's number): a client cannot grow a message's row forever. */
export const MAX_REACTION_EMOJI = 20;
/** Pinned messages per channel. */
export const MAX_PINS = 50;

const MENTION = /<@(\d{1,15})>/g;
// One emoji as Unicode lists it (RGI: with its modifiers, flags, keycaps and ZWJ sequences).
const EMOJI = /^\p{RGI_Emoji}$/v;

export interface MessageFeaturesDeps {
  sql: Pick<Sql, "transaction">;
  workspaces: Pick<WorkspacesStore, "role">;
  messages: MessagesStore;
  extras: MessageExtrasStore;
  hub: Pick<Hub, "publish">;
}

/** The access lookups of service.ts this needs. */
export interface MessageAccess {
  channelFor(user: User, channelId: number): Promise<Channel>;
  textChannel(user: User, channelId: number): Promise<Channel>;
}

export interface MessageTopics {
  channel(id: number): string;
  account(userId: number): string;
}

/** What a post carries beside its text, checked: the message replied to, who it mentions. */
export interface CheckedExtras {
  replyTo: number | null;
  mentions: number[];
}

/** One emoji, else an `invalid` error: reactions are emoji only. */
export function cleanEmoji(value: unknown): string {
  if (typeof value !== "string" || value.length > 64 || !EMOJI.test(value)) {
    throw new WorkspaceError("invalid", "A reaction must be one emoji");
  }
  return value;
}

/** The distinct user ids `content` mentions as `<@id>`, at most MAX_MENTIONS. */
export function mentionedIds(content: string): number[] {
  if (!content.includes("<@")) return [];
  const ids = new Set<number>();
  for (const match of content.matchAll(MENTION)) ids.add(Number(match[1]));
  if (ids.size > MAX_MENTIONS) {
    throw new WorkspaceError("invalid", `A message can mention at most ${MAX_MENTIONS} people`);
  }
  return [...ids];
}

/** The mentioned ids of `content`, each checked to be a member of the channel's server. */
async function memberMentions(
  workspaces: Pick<WorkspacesStore, "role">,
  channel: Channel,
  content: string,
): Promise<number[]> {
  const ids = mentionedIds(content);
  for (const id of ids) {
    if (!await workspaces.role(channel.serverId, id)) {
      throw new WorkspaceError("invalid", `User ${id} is not a member of this server`);
    }
  }
  return ids;
}

/** Posts and edits with their replies and mentions, and the mention notifications they send. */
function postingFeatures(deps: MessageFeaturesDeps, topics: MessageTopics) {
  const { sql, workspaces, messages, extras } = deps;
  const publish = publisher(deps.hub);
  const members = (channel: Channel, content: string) =>
    memberMentions(workspaces, channel, content);
  const decorated = async (message: Message) => (await extras.decorate([message]))[0];
  return {
    /** Checks a post's `replyTo` and mentions before anything is stored. */
    async check(channel: Channel, content: string, replyTo: unknown): Promise<CheckedExtras> {
      let reply: number | null = null;
      if (replyTo !== undefined && replyTo !== null) {
        reply = parseId(replyTo);
        const original = reply === null ? null : await messages.message(reply);
        if (!original || original.channelId !== channel.id) {
          throw new WorkspaceError("invalid", "replyTo must be a message in this channel");
        }
      }
      return { replyTo: reply, mentions: await members(channel, content) };
    },

    /** Stores a post with its extras in one transaction, then tells the people it mentions. */
    async post(channel: Channel, authorId: number, content: string, checked: CheckedExtras) {
      // A plain post is one insert, atomic by itself: outside a transaction it shares its commit
      // with the posts that arrive with it (storage/group_commit.ts), one fsync for the batch.
      // It has nothing to decorate either: no reply, no mentions, and nobody has its id yet to
      // react to it or pin it, so the four lookups of `decorate` would find nothing.
      if (checked.replyTo === null && checked.mentions.length === 0) {
        return publicMessage(await messages.post(channel.id, authorId, content));
      }
      const stored = await sql.transaction(async () => {
        const m = await messages.post(channel.id, authorId, content);
        if (checked.replyTo !== null) await extras.setReplyTo(m.id, checked.replyTo);
        if (checked.mentions.length) await extras.setMentions(m.id, channel.id, checked.mentions);
        return m;
      });
      return await decorated(publicMessage(stored));
    },

    /** After the `message` event: each mentioned member's badge and notification. */
    async notify(channel: Channel, message: Message, mentions: number[], authorId: number) {
      for (const userId of mentions) {
        if (userId === authorId) continue;
        const mentionCount = await extras.mentionCount(userId, channel.id);
        publish(topics.account(userId), "mention", {
          serverId: channel.serverId,
          channelId: channel.id,
          mentionCount,
          message,
        });
      }
    },

    /** An edit's new text with its mentions re-read (an edit notifies no one anew). */
    async edit(channel: Channel, messageId: number, content: string): Promise<Message> {
      const mentions = await members(channel, content);
      const stored = await sql.transaction(async () => {
        const m = await messages.edit(messageId, content);
        await extras.setMentions(messageId, channel.id, mentions);
        return m;
      });
      return await decorated(publicMessage(stored));
    },
  };
}

/** Reactions and pins, on messages of text channels the user is a member of. */
function reactionPinFeatures(
  deps: MessageFeaturesDeps,
  access: MessageAccess,
  topics: MessageTopics,
) {
  const { messages, extras } = deps;
  const publish = publisher(deps.hub);
  /** The message and its text channel, for a member of its server. */
  const target = async (user: User, messageId: number) => {
    const message = await messages.message(messageId);
    if (!message) throw new WorkspaceError("not_found", "Message not found");
    const channel = await access.textChannel(user, message.channelId);
    return { message, channel };
  };
  return {
    async react(user: User, messageId: number, emoji: unknown, on: boolean) {
      const clean = cleanEmoji(emoji);
      const { channel } = await target(user, messageId);
      if (await extras.react(messageId, user.id, clean, on, MAX_REACTION_EMOJI) === "full") {
        throw new WorkspaceError(
          "invalid",
          `A message can have at most ${MAX_REACTION_EMOJI} different reactions`,
        );
      }
      const data: ReactionUpdate = {
        channelId: channel.id,
        messageId,
        reactions: await extras.reactions(messageId),
      };
      publish(topics.channel(channel.id), "reaction", data);
      return data;
    },

    async pin(user: User, messageId: number, pinned: boolean): Promise<PinChange> {
      const { channel } = await target(user, messageId);
      if (!pinned) await extras.unpin(messageId);
      else if (await extras.pin(messageId, channel.id, user.id, MAX_PINS) === "full") {
        throw new WorkspaceError("invalid", `A channel can have at most ${MAX_PINS} pins`);
      }
      const data = { channelId: channel.id, messageId, pinned };
      publish(topics.channel(channel.id), "pin", data);
      return data;
    },

    /** A channel's pinned messages, the most recently pinned first. */
    async pins(user: User, channelId: number): Promise<Message[]> {
      await access.channelFor(user, channelId);
      const found = [];
      for (const id of await extras.pins(channelId)) {
        const m = await messages.message(id);
        if (m) found.push(publicMessage(m));
      }
      return await extras.decorate(found);
    },
  };
}

export function createMessageFeatures(
  deps: MessageFeaturesDeps,
  access: MessageAccess,
  topics: MessageTopics,
) {
  const { extras } = deps;
  return {
    decorate: <M extends Message>(list: M[]) => extras.decorate(list),
    mentionCounts: (user: User) => extras.mentionCounts(user.id),
    mentionCount: (user: User, channelId: number) => extras.mentionCount(user.id, channelId),
    ...postingFeatures(deps, topics),
    ...reactionPinFeatures(deps, access, topics),
  };
}

export type MessageFeatures = ReturnType<typeof createMessageFeatures>;
