// What a workspace message carries beyond its text (replies, mentions, reactions, pins), on the Sql
// seam; the messages store keeps the text, this one decorates pages of it.
import type { Row, Sql } from "./sql.ts";

/** The message a reply quotes; `excerpt` and `authorDisplayName` are null once it was deleted. */
export interface ReplyPreview {
  id: number;
  authorDisplayName: string | null;
  excerpt: string | null;
}

export interface MentionView {
  id: number;
  displayName: string;
}

/** One emoji on one message: how many reacted with it and who, in the order they did. */
export interface ReactionView {
  emoji: string;
  count: number;
  userIds: number[];
}

/** The optional fields a message gains here; each is present only when it has something. */
export interface MessageExtras {
  replyTo?: ReplyPreview;
  mentions?: MentionView[];
  reactions?: ReactionView[];
  pinned?: true;
}

export interface MessageExtrasStore {
  /** Sets the message replied to, in the transaction that posts the message. */
  setReplyTo(messageId: number, replyTo: number): Promise<void>;
  /** Replaces the set of users `messageId` mentions. */
  setMentions(messageId: number, channelId: number, userIds: readonly number[]): Promise<void>;
  /** The same messages with their replies, mentions, reactions and pin marks filled in. */
  decorate<M extends { id: number } & MessageExtras>(messages: M[]): Promise<M[]>;
  /** Unread messages by others that mention `userId`, per channel of the servers they are in. */
  mentionCounts(userId: number): Promise<Record<string, number>>;
  mentionCount(userId: number, channelId: number): Promise<number>;
  /** Adds or removes one reaction; "full" when adding a new emoji past `maxEmoji` distinct ones. */
  react(
    messageId: number,
    userId: number,
    emoji: string,
    on: boolean,
    maxEmoji: number,
  ): Promise<"ok" | "full">;
  reactions(messageId: number): Promise<ReactionView[]>;
  /** Pins a message; "full" past `maxPins` in its channel (pinning it again changes nothing). */
  pin(
    messageId: number,
    channelId: number,
    userId: number,
    maxPins: number,
  ): Promise<"ok" | "full">;
  unpin(messageId: number): Promise<void>;
  /** A channel's pinned message ids, the most recently pinned first. */
  pins(channelId: number): Promise<number[]>;
}

const EXCERPT = 200;
const marks = (n: number) => Array(n).fill("?").join(", ");

const MENTIONS_UNREAD = `FROM message_mentions mm
  JOIN messages m ON m.id = mm.message_id
  JOIN channels c ON c.id = mm.channel_id
  JOIN server_members sm ON sm.server_id = c.server_id AND sm.user_id = mm.user_id
  LEFT JOIN channel_reads r ON r.channel_id = mm.channel_id AND r.user_id = mm.user_id
  WHERE mm.user_id = ? AND m.author_id != mm.user_id
    AND mm.message_id > COALESCE(r.last_read_id, 0)`;

/** Rows grouped by their message id, in the order read. */
function byMessage<T>(rows: Row[], view: (r: Row) => T): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const id = Number(r.message_id);
    const list = out.get(id) ?? [];
    list.push(view(r));
    out.set(id, list);
  }
  return out;
}

/** Reaction rows (oldest first) as one view per emoji, in the order each emoji first came. */
function reactionViews(rows: Row[]): ReactionView[] {
  const byEmoji = new Map<string, ReactionView>();
  for (const r of rows) {
    const emoji = String(r.emoji);
    const view = byEmoji.get(emoji) ?? { emoji, count: 0, userIds: [] };
    view.count++;
    view.userIds.push(Number(r.user_id));
    byEmoji.set(emoji, view);
  }
  return [...byEmoji.values()];
}

/** Reaction rows of `ids`, each message's oldest first. */
function reactionRows(sql: Sql, ids: readonly number[]): Promise<Row[]> {
  return sql.all<Row>(
    `SELECT message_id, emoji, user_id FROM message_reactions WHERE message_id IN (${
      marks(ids.length)
    }) ORDER BY message_id, created_at, user_id`,
    ids,
  );
}

/** `messages` with their replies, mentions, reactions and pin marks: one query for each. */
async function decorateMessages<M extends { id: number } & MessageExtras>(
  sql: Sql,
  messages: M[],
): Promise<M[]> {
  if (messages.length === 0) return messages;
  const ids = messages.map((m) => m.id);
  const list = marks(ids.length);
  const replies = await sql.all<Row>(
    `SELECT m.id AS message_id, m.reply_to, o.content, u.display_name FROM messages m
      LEFT JOIN messages o ON o.id = m.reply_to LEFT JOIN users u ON u.id = o.author_id
      WHERE m.id IN (${list}) AND m.reply_to IS NOT NULL`,
    ids,
  );
  const replyOf = byMessage(replies, (r): ReplyPreview => ({
    id: Number(r.reply_to),
    authorDisplayName: r.display_name === null ? null : String(r.display_name),
    excerpt: r.content === null ? null : [...String(r.content)].slice(0, EXCERPT).join(""),
  }));
  const mentionsOf = byMessage(
    await sql.all<Row>(
      `SELECT mm.message_id, u.id, u.display_name FROM message_mentions mm
        JOIN users u ON u.id = mm.user_id WHERE mm.message_id IN (${list}) ORDER BY u.id`,
      ids,
    ),
    (r): MentionView => ({ id: Number(r.id), displayName: String(r.display_name) }),
  );
  const reactionsOf = byMessage(await reactionRows(sql, ids), (r) => r);
  const pinned = new Set(
    (await sql.all<Row>(
      `SELECT message_id FROM channel_pins WHERE message_id IN (${list})`,
      ids,
    )).map((r) => Number(r.message_id)),
  );
  return messages.map((m) => {
    const out = { ...m };
    const reply = replyOf.get(m.id)?.[0];
    if (reply) out.replyTo = reply;
    const mentions = mentionsOf.get(m.id);
    if (mentions) out.mentions = mentions;
    const reactions = reactionsOf.get(m.id);
    if (reactions) out.reactions = reactionViews(reactions);
    if (pinned.has(m.id)) out.pinned = true;
    return out;
  });
}

