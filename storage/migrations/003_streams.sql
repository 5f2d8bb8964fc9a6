-- Stream rooms (StreamCircle): rooms with a hashed stream key, a public playback id, live state,
-- and the tables room chat will use (messages and hashed, room-scoped chat tokens).
CREATE TABLE stream_rooms (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  -- SHA-256 of the stream key, hex; the key itself is never stored.
  key_hash TEXT NOT NULL UNIQUE,
  playback_id TEXT NOT NULL UNIQUE,
  -- Who made the room live: 'rtmp' (our listener) or 'hook' (nginx-rtmp callbacks); NULL = offline.
  live_source TEXT,
  live_since INTEGER,
  created_at INTEGER NOT NULL,
  key_rotated_at INTEGER NOT NULL
);

CREATE TABLE stream_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room_id INTEGER NOT NULL REFERENCES stream_rooms (id) ON DELETE CASCADE,
  nickname TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX stream_messages_room ON stream_messages (room_id, id);

CREATE TABLE stream_chat_tokens (
  -- SHA-256 of the token, hex.
  token_hash TEXT PRIMARY KEY,
  room_id INTEGER NOT NULL REFERENCES stream_rooms (id) ON DELETE CASCADE,
  nickname TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX stream_chat_tokens_room ON stream_chat_tokens (room_id);
