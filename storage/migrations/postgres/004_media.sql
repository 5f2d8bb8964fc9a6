-- Media library: one row per stored file (newest first for pagination), and spent one-time tokens.
CREATE TABLE media_files (
  filename TEXT PRIMARY KEY,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX media_files_created ON media_files (created_at DESC, filename);

CREATE TABLE media_token_uses (
  signature TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX media_token_uses_expiry ON media_token_uses (expires_at);
