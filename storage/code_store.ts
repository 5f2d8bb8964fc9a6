// Code sessions on the Sql seam: sessions, participants (capped, in one transaction), snippets, drafts.
import type { Row, Sql } from "./sql.ts";

export interface CodeSession {
  id: string;
  code: string;
  tokenHash: string;
  displayName: string;
  createdAt: number;
  /** Last create, join or push; a session idle past the TTL ends by itself. */
  activeAt: number;
}

export interface CodeParticipant {
  id: string;
  sessionId: string;
  displayName: string;
  joinedAt: number;
}

export interface CodeSnippet {
  id: string;
  sessionId: string;
  fileName: string;
  content: string;
  pushedAt: number;
}

/** The live state of one open file: what the presenter typed last, and where the caret is. */
export interface CodeDraft {
  fileName: string;
  content: string;
  caretLine: number;
  /** Increases with every update of this file, so a late frame never replaces a newer one. */
  rev: number;
  updatedAt: number;
}

export type DraftResult = { ok: true; draft: CodeDraft } | { ok: false; files: number };

export interface SnippetPage {
  snippets: CodeSnippet[];
  /** True when older snippets remain past this page. */
  more: boolean;
}

export interface CodeStore {
  /** Creates a session under a fresh code (drawn again on the rare collision). */
  create(displayName: string, tokenHash: string): Promise<CodeSession>;
  byCode(code: string): Promise<CodeSession | null>;
  /**
   * Adds a participant unless `max` already joined: the session's row is locked while the count is
   * read and the row inserted, so the cap holds across instances. Null when the session is gone.
   */
  join(sessionId: string, displayName: string, max: number): Promise<JoinResult | null>;
  participantCount(sessionId: string): Promise<number>;
  /** Everyone who joined, in order. */
  participants(sessionId: string): Promise<CodeParticipant[]>;
  /** Null when the session ended meanwhile. */
  push(sessionId: string, fileName: string, content: string): Promise<CodeSnippet | null>;
  latest(sessionId: string): Promise<CodeSnippet | null>;
  /** Newest first; `before` is the id of the last snippet of the previous page. */
  history(
    sessionId: string,
    options: { limit: number; before?: string; fileName?: string },
  ): Promise<SnippetPage | null>;
  /** The newest push of each file, newest first, at most `limit` files. */
  latestPerFile(sessionId: string, limit: number): Promise<CodeSnippet[]>;
  /**
   * Replaces a file's draft; a new file is refused once `maxFiles` drafts exist (counted under the
   * session's row lock). Null when the session ended meanwhile.
   */
  saveDraft(
    sessionId: string,
    draft: Omit<CodeDraft, "rev" | "updatedAt">,
    maxFiles: number,
  ): Promise<DraftResult | null>;
  drafts(sessionId: string): Promise<CodeDraft[]>;
  /** Forgets a file's draft (its tab was closed); its pushes stay. */
  closeDraft(sessionId: string, fileName: string): Promise<boolean>;
  /** Deletes the session and every row of it in one transaction; false when it was gone. */
  end(sessionId: string): Promise<boolean>;
  /** Sessions whose last activity is older than `before` (ms since the epoch). */
  idleSince(before: number): Promise<CodeSession[]>;
}

export type JoinResult =
  | { ok: true; participant: CodeParticipant; count: number }
  | { ok: false; count: number };

export interface CodeStoreOptions {
  /** Draws a new session code. */
  newCode(): string;
  /** @default Date.now */
  now?: () => number;
}

const toSession = (row: Row): CodeSession => ({
  id: String(row.id),
  code: String(row.session_code),
  tokenHash: String(row.creator_token_hash),
  displayName: String(row.display_name),
  createdAt: Number(row.created_at),
  activeAt: Number(row.active_at),
});
const toParticipant = (row: Row): CodeParticipant => ({
  id: String(row.id),
  sessionId: String(row.session_id),
  displayName: String(row.display_name),
  joinedAt: Number(row.joined_at),
});
const toDraft = (row: Row): CodeDraft => ({
  fileName: String(row.file_name),
  content: String(row.content),
  caretLine: Number(row.caret_line),
  rev: Number(row.rev),
  updatedAt: Number(row.updated_at),
});
const toSnippet = (row: Row): CodeSnippet => ({
  id: String(row.id),
  sessionId: String(row.session_id),
  fileName: String(row.file_name),
  content: String(row.content),
  pushedAt: Number(row.pushed_at),
});

