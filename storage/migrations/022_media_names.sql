-- Media library: the name a file was uploaded under (shown and searched; the stored name stays
-- generated) and its dimensions, read from its header. NULL where unknown: files indexed from disk
-- have no original name, and a header without a size has no dimensions.
ALTER TABLE media_files ADD COLUMN original_name TEXT;
ALTER TABLE media_files ADD COLUMN width REAL;
ALTER TABLE media_files ADD COLUMN height REAL;
-- What a search matches: both names, lowercased by the store (SQLite's LIKE folds ASCII only).
ALTER TABLE media_files ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE media_files SET search_text = filename;
CREATE INDEX media_files_name ON media_files (COALESCE(original_name, filename) COLLATE NOCASE, filename);
CREATE INDEX media_files_size ON media_files (size DESC, filename);
