-- Media library: the name a file was uploaded under (shown and searched; the stored name stays
-- generated) and its dimensions, read from its header. NULL where unknown: files indexed from disk
-- have no original name, and a header without a size has no dimensions.
ALTER TABLE media_files ADD COLUMN original_name TEXT;
ALTER TABLE media_files ADD COLUMN width DOUBLE PRECISION;
ALTER TABLE media_files ADD COLUMN height DOUBLE PRECISION;
-- What a search matches: both names, lowercased by the store (so LIKE needs no case folding).
ALTER TABLE media_files ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE media_files SET search_text = filename;
-- SQLite's COLLATE NOCASE twin: the lowered name in byte order (the store's "name" sort).
CREATE INDEX media_files_name ON media_files
  (LOWER(COALESCE(original_name, filename)) COLLATE "C", filename COLLATE "C");
CREATE INDEX media_files_size ON media_files (size DESC, filename);