// Pages start below every seq; a bound parameter, so both engines read it as a BIGINT.
const NO_SEQ = Number.MAX_SAFE_INTEGER;
const SELECT_PAGE =
  "SELECT * FROM code_snippets WHERE session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?";

type SessionPart = "create" | "byCode" | "join" | "participantCount" | "participants";
type SnippetPart = "push" | "latest" | "history";
type DraftPart = "latestPerFile" | "saveDraft" | "drafts" | "closeDraft";

/** What the parts share: the database, the clock, and the session-row lock. */
interface Context {
  sql: Sql;
  now: () => number;
  /**
   * Locks the session's row until the transaction ends (Postgres; SQLite's transaction already
   * holds the write lock): a count read after it cannot be raced by another instance, and the
   * session cannot be ended under the write. False when the session is gone.
   */
  lockSession(sessionId: string): Promise<boolean>;
  touch(sessionId: string, at: number): Promise<number>;
  count(table: "code_participants" | "code_drafts", sessionId: string): Promise<number>;
}

/** Sessions and who joined them. */
function sessionMethods(ctx: Context, options: CodeStoreOptions): Pick<CodeStore, SessionPart> {
  const { sql, now } = ctx;
  // Postgres has no rowid; participants that joined in the same millisecond then order by id.
  const participantOrder = sql.dialect === "sqlite" ? "joined_at, rowid" : "joined_at, id";
  return {
    async create(displayName, tokenHash) {
      for (let attempt = 0; attempt < 10; attempt++) {
        const at = now();
        const row = await sql.get(
          `INSERT INTO code_sessions (id, session_code, creator_token_hash, display_name,
             created_at, active_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (session_code) DO NOTHING RETURNING *`,
          [crypto.randomUUID(), options.newCode(), tokenHash, displayName, at, at],
        );
        if (row) return toSession(row);
      }
      throw new Error("Cannot create code session: no free session code after 10 draws");
    },

    async byCode(code) {
      const row = await sql.get("SELECT * FROM code_sessions WHERE session_code = ?", [code]);
      return row ? toSession(row) : null;
    },

    join(sessionId, displayName, max) {
      return sql.transaction(async (): Promise<JoinResult | null> => {
        if (!await ctx.lockSession(sessionId)) return null;
        const count = await ctx.count("code_participants", sessionId);
        if (count >= max) return { ok: false, count };
        const at = now();
        const row = await sql.get(
          `INSERT INTO code_participants (id, session_id, display_name, joined_at)
           VALUES (?, ?, ?, ?) RETURNING *`,
          [crypto.randomUUID(), sessionId, displayName, at],
        );
        await ctx.touch(sessionId, at);
        return { ok: true, participant: toParticipant(row!), count: count + 1 };
      });
    },

    participantCount: (sessionId) => ctx.count("code_participants", sessionId),

    participants: async (sessionId) =>
      (await sql.all(
        `SELECT * FROM code_participants WHERE session_id = ? ORDER BY ${participantOrder}`,
        [sessionId],
      )).map(toParticipant),
  };
}

/** A session's pushed snippets. */
function snippetMethods(ctx: Context): Pick<CodeStore, SnippetPart> {
  const { sql, now } = ctx;
  return {
    push(sessionId, fileName, content) {
      return sql.transaction(async () => {
        if (!await ctx.lockSession(sessionId)) return null;
        const at = now();
        const row = await sql.get(
          `INSERT INTO code_snippets (id, session_id, file_name, content, pushed_at)
           VALUES (?, ?, ?, ?, ?) RETURNING *`,
          [crypto.randomUUID(), sessionId, fileName, content, at],
        );
        await ctx.touch(sessionId, at);
        return toSnippet(row!);
      });
    },

    async latest(sessionId) {
      const row = await sql.get(SELECT_PAGE, [sessionId, NO_SEQ, 1]);
      return row ? toSnippet(row) : null;
    },

    async history(sessionId, { limit, before, fileName }) {
      let from = NO_SEQ;
      if (before !== undefined) {
        const row = await sql.get("SELECT seq FROM code_snippets WHERE session_id = ? AND id = ?", [
          sessionId,
          before,
        ]);
        if (!row) return null;
        from = Number(row.seq);
      }
      const rows = fileName === undefined
        ? await sql.all(SELECT_PAGE, [sessionId, from, limit + 1])
        : await sql.all(
          `SELECT * FROM code_snippets WHERE session_id = ? AND file_name = ? AND seq < ?
           ORDER BY seq DESC LIMIT ?`,
          [sessionId, fileName, from, limit + 1],
        );
      return { snippets: rows.slice(0, limit).map(toSnippet), more: rows.length > limit };
    },
  };
}

