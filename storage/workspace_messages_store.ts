// Channel messages and each member's read position, on the Sql seam.
import type { Row, Sql } from "./sql.ts";
import { createGroupCommit } from "./group_commit.ts";
import { INDEX_BATCH, indexPending } from "./search_index.ts";
import type { MessageExtras } from "./workspace_message_extras_store.ts";

/**
 * A message as EchoSphere clients read it; `editedAt` only once edited, and the rich fields
 * (replies, mentions, reactions, pins) only when set, so a plain message is the seed's object.
 */
export interface Message extends MessageExtras {
  id: number;
  channelId: number;
  authorEmail: string;
  authorDisplayName: string;
  content: string;
  /** RFC 3339, UTC, whole seconds: `2025-10-05T19:20:30Z`. */
  createdAt: string;
  editedAt?: string;
}

export interface StoredMessage extends Message {
  authorId: number;
}

export interface HistoryOptions {
  limit: number;
  /** Only messages with a smaller id (older). */
  before?: number;
  /** Only messages with a larger id (newer). */
  after?: number;
}

export interface MessagesStore {
  post(channelId: number, authorId: number, content: string): Promise<StoredMessage>;
  /** Oldest first. Without cursors: the newest `limit`. */
  history(channelId: number, options: HistoryOptions): Promise<Message[]>;
  message(id: number): Promise<StoredMessage | null>;
  edit(id: number, content: string): Promise<StoredMessage>;
  delete(id: number): Promise<void>;
  /** Moves the read position forward (never back); returns the position kept. */
  markRead(userId: number, channelId: number, messageId?: number): Promise<number>;
  /** Unread messages by others, per text channel of every server the user is in. */
  unreadCounts(userId: number): Promise<Record<string, number>>;
  /** The user's read position in the channel: the newest message id read, 0 before any. */
  readPosition(userId: number, channelId: number): Promise<number>;
  /** The server of each text channel of every server the user is in, by channel id. */
  channelServers(userId: number): Promise<Record<string, number>>;
}

// The last second formatted: messages come in runs within one second, and so do their reads.
let lastSecond = NaN;
let lastText = "";

export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    // toISOString always ends in ".mmmZ": cut, not a regular expression.
    lastText = `${new Date(second * 1000).toISOString().slice(0, -5)}Z`;
    lastSecond = second;
  }
  return lastText;
}

/** The message as sent to clients: the seed's fields, plus `editedAt` once edited. */
export function publicMessage(message: StoredMessage): Message {
  // Built field by field: an object rest copy was a runtime call per message posted or read. The
  // store's messages carry no extras yet (decorate adds them to this view).
  const view: Message = {
    id: message.id,
    channelId: message.channelId,
    authorEmail: message.authorEmail,
    authorDisplayName: message.authorDisplayName,
    content: message.content,
    createdAt: message.createdAt,
  };
  if (message.editedAt !== undefined) view.editedAt = message.editedAt;
  return view;
}

const toMessage = (r: Row): StoredMessage => {
  const message: StoredMessage = {
    id: Number(r.id),
    channelId: Number(r.channel_id),
    authorId: Number(r.author_id),
    authorEmail: String(r.email),
    authorDisplayName: String(r.display_name),
    content: String(r.content),
    createdAt: rfc3339(Number(r.created_at)),
  };
  if (r.edited_at !== null) message.editedAt = rfc3339(Number(r.edited_at));
  return message;
};

const SELECT =
  `SELECT m.*, u.email, u.display_name FROM messages m JOIN users u ON u.id = m.author_id`;

/** A post's insert, answering the row as SELECT does (both engines allow subqueries there). */
const INSERT_RETURNING =
  `INSERT INTO messages (channel_id, author_id, content, created_at) VALUES (?, ?, ?, ?)
   RETURNING *,
     (SELECT u.email FROM users u WHERE u.id = messages.author_id) AS email,
     (SELECT u.display_name FROM users u WHERE u.id = messages.author_id) AS display_name`;

const UNREAD = `SELECT c.id AS channel_id,
    (SELECT COUNT(*) FROM messages m WHERE m.channel_id = c.id
       AND m.id > COALESCE(r.last_read_id, 0) AND m.author_id != ?) AS unread
  FROM channels c
  JOIN server_members sm ON sm.server_id = c.server_id AND sm.user_id = ?
  LEFT JOIN channel_reads r ON r.channel_id = c.id AND r.user_id = ?
  WHERE c.kind = 'text'`;

