-- Rich workspace messages: the message replied to, who a message mentions, reactions, pins.
-- No foreign key on reply_to: a reply outlives the message it quotes (its preview says so).
ALTER TABLE messages ADD COLUMN reply_to INTEGER;

-- channel_id is kept beside the message so a member's mention count per channel is one index range.
CREATE TABLE message_mentions (
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  PRIMARY KEY (message_id, user_id)
);
CREATE INDEX message_mentions_user ON message_mentions (user_id, channel_id, message_id);

CREATE TABLE message_reactions (
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  emoji TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (message_id, emoji, user_id)
);

CREATE TABLE channel_pins (
  message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  pinned_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
  pinned_at INTEGER NOT NULL
);
CREATE INDEX channel_pins_channel ON channel_pins (channel_id, pinned_at);
