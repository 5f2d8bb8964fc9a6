-- Watch parties: room details, private rooms with invites and room passes, chat moderation, the
-- streamer dashboard's sessions, and the stream key kept sealed so the dashboard can show it.
ALTER TABLE stream_rooms ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE stream_rooms ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stream_rooms ADD COLUMN slow_mode_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stream_rooms ADD COLUMN last_live_at INTEGER;
-- AES-GCM of the key under a key derived from SERVER_ADMIN_TOKEN; NULL for keys from before.
ALTER TABLE stream_rooms ADD COLUMN key_sealed TEXT;

-- Which chat token sent a message, so a ban from a message reaches its sender.
ALTER TABLE stream_messages ADD COLUMN token_hash TEXT;
CREATE INDEX stream_messages_token ON stream_messages (token_hash, id);

-- Who asked for a chat token: the browser's viewer cookie and the address, both hashed.
ALTER TABLE stream_chat_tokens ADD COLUMN viewer_hash TEXT;
ALTER TABLE stream_chat_tokens ADD COLUMN ip_hash TEXT;
-- The room pass it was issued under (private rooms), so revoking an invite ends its chat too.
ALTER TABLE stream_chat_tokens ADD COLUMN pass_hash TEXT;

CREATE TABLE stream_bans (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room_id INTEGER NOT NULL REFERENCES stream_rooms (id) ON DELETE CASCADE,
  -- Lowercased nickname; the viewer cookie and address hashes of the banned sender, when known.
  nickname_key TEXT NOT NULL,
  viewer_hash TEXT,
  ip_hash TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX stream_bans_room ON stream_bans (room_id);

CREATE TABLE stream_invites (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room_id INTEGER NOT NULL REFERENCES stream_rooms (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  max_uses INTEGER,
  uses INTEGER NOT NULL DEFAULT 0,
  revoked_at INTEGER
);
CREATE INDEX stream_invites_room ON stream_invites (room_id);

-- A browser let into a private room by an invite: the value of its room cookie, hashed.
CREATE TABLE stream_passes (
  token_hash TEXT PRIMARY KEY,
  room_id INTEGER NOT NULL REFERENCES stream_rooms (id) ON DELETE CASCADE,
  invite_id INTEGER NOT NULL REFERENCES stream_invites (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX stream_passes_invite ON stream_passes (invite_id);

-- Dashboard sign-ins with SERVER_ADMIN_TOKEN: the session cookie's hash.
CREATE TABLE stream_admin_sessions (
  token_hash TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
