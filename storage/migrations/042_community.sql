-- Running a community (issue 14): admins, bans, server and channel settings, DMs, avatars.
-- SQLite cannot change a CHECK constraint in place: the member table is rebuilt with 'admin'.
CREATE TABLE server_members_042 (
  server_id INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (server_id, user_id)
);
INSERT INTO server_members_042 (server_id, user_id, role, joined_at)
  SELECT server_id, user_id, role, joined_at FROM server_members;
DROP TABLE server_members;
ALTER TABLE server_members_042 RENAME TO server_members;
CREATE INDEX server_members_user ON server_members (user_id);

-- Whether members (not only owners and admins) may make invite links.
ALTER TABLE servers ADD COLUMN members_can_invite INTEGER NOT NULL DEFAULT 0;
-- A direct message is a server of two members with one text channel; its key is
-- "<smaller user id>:<larger user id>", so a pair has one DM. NULL for every other server.
ALTER TABLE servers ADD COLUMN dm_key TEXT;
CREATE UNIQUE INDEX servers_dm_key ON servers (dm_key);

ALTER TABLE channels ADD COLUMN topic TEXT NOT NULL DEFAULT '';
-- Channels list by position, then id; new channels take 0 and so keep their creation order.
ALTER TABLE channels ADD COLUMN position INTEGER NOT NULL DEFAULT 0;

-- A banned user cannot redeem the server's invites until the ban is lifted.
CREATE TABLE server_bans (
  server_id INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  banned_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (server_id, user_id)
);

-- The blob key of an uploaded avatar (`avatars/<user>-<random>.<ext>`); NULL: generated from the name.
ALTER TABLE users ADD COLUMN avatar_key TEXT;
