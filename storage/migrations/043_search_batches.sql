-- Workspace search on SQLite, indexed in batches: a lone FTS5 insert writes a segment of its own
-- (and merges them later), which tripled the pages of a post's commit. Messages up to
-- `messages_fts_state.upto` are in messages_fts; later ones (ids only grow: AUTOINCREMENT) are
-- indexed by workspace_search_store.ts before every search and in batches as posts arrive, so a
-- search still finds every message committed before it.
CREATE TABLE messages_fts_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  upto INTEGER NOT NULL
);
INSERT INTO messages_fts_state (id, upto) VALUES (1, COALESCE((SELECT MAX(id) FROM messages), 0));
DROP TRIGGER messages_fts_insert;
-- A message not yet indexed has nothing in messages_fts to delete (a 'delete' of terms that were
-- never added corrupts an external-content index), and is indexed with whatever text it has then.
DROP TRIGGER messages_fts_delete;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.id <= (SELECT upto FROM messages_fts_state) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
WHEN old.id <= (SELECT upto FROM messages_fts_state) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