/** Who a message mentions, and the unread mentions each reader has per channel. */
function mentionQueries(
  sql: Sql,
): Pick<MessageExtrasStore, "setMentions" | "mentionCounts" | "mentionCount"> {
  return {
    async setMentions(messageId, channelId, userIds) {
      await sql.transaction(async () => {
        await sql.run("DELETE FROM message_mentions WHERE message_id = ?", [messageId]);
        for (const userId of new Set(userIds)) {
          await sql.run(
            "INSERT INTO message_mentions (message_id, user_id, channel_id) VALUES (?, ?, ?)",
            [messageId, userId, channelId],
          );
        }
      });
    },
    async mentionCounts(userId) {
      const counts: Record<string, number> = {};
      const rows = await sql.all<Row>(
        `SELECT mm.channel_id, COUNT(*) AS n ${MENTIONS_UNREAD} GROUP BY mm.channel_id`,
        [userId],
      );
      for (const row of rows) counts[String(row.channel_id)] = Number(row.n);
      return counts;
    },
    async mentionCount(userId, channelId) {
      const row = await sql.get<Row>(
        `SELECT COUNT(*) AS n ${MENTIONS_UNREAD} AND mm.channel_id = ?`,
        [
          userId,
          channelId,
        ],
      );
      return Number(row?.n ?? 0);
    },
  };
}

/** Reactions: one row per member and emoji, at most `maxEmoji` distinct emoji a message. */
function reactionQueries(sql: Sql): Pick<MessageExtrasStore, "react" | "reactions"> {
  return {
    react(messageId, userId, emoji, on, maxEmoji) {
      return sql.transaction(async () => {
        if (!on) {
          await sql.run(
            "DELETE FROM message_reactions WHERE message_id = ? AND emoji = ? AND user_id = ?",
            [messageId, emoji, userId],
          );
          return "ok";
        }
        // The message row is the lock: two members adding the 21st emoji at once cannot both pass.
        await sql.get(`SELECT id FROM messages WHERE id = ?${sql.forUpdate}`, [messageId]);
        const row = (await sql.get<Row>(
          `SELECT COUNT(DISTINCT emoji) AS n, SUM(CASE WHEN emoji = ? THEN 1 ELSE 0 END) AS here
            FROM message_reactions WHERE message_id = ?`,
          [emoji, messageId],
        ))!;
        if (Number(row.here ?? 0) === 0 && Number(row.n) >= maxEmoji) return "full";
        await sql.run(
          `INSERT INTO message_reactions (message_id, emoji, user_id, created_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (message_id, emoji, user_id) DO NOTHING`,
          [messageId, emoji, userId, Date.now()],
        );
        return "ok";
      });
    },
    async reactions(messageId) {
      return reactionViews(await reactionRows(sql, [messageId]));
    },
  };
}

/** A channel's pins, at most `maxPins`, counted under the channel row's lock. */
function pinQueries(sql: Sql): Pick<MessageExtrasStore, "pin" | "unpin" | "pins"> {
  return {
    pin(messageId, channelId, userId, maxPins) {
      return sql.transaction(async () => {
        await sql.get(`SELECT id FROM channels WHERE id = ?${sql.forUpdate}`, [channelId]);
        const row = (await sql.get<Row>(
          `SELECT COUNT(*) AS n, SUM(CASE WHEN message_id = ? THEN 1 ELSE 0 END) AS here
            FROM channel_pins WHERE channel_id = ?`,
          [messageId, channelId],
        ))!;
        if (Number(row.here ?? 0) > 0) return "ok";
        if (Number(row.n) >= maxPins) return "full";
        await sql.run(
          "INSERT INTO channel_pins (message_id, channel_id, pinned_by, pinned_at) VALUES (?, ?, ?, ?)",
          [messageId, channelId, userId, Date.now()],
        );
        return "ok";
      });
    },
    async unpin(messageId) {
      await sql.run("DELETE FROM channel_pins WHERE message_id = ?", [messageId]);
    },
    async pins(channelId) {
      const rows = await sql.all<Row>(
        "SELECT message_id FROM channel_pins WHERE channel_id = ? ORDER BY pinned_at DESC, message_id DESC",
        [channelId],
      );
      return rows.map((r) => Number(r.message_id));
    },
  };
}

export function createMessageExtrasStore(sql: Sql): MessageExtrasStore {
  return {
    async setReplyTo(messageId, replyTo) {
      await sql.run("UPDATE messages SET reply_to = ? WHERE id = ?", [replyTo, messageId]);
    },
    decorate: (messages) => decorateMessages(sql, messages),
    ...mentionQueries(sql),
    ...reactionQueries(sql),
    ...pinQueries(sql),
  };
}
