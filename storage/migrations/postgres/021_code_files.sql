-- Live drafts of a code session's open files on PostgreSQL: the twin of ../021_code_files.sql.
-- One row per (session, file); each live update replaces it. Ending the session cascades here.
CREATE TABLE code_drafts (
  session_id TEXT NOT NULL REFERENCES code_sessions (id) ON DELETE CASCADE,
  file_name TEXT NOT NULL,
  content TEXT NOT NULL,
  caret_line INTEGER NOT NULL,
  rev INTEGER NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (session_id, file_name)
);

-- The latest push of each file, and one file's history, without scanning every push.
CREATE INDEX code_snippets_file ON code_snippets (session_id, file_name, seq);
