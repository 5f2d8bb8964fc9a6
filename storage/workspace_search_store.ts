// Per-server message search: SQLite FTS5 (messages_fts, filled in batches: search_index.ts) or
// Postgres tsvectors (message_search, GIN), one query language for both
// (routes/workspaces/search_query.ts parses it).
import type { Param, Row, Sql } from "./sql.ts";
import { type Message, rfc3339 } from "./workspace_messages_store.ts";
import { indexPending } from "./search_index.ts";

/** A parsed query; words are lower-case letters and digits only, safe in FTS5 and tsquery. */
export interface SearchQuery {
  words: string[];
  /** An author's display name or email, compared case-insensitively. */
  from?: string;
  /** A channel's name, without a leading `#`, compared case-insensitively. */
  in?: string;
  hasFile: boolean;
}

/** A message found, with the name of the channel it is in. */
export interface SearchHit extends Message {
  channelName: string;
}

export interface SearchOptions {
  limit: number;
  /** Only messages older than this id (the next page). */
  before?: number;
}

export interface SearchStore {
  /** Newest first, only in `serverId`'s channels. */
  search(serverId: number, query: SearchQuery, options: SearchOptions): Promise<SearchHit[]>;
}

/** The words as an FTS5 MATCH expression: every word, each also as a prefix. */
export const ftsMatch = (words: string[]) => words.map((w) => `"${w}"*`).join(" ");

/** The words as a Postgres tsquery: every word, each also as a prefix. */
export const tsQuery = (words: string[]) => words.map((w) => `${w}:*`).join(" & ");

const toHit = (r: Row): SearchHit => {
  const hit: SearchHit = {
    id: Number(r.id),
    channelId: Number(r.channel_id),
    authorEmail: String(r.email),
    authorDisplayName: String(r.display_name),
    content: String(r.content),
    createdAt: rfc3339(Number(r.created_at)),
    channelName: String(r.channel_name),
  };
  if (r.edited_at !== null) hit.editedAt = rfc3339(Number(r.edited_at));
  return hit;
};

/** The WHERE clauses and their parameters for one query, words first. */
function conditions(sql: Sql, serverId: number, query: SearchQuery, before?: number) {
  const where: string[] = [];
  const params: Param[] = [];
  if (query.words.length) {
    if (sql.dialect === "sqlite") {
      where.push("m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)");
      params.push(ftsMatch(query.words));
    } else {
      where.push(
        "m.id IN (SELECT message_id FROM message_search WHERE words @@ to_tsquery('simple', ?))",
      );
      params.push(tsQuery(query.words));
    }
  }
  where.push("c.server_id = ?");
  params.push(serverId);
  if (query.from !== undefined) {
    where.push("(LOWER(u.display_name) = LOWER(?) OR LOWER(u.email) = LOWER(?))");
    params.push(query.from, query.from);
  }
  if (query.in !== undefined) {
    where.push("LOWER(c.name) = LOWER(?)");
    params.push(query.in);
  }
  if (query.hasFile) {
    where.push("EXISTS (SELECT 1 FROM message_attachments a WHERE a.message_id = m.id)");
  }
  if (before !== undefined) {
    where.push("m.id < ?");
    params.push(before);
  }
  return { where: where.join(" AND "), params };
}

export function createSearchStore(sql: Sql): SearchStore {
  return {
    async search(serverId, query, { limit, before }) {
      // Every message committed before the search is found: what waits is indexed first.
      if (query.words.length) await indexPending(sql);
      const { where, params } = conditions(sql, serverId, query, before);
      const rows = await sql.all<Row>(
        `SELECT m.*, u.email, u.display_name, c.name AS channel_name
         FROM messages m JOIN channels c ON c.id = m.channel_id JOIN users u ON u.id = m.author_id
         WHERE ${where} ORDER BY m.id DESC LIMIT ?`,
        [...params, limit],
      );
      return rows.map(toHit);
    },
  };
}
