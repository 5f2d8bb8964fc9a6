-- Code sessions (CodeCast): a session, its participants and every snippet pushed to it.
-- Rows of a session go together: ending it deletes the session and cascades to the rest.
CREATE TABLE code_sessions (
  id TEXT PRIMARY KEY,
  session_code TEXT NOT NULL UNIQUE,
  creator_token_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  active_at INTEGER NOT NULL
);
CREATE INDEX code_sessions_active_at ON code_sessions (active_at);

CREATE TABLE code_participants (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES code_sessions (id) ON DELETE CASCADE,
  display_name TEXT NOT NULL,
  joined_at INTEGER NOT NULL
);
CREATE INDEX code_participants_session ON code_participants (session_id);

-- seq orders pushes (two can share a millisecond); id is the public UUID.
CREATE TABLE code_snippets (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  session_id TEXT NOT NULL REFERENCES code_sessions (id) ON DELETE CASCADE,
  file_name TEXT NOT NULL,
  content TEXT NOT NULL,
  pushed_at INTEGER NOT NULL
);
CREATE INDEX code_snippets_session ON code_snippets (session_id, seq);
