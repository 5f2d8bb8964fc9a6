-- Workspace search on PostgreSQL: each message's words as a stored tsvector in message_search
-- (GIN-indexed), kept in step by a trigger, as SQLite keeps messages_fts. Stored, not an index
-- expression: a plan that walks messages by id and filters then compares stored vectors instead of
-- re-parsing every message. Punctuation is blanked first so words split where SQLite's unicode61
-- splits them (an address, a path, a hyphenated word are several words on both).
CREATE TABLE message_search (
  message_id BIGINT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  words TSVECTOR NOT NULL
);
CREATE INDEX message_search_words ON message_search USING GIN (words);

CREATE FUNCTION message_search_words(content TEXT) RETURNS TSVECTOR
  LANGUAGE SQL IMMUTABLE
  RETURN to_tsvector('simple', regexp_replace(content, '[[:punct:]]+', ' ', 'g'));

CREATE FUNCTION message_search_sync() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO message_search (message_id, words) VALUES (NEW.id, message_search_words(NEW.content))
    ON CONFLICT (message_id) DO UPDATE SET words = excluded.words;
  RETURN NULL;
END $$;

CREATE TRIGGER message_search_insert AFTER INSERT ON messages
  FOR EACH ROW EXECUTE FUNCTION message_search_sync();
CREATE TRIGGER message_search_update AFTER UPDATE OF content ON messages
  FOR EACH ROW EXECUTE FUNCTION message_search_sync();

INSERT INTO message_search (message_id, words)
  SELECT id, message_search_words(content) FROM messages;

-- from: and has:file narrow by author and attachment; in: by channel uses messages_channel.
CREATE INDEX messages_author ON messages (author_id, id);
