// Running a workspace community on the Sql seam: settings, channel order and topics, roles, bans,
// direct messages (two-member servers) and avatar keys (migration 042).
import type { Row, Sql } from "./sql.ts";
import type { Role } from "./workspaces_store.ts";

export interface ServerSettings {
  id: number;
  name: string;
  membersCanInvite: boolean;
  /** A direct message between two people, not a server anyone runs. */
  dm: boolean;
  isDefault: boolean;
}

export interface Ban {
  userId: number;
  displayName: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

export interface DirectMessage {
  /** The DM's two-member server. */
  serverId: number;
  /** Its one text channel, where messages go as in any channel. */
  channelId: number;
  peer: { id: number; displayName: string };
}

export interface CommunityStore {
  settings(serverId: number): Promise<ServerSettings | null>;
  updateServer(
    serverId: number,
    change: { name?: string; membersCanInvite?: boolean },
  ): Promise<void>;
  /** Deletes the server and, by cascade, its channels, messages, members, invites and bans. */
  deleteServer(serverId: number): Promise<void>;
  updateChannel(channelId: number, change: { name?: string; topic?: string }): Promise<void>;
  deleteChannel(channelId: number): Promise<void>;
  /** Positions the server's channels in the order of `channelIds` (all of them), in one transaction. */
  orderChannels(serverId: number, channelIds: number[]): Promise<void>;
  /** Channel topics by channel id (non-empty ones only). */
  topics(serverId: number): Promise<Record<string, string>>;
  setRole(serverId: number, userId: number, role: Exclude<Role, "owner">): Promise<void>;
  /** Makes `to` the owner and the old owner an admin, in one transaction. */
  transferOwnership(serverId: number, from: number, to: number): Promise<void>;
  /** Removes the member; true when they were one. */
  removeMember(serverId: number, userId: number): Promise<boolean>;
  /** Removes the member (if one) and records the ban, in one transaction. */
  ban(serverId: number, userId: number, by: number): Promise<void>;
  unban(serverId: number, userId: number): Promise<boolean>;
  bans(serverId: number): Promise<Ban[]>;
  /** Whether `a` and `b` are both members of some server that is not a DM. */
  shareServer(a: number, b: number): Promise<boolean>;
  /** The DM of `a` and `b`, made (server, channel, both members) on first use. */
  openDm(a: number, b: number): Promise<{ dm: DirectMessage; created: boolean }>;
  /** The DMs `userId` is in, newest first. */
  dms(userId: number): Promise<DirectMessage[]>;
  /** Stores the avatar's blob key (null: back to the generated one); returns the old key. */
  setAvatar(userId: number, key: string | null): Promise<string | null>;
  avatarKey(userId: number): Promise<string | null>;
  /** Blob keys of the members of `serverId` who uploaded an avatar, by user id. */
  avatarsOf(serverId: number): Promise<Record<string, string>>;
}

const dmKey = (a: number, b: number) => `${Math.min(a, b)}:${Math.max(a, b)}`;

const toSettings = (r: Row): ServerSettings => ({
  id: Number(r.id),
  name: String(r.name),
  membersCanInvite: Number(r.members_can_invite) === 1,
  dm: r.dm_key !== null,
  isDefault: Number(r.is_default) === 1,
});

/** The DM columns every DM listing selects: its server, channel and the other member. */
const DM_SELECT = `SELECT s.id AS server_id, c.id AS channel_id, u.id AS peer_id,
    u.display_name AS peer_name
  FROM servers s
  JOIN server_members me ON me.server_id = s.id AND me.user_id = ?
  JOIN server_members other ON other.server_id = s.id AND other.user_id != me.user_id
  JOIN users u ON u.id = other.user_id
  JOIN channels c ON c.server_id = s.id
  WHERE s.dm_key IS NOT NULL`;

const toDm = (r: Row): DirectMessage => ({
  serverId: Number(r.server_id),
  channelId: Number(r.channel_id),
  peer: { id: Number(r.peer_id), displayName: String(r.peer_name) },
});

/** The DM of the pair, made on first use; run in a transaction. */
async function openDm(sql: Sql, a: number, b: number) {
  const key = dmKey(a, b);
  const found = await sql.get<Row>(`${DM_SELECT} AND s.dm_key = ?`, [a, key]);
  if (found) return { dm: toDm(found), created: false };
  const now = Date.now();
  // Two first messages at once: the unique key lets one insert win; the other reads it back.
  const server = await sql.get<Row>(
    `INSERT INTO servers (name, owner_id, is_default, created_at, dm_key)
     VALUES ('Direct message', NULL, 0, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
    [now, key],
  );
  if (!server) {
    return {
      dm: toDm((await sql.get<Row>(`${DM_SELECT} AND s.dm_key = ?`, [a, key]))!),
      created: false,
    };
  }
  const serverId = Number(server.id);
  await sql.run(
    "INSERT INTO channels (server_id, name, kind, created_at) VALUES (?, 'dm', 'text', ?)",
    [serverId, now],
  );
  for (const userId of [a, b]) {
    await sql.run(
      "INSERT INTO server_members (server_id, user_id, role, joined_at) VALUES (?, ?, 'member', ?)",
      [serverId, userId, now],
    );
  }
  return {
    dm: toDm((await sql.get<Row>(`${DM_SELECT} AND s.id = ?`, [a, serverId]))!),
    created: true,
  };
}

type Part<K extends keyof CommunityStore> = Pick<CommunityStore, K>;

/** A server's own settings and its channels. */
function serverPart(
  sql: Sql,
): Part<
  | "settings"
  | "updateServer"
  | "deleteServer"
  | "updateChannel"
  | "deleteChannel"
  | "orderChannels"
  | "topics"
> {
  return {
    async settings(serverId) {
      const row = await sql.get<Row>("SELECT * FROM servers WHERE id = ?", [serverId]);
      return row ? toSettings(row) : null;
    },
    async updateServer(serverId, { name, membersCanInvite }) {
      if (name !== undefined) {
        await sql.run("UPDATE servers SET name = ? WHERE id = ?", [name, serverId]);
      }
      if (membersCanInvite !== undefined) {
        await sql.run("UPDATE servers SET members_can_invite = ? WHERE id = ?", [
          membersCanInvite ? 1 : 0,
          serverId,
        ]);
      }
    },
    async deleteServer(serverId) {
      await sql.run("DELETE FROM servers WHERE id = ?", [serverId]);
    },
    async updateChannel(channelId, { name, topic }) {
      if (name !== undefined) {
        await sql.run("UPDATE channels SET name = ? WHERE id = ?", [name, channelId]);
      }
      if (topic !== undefined) {
        await sql.run("UPDATE channels SET topic = ? WHERE id = ?", [topic, channelId]);
      }
    },
    async deleteChannel(channelId) {
      await sql.run("DELETE FROM channels WHERE id = ?", [channelId]);
    },
    orderChannels: (serverId, channelIds) =>
      sql.transaction(async () => {
        for (const [position, id] of channelIds.entries()) {
          await sql.run("UPDATE channels SET position = ? WHERE id = ? AND server_id = ?", [
            position + 1,
            id,
            serverId,
          ]);
        }
      }),
    async topics(serverId) {
      const rows = await sql.all<Row>(
        "SELECT id, topic FROM channels WHERE server_id = ? AND topic != ''",
        [serverId],
      );
      return Object.fromEntries(rows.map((r) => [String(r.id), String(r.topic)]));
    },
  };
}

/** Who is in a server, in which role, and who may not come back. */
function memberPart(
  sql: Sql,
): Part<"setRole" | "transferOwnership" | "removeMember" | "ban" | "unban" | "bans"> {
  return {
    async setRole(serverId, userId, role) {
      await sql.run("UPDATE server_members SET role = ? WHERE server_id = ? AND user_id = ?", [
        role,
        serverId,
        userId,
      ]);
    },
    transferOwnership: (serverId, from, to) =>
      sql.transaction(async () => {
        const set = "UPDATE server_members SET role = ? WHERE server_id = ? AND user_id = ?";
        await sql.run(set, ["admin", serverId, from]);
        await sql.run(set, ["owner", serverId, to]);
        await sql.run("UPDATE servers SET owner_id = ? WHERE id = ?", [to, serverId]);
      }),
    async removeMember(serverId, userId) {
      const removed = await sql.run(
        "DELETE FROM server_members WHERE server_id = ? AND user_id = ?",
        [serverId, userId],
      );
      return removed > 0;
    },
    ban: (serverId, userId, by) =>
      sql.transaction(async () => {
        await sql.run("DELETE FROM server_members WHERE server_id = ? AND user_id = ?", [
          serverId,
          userId,
        ]);
        await sql.run(
          `INSERT INTO server_bans (server_id, user_id, banned_by, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
          [serverId, userId, by, Date.now()],
        );
      }),
    async unban(serverId, userId) {
      const n = await sql.run("DELETE FROM server_bans WHERE server_id = ? AND user_id = ?", [
        serverId,
        userId,
      ]);
      return n > 0;
    },
    async bans(serverId) {
      const rows = await sql.all<Row>(
        `SELECT b.user_id, u.display_name, b.created_at FROM server_bans b
         JOIN users u ON u.id = b.user_id WHERE b.server_id = ? ORDER BY b.created_at, b.user_id`,
        [serverId],
      );
      return rows.map((r) => ({
        userId: Number(r.user_id),
        displayName: String(r.display_name),
        createdAt: Number(r.created_at),
      }));
    },
  };
}

