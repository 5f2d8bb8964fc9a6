-- Workspace attachments: files posted with a message, kept in the blob store under
-- `workspace-attachments/<32 hex>.<ext>`; a row goes with its message (and channel, and server).
CREATE TABLE message_attachments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  blob_key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX message_attachments_message ON message_attachments (message_id);
