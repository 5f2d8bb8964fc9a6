// Channel messages and each member's read position, in SQLite.
import type { Db, Row } from "./db.ts";

/** A message as EchoSphere clients read it; `editedAt` only once edited. */
export interface Message {
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
  post(channelId: number, authorId: number, content: string): StoredMessage;
  /** Oldest first. Without cursors: the newest `limit`. */
  history(channelId: number, options: HistoryOptions): Message[];
  message(id: number): StoredMessage | null;
  edit(id: number, content: string): StoredMessage;
  delete(id: number): void;
  /** Moves the read position forward (never back); returns the position kept. */
  markRead(userId: number, channelId: number, messageId?: number): number;
  /** Unread messages by others, per text channel of every server the user is in. */
  unreadCounts(userId: number): Record<string, number>;
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The message as sent to clients: the seed's fields, plus `editedAt` once edited. */
export function publicMessage(message: StoredMessage): Message {
  const { authorId: _, ...view } = message;
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

export function createMessagesStore(db: Db): MessagesStore {
  const q = {
    insert: db.prepare(
      "INSERT INTO messages (channel_id, author_id, content, created_at) VALUES (?, ?, ?, ?) RETURNING id",
    ),
    one: db.prepare(`${SELECT} WHERE m.id = ?`),
    latest: db.prepare(`${SELECT} WHERE m.channel_id = ? ORDER BY m.id DESC LIMIT ?`),
    before: db.prepare(`${SELECT} WHERE m.channel_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`),
    after: db.prepare(`${SELECT} WHERE m.channel_id = ? AND m.id > ? ORDER BY m.id LIMIT ?`),
    between: db.prepare(
      `${SELECT} WHERE m.channel_id = ? AND m.id > ? AND m.id < ? ORDER BY m.id LIMIT ?`,
    ),
    edit: db.prepare("UPDATE messages SET content = ?, edited_at = ? WHERE id = ?"),
    remove: db.prepare("DELETE FROM messages WHERE id = ?"),
    maxId: db.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM messages WHERE channel_id = ?"),
    read: db.prepare(
      `INSERT INTO channel_reads (user_id, channel_id, last_read_id) VALUES (?, ?, ?)
       ON CONFLICT (user_id, channel_id) DO UPDATE
       SET last_read_id = MAX(last_read_id, excluded.last_read_id)
       RETURNING last_read_id`,
    ),
    unread: db.prepare(
      `SELECT c.id AS channel_id,
         (SELECT COUNT(*) FROM messages m WHERE m.channel_id = c.id
            AND m.id > COALESCE(r.last_read_id, 0) AND m.author_id != ?1) AS unread
       FROM channels c
       JOIN server_members sm ON sm.server_id = c.server_id AND sm.user_id = ?1
       LEFT JOIN channel_reads r ON r.channel_id = c.id AND r.user_id = ?1
       WHERE c.kind = 'text'`,
    ),
  };
  const byId = (id: number) => {
    const row = q.one.get(id) as Row | undefined;
    return row ? toMessage(row) : null;
  };

  return {
    post(channelId, authorId, content) {
      const { id } = q.insert.get(channelId, authorId, content, Date.now()) as { id: number };
      return byId(Number(id))!;
    },
    history(channelId, { limit, before, after }) {
      let rows: Row[];
      if (after !== undefined && before !== undefined) {
        rows = q.between.all(channelId, after, before, limit) as Row[];
      } else if (after !== undefined) {
        rows = q.after.all(channelId, after, limit) as Row[];
      } else if (before !== undefined) {
        rows = (q.before.all(channelId, before, limit) as Row[]).reverse();
      } else {
        rows = (q.latest.all(channelId, limit) as Row[]).reverse();
      }
      return rows.map((r) => publicMessage(toMessage(r)));
    },
    message: byId,
    edit(id, content) {
      q.edit.run(content, Date.now(), id);
      return byId(id)!;
    },
    delete: (id) => void q.remove.run(id),
    markRead(userId, channelId, messageId) {
      const newest = Number((q.maxId.get(channelId) as { id: number }).id);
      const position = Math.min(messageId ?? newest, newest);
      const row = q.read.get(userId, channelId, position) as { last_read_id: number };
      return Number(row.last_read_id);
    },
    unreadCounts(userId) {
      const counts: Record<string, number> = {};
      for (const row of q.unread.all(userId) as Row[]) {
        counts[String(row.channel_id)] = Number(row.unread);
      }
      return counts;
    },
  };
}
