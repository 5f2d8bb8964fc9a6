// Workspace servers, their channels, members and invites, on the Sql seam.
import type { Row, Sql } from "./sql.ts";
import { randomCode } from "../tokens.ts";

export type Role = "owner" | "admin" | "member";
export type ChannelKind = "text" | "voice";

export interface Server {
  id: number;
  name: string;
  ownerId: number | null;
  isDefault: boolean;
}

export interface Channel {
  id: number;
  serverId: number;
  name: string;
  kind: ChannelKind;
}

/** A member as other members see them: no email, which the seed's member list does not need. */
export interface Member {
  id: number;
  displayName: string;
  role: Role;
}

export interface Invite {
  code: string;
  serverId: number;
  createdBy: number;
  expiresAt: number | null;
  maxUses: number | null;
  uses: number;
}

export type RedeemResult =
  | { ok: true; server: Server; joined: boolean }
  | { ok: false; reason: "not_found" | "expired" | "used_up" | "banned" };

export interface WorkspacesStore {
  /** A server with its creator as owner and a `general` text channel, in one transaction. */
  createServer(ownerId: number, name: string): Promise<{ server: Server; channels: Channel[] }>;
  /** Adds the user to the default server, creating it (owned by them) on the first signup. */
  joinDefaultServer(userId: number): Promise<Server>;
  server(id: number): Promise<Server | null>;
  serversOf(userId: number): Promise<(Server & { role: Role })[]>;
  role(serverId: number, userId: number): Promise<Role | null>;
  channels(serverId: number): Promise<Channel[]>;
  channel(id: number): Promise<Channel | null>;
  /** A channel and the user's role in its server (null: not a member), in one query. */
  channelAs(id: number, userId: number): Promise<{ channel: Channel; role: Role | null } | null>;
  createChannel(serverId: number, name: string, kind: ChannelKind): Promise<Channel>;
  members(serverId: number): Promise<Member[]>;
  createInvite(
    serverId: number,
    createdBy: number,
    options: { expiresAt: number | null; maxUses: number | null },
  ): Promise<Invite>;
  invite(code: string): Promise<Invite | null>;
  /** Whether members who are neither owner nor admin may make invite links (migration 042). */
  membersCanInvite(serverId: number): Promise<boolean>;
  /** Joins `userId` to the invite's server; checking and counting the use is one transaction. */
  redeemInvite(code: string, userId: number, now?: number): Promise<RedeemResult>;
}

const toServer = (r: Row): Server => ({
  id: Number(r.id),
  name: String(r.name),
  ownerId: r.owner_id === null ? null : Number(r.owner_id),
  isDefault: Number(r.is_default) === 1,
});
const toChannel = (r: Row): Channel => ({
  id: Number(r.id),
  serverId: Number(r.server_id),
  name: String(r.name),
  kind: r.kind as ChannelKind,
});
const toInvite = (r: Row): Invite => ({
  code: String(r.code),
  serverId: Number(r.server_id),
  createdBy: Number(r.created_by),
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  maxUses: r.max_uses === null ? null : Number(r.max_uses),
  uses: Number(r.uses),
});

export const DEFAULT_SERVER_NAME = "Lobby";

/** Letters and digits without the look-alikes 0/O/o, 1/I/l: 57 symbols. */
export const INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

function newInviteCode(): string {
  // 10 uniform symbols of 57: about 58 bits, unguessable for a join link.
  return randomCode(INVITE_ALPHABET, 10);
}

// The default server is found, or made by the first sign-up; two first sign-ups on Postgres (READ
// COMMITTED) would each make one, and there is no row yet to lock, so they take turns on this
// transaction-scoped advisory lock. SQLite needs none: its write transactions run one at a time.
const DEFAULT_SERVER_LOCK = "SELECT pg_advisory_xact_lock(726361002)";

type RowOf = (text: string, params: (string | number | null)[]) => Promise<Row | undefined>;