/** A session's per-file drafts and the newest push of each file. */
function fileMethods(ctx: Context): Pick<CodeStore, DraftPart> {
  const { sql, now } = ctx;
  return {
    latestPerFile: async (sessionId, limit) =>
      (await sql.all(
        `SELECT * FROM code_snippets WHERE seq IN (SELECT MAX(seq) FROM code_snippets
           WHERE session_id = ? GROUP BY file_name) ORDER BY seq DESC LIMIT ?`,
        [sessionId, limit],
      )).map(toSnippet),

    saveDraft(sessionId, { fileName, content, caretLine }, maxFiles) {
      return sql.transaction(async (): Promise<DraftResult | null> => {
        if (!await ctx.lockSession(sessionId)) return null;
        const open = await sql.get(
          "SELECT 1 AS open FROM code_drafts WHERE session_id = ? AND file_name = ?",
          [sessionId, fileName],
        );
        if (!open) {
          const files = await ctx.count("code_drafts", sessionId);
          if (files >= maxFiles) return { ok: false, files };
        }
        const at = now();
        // Qualified: in Postgres' DO UPDATE a bare `rev` would be ambiguous beside `excluded`.
        const row = await sql.get(
          `INSERT INTO code_drafts (session_id, file_name, content, caret_line, rev, updated_at)
           VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (session_id, file_name) DO UPDATE SET
             content = excluded.content, caret_line = excluded.caret_line,
             rev = code_drafts.rev + 1, updated_at = excluded.updated_at
           RETURNING *`,
          [sessionId, fileName, content, caretLine, at],
        );
        await ctx.touch(sessionId, at);
        return { ok: true, draft: toDraft(row!) };
      });
    },

    drafts: async (sessionId) =>
      (await sql.all("SELECT * FROM code_drafts WHERE session_id = ? ORDER BY file_name", [
        sessionId,
      ])).map(toDraft),

    closeDraft: async (sessionId, fileName) =>
      await sql.run("DELETE FROM code_drafts WHERE session_id = ? AND file_name = ?", [
        sessionId,
        fileName,
      ]) > 0,
  };
}

export function createCodeStore(sql: Sql, options: CodeStoreOptions): CodeStore {
  const ctx: Context = {
    sql,
    now: options.now ?? Date.now,
    lockSession: async (sessionId) =>
      await sql.get(`SELECT id FROM code_sessions WHERE id = ?${sql.forUpdate}`, [sessionId]) !==
        undefined,
    touch: (sessionId, at) =>
      sql.run("UPDATE code_sessions SET active_at = ? WHERE id = ?", [at, sessionId]),
    // The table name comes from this file, never from a caller's input.
    count: async (table, sessionId) =>
      Number(
        (await sql.get(`SELECT COUNT(*) AS n FROM ${table} WHERE session_id = ?`, [sessionId]))!.n,
      ),
  };

  return {
    ...sessionMethods(ctx, options),
    ...snippetMethods(ctx),
    ...fileMethods(ctx),

    end(sessionId) {
      return sql.transaction(async () => {
        // Locked first, so a join or push in flight on another instance finishes before or after.
        if (!await ctx.lockSession(sessionId)) return false;
        for (const table of ["code_snippets", "code_drafts", "code_participants"]) {
          await sql.run(`DELETE FROM ${table} WHERE session_id = ?`, [sessionId]);
        }
        return await sql.run("DELETE FROM code_sessions WHERE id = ?", [sessionId]) > 0;
      });
    },

    idleSince: async (before) =>
      (await sql.all("SELECT * FROM code_sessions WHERE active_at < ? ORDER BY active_at", [
        before,
      ])).map(toSession),
  };
}
