// Code sessions in SQLite: sessions, participants (capped, in one transaction), snippets, drafts.
import { type Db, type Row, transaction } from "./db.ts";

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
  create(displayName: string, tokenHash: string): CodeSession;
  byCode(code: string): CodeSession | null;
  /** Adds a participant unless `max` already joined; count and insert are one transaction. */
  join(sessionId: string, displayName: string, max: number): JoinResult;
  participantCount(sessionId: string): number;
  /** Everyone who joined, in order. */
  participants(sessionId: string): CodeParticipant[];
  push(sessionId: string, fileName: string, content: string): CodeSnippet;
  latest(sessionId: string): CodeSnippet | null;
  /** Newest first; `before` is the id of the last snippet of the previous page. */
  history(
    sessionId: string,
    options: { limit: number; before?: string; fileName?: string },
  ): SnippetPage | null;
  /** The newest push of each file, newest first, at most `limit` files. */
  latestPerFile(sessionId: string, limit: number): CodeSnippet[];
  /** Replaces a file's draft; a new file is refused once `maxFiles` drafts exist. */
  saveDraft(
    sessionId: string,
    draft: Omit<CodeDraft, "rev" | "updatedAt">,
    maxFiles: number,
  ): DraftResult;
  drafts(sessionId: string): CodeDraft[];
  /** Forgets a file's draft (its tab was closed); its pushes stay. */
  closeDraft(sessionId: string, fileName: string): boolean;
  /** Deletes the session and every row of it in one transaction; false when it was gone. */
  end(sessionId: string): boolean;
  /** Sessions whose last activity is older than `before` (ms since the epoch). */
  idleSince(before: number): CodeSession[];
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