/** Invites: made, read (locked in a redeem) and counted. */
function inviteQueries(sql: Sql, row: RowOf) {
  return {
    insertInvite: async (
      serverId: number,
      createdBy: number,
      expiresAt: number | null,
      maxUses: number | null,
    ) =>
      toInvite(
        (await row(
          `INSERT INTO invites (code, server_id, created_by, created_at, expires_at, max_uses)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
          [newInviteCode(), serverId, createdBy, Date.now(), expiresAt, maxUses],
        ))!,
      ),
    // Locked in a redeem, so concurrent redeems on other connections count its uses one by one.
    invite: (code: string, lock = "") => row(`SELECT * FROM invites WHERE code = ?${lock}`, [code]),
    useInvite: (code: string) =>
      sql.run("UPDATE invites SET uses = uses + 1 WHERE code = ?", [code]),
  };
}

/** The store's queries over one Sql, each step awaiting the last (inside a transaction or not). */
function queries(sql: Sql) {
  const row: RowOf = (text, params) => sql.get<Row>(text, params);
  // Postgres has no NOCASE collation; LOWER under "C" orders as SQLite's NOCASE does for ASCII.
  const byName = sql.dialect === "postgres"
    ? `LOWER(u.display_name) COLLATE "C"`
    : "u.display_name COLLATE NOCASE";
  return {
    ...inviteQueries(sql, row),
    insertServer: async (name: string, ownerId: number, isDefault: boolean) =>
      toServer(
        (await row(
          "INSERT INTO servers (name, owner_id, is_default, created_at) VALUES (?, ?, ?, ?) RETURNING *",
          [name, ownerId, isDefault ? 1 : 0, Date.now()],
        ))!,
      ),
    insertMember: (serverId: number, userId: number, role: Role) =>
      sql.run(
        `INSERT INTO server_members (server_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
        [serverId, userId, role, Date.now()],
      ),
    insertChannel: async (serverId: number, name: string, kind: ChannelKind) =>
      toChannel(
        (await row(
          "INSERT INTO channels (server_id, name, kind, created_at) VALUES (?, ?, ?, ?) RETURNING *",
          [serverId, name, kind, Date.now()],
        ))!,
      ),
    // A new member starts with everything already said marked read, so no badge floods them. The
    // CAST types the parameter for Postgres, which reads a bare one in a SELECT list as text.
    markAllRead: (userId: number, serverId: number) =>
      sql.run(
        `INSERT INTO channel_reads (user_id, channel_id, last_read_id)
         SELECT CAST(? AS BIGINT), c.id,
           COALESCE((SELECT MAX(id) FROM messages m WHERE m.channel_id = c.id), 0)
         FROM channels c WHERE c.server_id = ?
         ON CONFLICT DO NOTHING`,
        [userId, serverId],
      ),
    defaultServer: () => row("SELECT * FROM servers WHERE is_default = 1 ORDER BY id LIMIT 1", []),
    server: (id: number) => row("SELECT * FROM servers WHERE id = ?", [id]),
    serversOf: (userId: number) =>
      sql.all<Row>(
        `SELECT s.*, m.role FROM servers s JOIN server_members m ON m.server_id = s.id
         WHERE m.user_id = ?
         ORDER BY s.is_default DESC, s.dm_key IS NOT NULL, m.joined_at, s.id`,
        [userId],
      ),
    role: async (serverId: number, userId: number) => {
      const found = await row(
        "SELECT role FROM server_members WHERE server_id = ? AND user_id = ?",
        [serverId, userId],
      );
      return found ? found.role as Role : null;
    },
    channels: (serverId: number) =>
      sql.all<Row>(
        "SELECT * FROM channels WHERE server_id = ? ORDER BY position, id",
        [serverId],
      ),
    channel: (id: number) => row("SELECT * FROM channels WHERE id = ?", [id]),
    channelAs: (id: number, userId: number) =>
      row(
        `SELECT c.id, c.server_id, c.name, c.kind, m.role AS member_role FROM channels c
         LEFT JOIN server_members m ON m.server_id = c.server_id AND m.user_id = ?
         WHERE c.id = ?`,
        [userId, id],
      ),
    members: (serverId: number) =>
      sql.all<Row>(
        `SELECT u.id, u.display_name, m.role FROM server_members m
         JOIN users u ON u.id = m.user_id WHERE m.server_id = ?
         ORDER BY m.role = 'owner' DESC, ${byName}, u.id`,
        [serverId],
      ),
    banned: async (serverId: number, userId: number) =>
      !!await row("SELECT 1 AS x FROM server_bans WHERE server_id = ? AND user_id = ?", [
        serverId,
        userId,
      ]),
    lockDefaultServer: async () => {
      if (sql.dialect === "postgres") await sql.get(DEFAULT_SERVER_LOCK);
    },
  };
}

type Queries = ReturnType<typeof queries>;

/** Adds a member (nothing if already one), with what was said before marked read. */
async function addMember(q: Queries, serverId: number, userId: number, role: Role) {
  const added = await q.insertMember(serverId, userId, role) > 0;
  if (added) await q.markAllRead(userId, serverId);
  return added;
}

/** A server with its `general` channel and its owner; run inside a transaction. */
async function insertServer(q: Queries, ownerId: number, name: string, isDefault: boolean) {
  const server = await q.insertServer(name, ownerId, isDefault);
  const general = await q.insertChannel(server.id, "general", "text");
  await addMember(q, server.id, ownerId, "owner");
  return { server, channels: [general] };
}

/** The invite check and its use, inside the redeem's transaction. */
async function redeem(q: Queries, sql: Sql, code: string, userId: number, now: number) {
  const row = await q.invite(code, sql.forUpdate);
  if (!row) return { ok: false, reason: "not_found" } as const;
  const invite = toInvite(row);
  const server = toServer((await q.server(invite.serverId))!);
  // A member following the link again is simply let through, without using it up.
  if (await q.role(invite.serverId, userId)) return { ok: true, server, joined: false } as const;
  // A banned user's links fail, whoever sent them (migration 042).
  if (await q.banned(invite.serverId, userId)) return { ok: false, reason: "banned" } as const;
  if (invite.expiresAt !== null && invite.expiresAt <= now) {
    return { ok: false, reason: "expired" } as const;
  }
  if (invite.maxUses !== null && invite.uses >= invite.maxUses) {
    return { ok: false, reason: "used_up" } as const;
  }
  await q.useInvite(code);
  await addMember(q, invite.serverId, userId, "member");
  return { ok: true, server, joined: true } as const;
}

export function createWorkspacesStore(sql: Sql): WorkspacesStore {
  const q = queries(sql);
  const maybe = <T>(map: (r: Row) => T) => (r: Row | undefined) => r ? map(r) : null;

  return {
    createServer: (ownerId, name) => sql.transaction(() => insertServer(q, ownerId, name, false)),
    joinDefaultServer: (userId) =>
      sql.transaction(async () => {
        let row = await q.defaultServer();
        if (!row) {
          await q.lockDefaultServer();
          row = await q.defaultServer();
        }
        if (!row) return (await insertServer(q, userId, DEFAULT_SERVER_NAME, true)).server;
        const server = toServer(row);
        await addMember(q, server.id, userId, "member");
        return server;
      }),
    server: async (id) => maybe(toServer)(await q.server(id)),
    serversOf: async (userId) =>
      (await q.serversOf(userId)).map((r) => ({ ...toServer(r), role: r.role as Role })),
    role: q.role,
    channels: async (serverId) => (await q.channels(serverId)).map(toChannel),
    channel: async (id) => maybe(toChannel)(await q.channel(id)),
    async channelAs(id, userId) {
      const found = await q.channelAs(id, userId);
      if (!found) return null;
      return { channel: toChannel(found), role: found.member_role as Role | null };
    },
    createChannel: q.insertChannel,
    members: async (serverId) =>
      (await q.members(serverId)).map((r) => ({
        id: Number(r.id),
        displayName: String(r.display_name),
        role: r.role as Role,
      })),
    createInvite: (serverId, createdBy, { expiresAt, maxUses }) =>
      q.insertInvite(serverId, createdBy, expiresAt, maxUses),
    invite: async (code) => maybe(toInvite)(await q.invite(code)),
    membersCanInvite: async (serverId) =>
      Number((await q.server(serverId))?.members_can_invite ?? 0) === 1,
    redeemInvite: (code, userId, now = Date.now()) =>
      sql.transaction(() => redeem(q, sql, code, userId, now)),
  };
}