/** Direct messages and avatars: what is kept per person rather than per server. */
function personPart(
  sql: Sql,
): Part<"shareServer" | "openDm" | "dms" | "setAvatar" | "avatarKey" | "avatarsOf"> {
  return {
    async shareServer(a, b) {
      const row = await sql.get<Row>(
        `SELECT 1 AS x FROM server_members m1
         JOIN server_members m2 ON m2.server_id = m1.server_id AND m2.user_id = ?
         JOIN servers s ON s.id = m1.server_id AND s.dm_key IS NULL
         WHERE m1.user_id = ? LIMIT 1`,
        [b, a],
      );
      return row !== undefined;
    },
    openDm: (a, b) => sql.transaction(() => openDm(sql, a, b)),
    async dms(userId) {
      return (await sql.all<Row>(`${DM_SELECT} ORDER BY s.id DESC`, [userId])).map(toDm);
    },
    async setAvatar(userId, key) {
      return await sql.transaction(async () => {
        const old = await sql.get<Row>(
          `SELECT avatar_key FROM users WHERE id = ?${sql.forUpdate}`,
          [
            userId,
          ],
        );
        await sql.run("UPDATE users SET avatar_key = ? WHERE id = ?", [key, userId]);
        return old?.avatar_key == null ? null : String(old.avatar_key);
      });
    },
    async avatarKey(userId) {
      const row = await sql.get<Row>("SELECT avatar_key FROM users WHERE id = ?", [userId]);
      return row?.avatar_key == null ? null : String(row.avatar_key);
    },
    async avatarsOf(serverId) {
      const rows = await sql.all<Row>(
        `SELECT u.id, u.avatar_key FROM server_members m JOIN users u ON u.id = m.user_id
         WHERE m.server_id = ? AND u.avatar_key IS NOT NULL`,
        [serverId],
      );
      return Object.fromEntries(rows.map((r) => [String(r.id), String(r.avatar_key)]));
    },
  };
}

export function createCommunityStore(sql: Sql): CommunityStore {
  return { ...serverPart(sql), ...memberPart(sql), ...personPart(sql) };
}