/** The store's SQL, prepared once per database. */
function statements(db: Db) {
  const sql = (text: string) => db.prepare(text);
  return {
    insertSession: sql(
      `INSERT INTO code_sessions (id, session_code, creator_token_hash, display_name, created_at,
         active_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_code) DO NOTHING RETURNING *`,
    ),
    selectByCode: sql("SELECT * FROM code_sessions WHERE session_code = ?"),
    touch: sql("UPDATE code_sessions SET active_at = ? WHERE id = ?"),
    countParticipants: sql(
      "SELECT COUNT(*) AS n FROM code_participants WHERE session_id = ?",
    ),
    insertParticipant: sql(
      `INSERT INTO code_participants (id, session_id, display_name, joined_at)
       VALUES (?, ?, ?, ?) RETURNING *`,
    ),
    insertSnippet: sql(
      `INSERT INTO code_snippets (id, session_id, file_name, content, pushed_at)
       VALUES (?, ?, ?, ?, ?) RETURNING *`,
    ),
    selectPage: sql(
      `SELECT * FROM code_snippets WHERE session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    ),
    selectFilePage: sql(
      `SELECT * FROM code_snippets WHERE session_id = ? AND file_name = ? AND seq < ?
       ORDER BY seq DESC LIMIT ?`,
    ),
    selectLatestPerFile: sql(
      `SELECT * FROM code_snippets WHERE seq IN (SELECT MAX(seq) FROM code_snippets
         WHERE session_id = ? GROUP BY file_name) ORDER BY seq DESC LIMIT ?`,
    ),
    selectParticipants: sql(
      "SELECT * FROM code_participants WHERE session_id = ? ORDER BY joined_at, rowid",
    ),
    countDrafts: sql("SELECT COUNT(*) AS n FROM code_drafts WHERE session_id = ?"),
    upsertDraft: sql(
      `INSERT INTO code_drafts (session_id, file_name, content, caret_line, rev, updated_at)
       VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (session_id, file_name) DO UPDATE SET
         content = excluded.content, caret_line = excluded.caret_line, rev = rev + 1,
         updated_at = excluded.updated_at
       RETURNING *`,
    ),
    selectDraft: sql("SELECT 1 FROM code_drafts WHERE session_id = ? AND file_name = ?"),
    selectDrafts: sql("SELECT * FROM code_drafts WHERE session_id = ? ORDER BY file_name"),
    deleteDraft: sql("DELETE FROM code_drafts WHERE session_id = ? AND file_name = ?"),
    deleteDrafts: sql("DELETE FROM code_drafts WHERE session_id = ?"),
    selectSeq: sql("SELECT seq FROM code_snippets WHERE session_id = ? AND id = ?"),
    deleteSnippets: sql("DELETE FROM code_snippets WHERE session_id = ?"),
    deleteParticipants: sql("DELETE FROM code_participants WHERE session_id = ?"),
    deleteSession: sql("DELETE FROM code_sessions WHERE id = ?"),
    selectIdle: sql("SELECT * FROM code_sessions WHERE active_at < ? ORDER BY active_at"),
  };
}

type Statements = ReturnType<typeof statements>;
type SessionPart = "create" | "byCode" | "join" | "participantCount" | "participants";
type FilePart =
  | "push"
  | "latest"
  | "history"
  | "latestPerFile"
  | "saveDraft"
  | "drafts"
  | "closeDraft";

/** Sessions and who joined them. */
function sessionMethods(
  db: Db,
  q: Statements,
  now: () => number,
  options: CodeStoreOptions,
): Pick<CodeStore, SessionPart> {
  return {
    create(displayName, tokenHash) {
      for (let attempt = 0; attempt < 10; attempt++) {
        const at = now();
        const row = q.insertSession.get(
          crypto.randomUUID(),
          options.newCode(),
          tokenHash,
          displayName,
          at,
          at,
        ) as Row | undefined;
        if (row) return toSession(row);
      }
      throw new Error("Cannot create code session: no free session code after 10 draws");
    },

    byCode(code) {
      const row = q.selectByCode.get(code) as Row | undefined;
      return row ? toSession(row) : null;
    },

    join(sessionId, displayName, max) {
      return transaction(db, (): JoinResult => {
        const count = Number((q.countParticipants.get(sessionId) as Row).n);
        if (count >= max) return { ok: false, count };
        const at = now();
        const row = q.insertParticipant.get(crypto.randomUUID(), sessionId, displayName, at) as Row;
        q.touch.run(at, sessionId);
        return { ok: true, participant: toParticipant(row), count: count + 1 };
      });
    },

    participantCount: (sessionId) => Number((q.countParticipants.get(sessionId) as Row).n),

    participants: (sessionId) => (q.selectParticipants.all(sessionId) as Row[]).map(toParticipant),
  };
}

/** A session's pushed snippets and its per-file drafts. */
function fileMethods(db: Db, q: Statements, now: () => number): Pick<CodeStore, FilePart> {
  return {
    push(sessionId, fileName, content) {
      return transaction(db, () => {
        const at = now();
        const row = q.insertSnippet.get(crypto.randomUUID(), sessionId, fileName, content, at);
        q.touch.run(at, sessionId);
        return toSnippet(row as Row);
      });
    },

    latest(sessionId) {
      const row = q.selectPage.get(sessionId, Number.MAX_SAFE_INTEGER, 1) as Row | undefined;
      return row ? toSnippet(row) : null;
    },

    history(sessionId, { limit, before, fileName }) {
      let from = Number.MAX_SAFE_INTEGER;
      if (before !== undefined) {
        const row = q.selectSeq.get(sessionId, before) as Row | undefined;
        if (!row) return null;
        from = Number(row.seq);
      }
      const rows =
        (fileName === undefined
          ? q.selectPage.all(sessionId, from, limit + 1)
          : q.selectFilePage.all(sessionId, fileName, from, limit + 1)) as Row[];
      return { snippets: rows.slice(0, limit).map(toSnippet), more: rows.length > limit };
    },

    latestPerFile: (sessionId, limit) =>
      (q.selectLatestPerFile.all(sessionId, limit) as Row[]).map(toSnippet),

    saveDraft(sessionId, { fileName, content, caretLine }, maxFiles) {
      return transaction(db, (): DraftResult => {
        if (!q.selectDraft.get(sessionId, fileName)) {
          const files = Number((q.countDrafts.get(sessionId) as Row).n);
          if (files >= maxFiles) return { ok: false, files };
        }
        const at = now();
        const row = q.upsertDraft.get(sessionId, fileName, content, caretLine, at) as Row;
        q.touch.run(at, sessionId);
        return { ok: true, draft: toDraft(row) };
      });
    },

    drafts: (sessionId) => (q.selectDrafts.all(sessionId) as Row[]).map(toDraft),

    closeDraft: (sessionId, fileName) => Number(q.deleteDraft.run(sessionId, fileName).changes) > 0,
  };
}

export function createCodeStore(db: Db, options: CodeStoreOptions): CodeStore {
  const now = options.now ?? Date.now;
  const q = statements(db);

  return {
    ...sessionMethods(db, q, now, options),
    ...fileMethods(db, q, now),

    end(sessionId) {
      return transaction(db, () => {
        q.deleteSnippets.run(sessionId);
        q.deleteDrafts.run(sessionId);
        q.deleteParticipants.run(sessionId);
        return Number(q.deleteSession.run(sessionId).changes) > 0;
      });
    },

    idleSince: (before) => (q.selectIdle.all(before) as Row[]).map(toSession),
  };
}
