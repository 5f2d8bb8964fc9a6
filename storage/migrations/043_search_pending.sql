-- Workspace search on SQLite, indexed in batches: a lone FTS5 insert writes a segment of its own
-- (and merges them later), which tripled the pages of a post's commit. A post now only leaves its
-- id here; workspace_search_store.ts indexes what is pending before every search and in batches
-- as posts arrive, so a search still finds every message committed before it.
CREATE TABLE messages_fts_pending (id INTEGER PRIMARY KEY);
DROP TRIGGER messages_fts_insert;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts_pending (id) VALUES (new.id);
END;
-- A message not yet indexed has nothing in messages_fts to delete (a 'delete' of terms that were
-- never added would corrupt an external-content index): it only leaves the queue.
DROP TRIGGER messages_fts_delete;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content)
    SELECT 'delete', old.id, old.content
    WHERE NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE id = old.id);
  DELETE FROM messages_fts_pending WHERE id = old.id;
END;
-- A pending message is indexed with whatever text it has then; an indexed one is re-indexed now.
DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
WHEN NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE id = old.id) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