/** The read position's upsert: never moves back. Postgres has no two-argument MAX: GREATEST. */
function readUpsert(sql: Sql): string {
  const kept = sql.dialect === "postgres"
    ? "GREATEST(channel_reads.last_read_id, excluded.last_read_id)"
    : "MAX(last_read_id, excluded.last_read_id)";
  return `INSERT INTO channel_reads (user_id, channel_id, last_read_id) VALUES (?, ?, ?)
    ON CONFLICT (user_id, channel_id) DO UPDATE SET last_read_id = ${kept}
    RETURNING last_read_id`;
}

/** One page of a channel's history, in the order the query reads it. */
function historyPage(sql: Sql, channelId: number, { limit, before, after }: HistoryOptions) {
  if (after !== undefined && before !== undefined) {
    return sql.all<Row>(
      `${SELECT} WHERE m.channel_id = ? AND m.id > ? AND m.id < ? ORDER BY m.id LIMIT ?`,
      [channelId, after, before, limit],
    );
  }
  if (after !== undefined) {
    return sql.all<Row>(`${SELECT} WHERE m.channel_id = ? AND m.id > ? ORDER BY m.id LIMIT ?`, [
      channelId,
      after,
      limit,
    ]);
  }
  if (before !== undefined) {
    return sql.all<Row>(
      `${SELECT} WHERE m.channel_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`,
      [channelId, before, limit],
    );
  }
  return sql.all<Row>(`${SELECT} WHERE m.channel_id = ? ORDER BY m.id DESC LIMIT ?`, [
    channelId,
    limit,
  ]);
}

export function createMessagesStore(sql: Sql): MessagesStore {
  const upsertRead = readUpsert(sql);
  const commits = createGroupCommit(sql);
  const byId = async (id: number) => {
    const row = await sql.get<Row>(`${SELECT} WHERE m.id = ?`, [id]);
    return row ? toMessage(row) : null;
  };

  // Posts since the search index last caught up (SQLite; see search_index.ts).
  let unindexed = 0;

  return {
    // Posts that arrive together share one commit (group_commit.ts); each resolves once stored.
    post: (channelId, authorId, content) =>
      commits.run(async () => {
        // The row comes back with its author's names: no second query to read it.
        const row = (await sql.get<Row>(INSERT_RETURNING, [
          channelId,
          authorId,
          content,
          Date.now(),
        ]))!;
        if (sql.dialect === "sqlite" && ++unindexed >= INDEX_BATCH) {
          unindexed = 0;
          await indexPending(sql);
        }
        return toMessage(row);
      }),
    async history(channelId, options) {
      const rows = await historyPage(sql, channelId, options);
      // Pages read newest first (before a cursor, or the latest) are turned oldest first.
      if (options.after === undefined) rows.reverse();
      return rows.map((r) => publicMessage(toMessage(r)));
    },
    message: byId,
    async edit(id, content) {
      await sql.run("UPDATE messages SET content = ?, edited_at = ? WHERE id = ?", [
        content,
        Date.now(),
        id,
      ]);
      return (await byId(id))!;
    },
    async delete(id) {
      await sql.run("DELETE FROM messages WHERE id = ?", [id]);
    },
    async markRead(userId, channelId, messageId) {
      const newest = Number(
        (await sql.get<{ id: number }>(
          "SELECT COALESCE(MAX(id), 0) AS id FROM messages WHERE channel_id = ?",
          [channelId],
        ))!.id,
      );
      const position = Math.min(messageId ?? newest, newest);
      const row = await sql.get<{ last_read_id: number }>(upsertRead, [
        userId,
        channelId,
        position,
      ]);
      return Number(row!.last_read_id);
    },
    async unreadCounts(userId) {
      const counts: Record<string, number> = {};
      for (const row of await sql.all<Row>(UNREAD, [userId, userId, userId])) {
        counts[String(row.channel_id)] = Number(row.unread);
      }
      return counts;
    },
    async readPosition(userId, channelId) {
      const row = await sql.get<{ last_read_id: number }>(
        "SELECT last_read_id FROM channel_reads WHERE user_id = ? AND channel_id = ?",
        [userId, channelId],
      );
      return Number(row?.last_read_id ?? 0);
    },
    async channelServers(userId) {
      const servers: Record<string, number> = {};
      const rows = await sql.all<{ id: number; server_id: number }>(
        `SELECT c.id, c.server_id FROM channels c
          JOIN server_members sm ON sm.server_id = c.server_id AND sm.user_id = ?
          WHERE c.kind = 'text'`,
        [userId],
      );
      for (const row of rows) servers[String(row.id)] = Number(row.server_id);
      return servers;
    },
  };
}
