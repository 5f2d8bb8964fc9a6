-- Workspace search on PostgreSQL: a GIN index over the words of messages.content. Punctuation
-- is blanked first so words split where SQLite's unicode61 splits them (an address, a path, a
-- hyphenated word are several words on both); the query uses this exact expression.
CREATE INDEX messages_search ON messages
  USING GIN (to_tsvector('simple', regexp_replace(content, '[[:punct:]]+', ' ', 'g')));
CREATE INDEX messages_author ON messages (author_id, id);
