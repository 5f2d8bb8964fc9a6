// CodeCast's JSON and live events, as the sessions API answers and the code pages read them.
// Types only: the pages import them with `import type`, so nothing of the server reaches a bundle.

/** A session as CodeCast shows it (times are ISO 8601). */
export interface SessionView {
  id: string;
  session_code: string;
  display_name: string;
  is_active: boolean;
  created_at: string;
}

/** `POST /api/v1/sessions/anon`: the creator token only when the server made it (none was sent). */
export interface CreatedSession extends SessionView {
  creator_token?: string;
}

/** `GET /api/v1/sessions/anon/:code`. */
export interface SessionInfo extends SessionView {
  participant_count: number;
  max_participants: number;
  /** Open event streams on the session, joined or not, the presenter's own not counted. */
  watching: number;
}

/** A file's live draft: what the presenter is typing (`POST .../live`). */
export interface DraftView {
  file_name: string;
  content: string;
  /** 1-based line of the presenter's caret. */
  caret_line: number;
  rev: number;
  updated_at: string;
}

/** `GET .../files`: each file with its live draft and its newest push, newest activity first. */
export interface FileEntry {
  file_name: string;
  draft: DraftView | null;
  latest: SnippetView | null;
}

/** `GET .../participants` (creator only): everyone who joined, and who is watching now. */
export interface ParticipantList {
  participants: ParticipantView[];
  watching: number;
}

/** The limits of live typing, so the presenter page can say them before the server refuses. */
export interface LiveLimits {
  max_live_bytes: number;
  max_files: number;
  max_file_name: number;
}

/** `POST /api/v1/sessions/anon/:code/join`. */
export interface ParticipantView {
  id: string;
  session_id: string;
  display_name: string;
  joined_at: string;
}

export interface SnippetView {
  id: string;
  session_id: string;
  file_name: string;
  content: string;
  pushed_at: string;
}

/** `GET /api/v1/sessions/anon/:code/snippets/history`: newest first. */
export interface SnippetHistory {
  snippets: SnippetView[];
  count: number;
  /** The id to pass as `before` for the next page, or null on the last one. */
  next_before: string | null;
}

/** `POST /api/v1/sessions/anon/:code/end`. */
export interface SessionEnded {
  message: string;
  session_code: string;
}

/** Why a session ended: by its creator, or idle past the TTL. */
export type EndReason = "ended" | "expired";

/** Each event on a session's `code:<CODE>` topic by its type (the data of its SSE frame). */
export interface CodeEvents {
  snippet: SnippetView;
  participant: { participant: ParticipantView; count: number };
  ended: { session_code: string; reason: EndReason };
  /** Fleeting (never replayed): the state of one file as the presenter types. */
  live: DraftView;
  /** Fleeting: a file's tab was closed by the presenter. */
  closed: { file_name: string };
  /** Fleeting: how many streams follow the session now. */
  watching: { count: number };
}

/** The participant page's boot data (`window.__ROOMCAST__`). */
export type CodePageData = { code: string; grouped: string | null; found: boolean };

/** The presenter page's boot data. */
export type PresentPageData = { limits: LiveLimits };
