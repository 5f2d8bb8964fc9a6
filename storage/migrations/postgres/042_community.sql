-- Running a community (issue 14) on PostgreSQL: the same changes as ../042_community.sql.
ALTER TABLE server_members DROP CONSTRAINT server_members_role_check;
ALTER TABLE server_members ADD CONSTRAINT server_members_role_check
  CHECK (role IN ('owner', 'admin', 'member'));

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
  server_id BIGINT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  banned_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (server_id, user_id)
);

-- The blob key of an uploaded avatar (`avatars/<user>-<random>.<ext>`); NULL: generated from the name.
ALTER TABLE users ADD COLUMN avatar_key TEXT;
