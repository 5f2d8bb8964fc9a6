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
}

/** The participant page's boot data (`window.__ROOMCAST__`). */
export type CodePageData = { code: string; grouped: string | null; found: boolean };
