// Workspace servers, their channels, members and invites, in SQLite.
import { type Db, type Row, transaction } from "./db.ts";
import { randomCode } from "../tokens.ts";

export type Role = "owner" | "member";
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
  | { ok: false; reason: "not_found" | "expired" | "used_up" };

export interface WorkspacesStore {
  /** A server with its creator as owner and a `general` text channel, in one transaction. */
  createServer(ownerId: number, name: string): { server: Server; channels: Channel[] };
  /** Adds the user to the default server, creating it (owned by them) on the first signup. */
  joinDefaultServer(userId: number): Server;
  server(id: number): Server | null;
  serversOf(userId: number): (Server & { role: Role })[];
  role(serverId: number, userId: number): Role | null;
  channels(serverId: number): Channel[];
  channel(id: number): Channel | null;
  createChannel(serverId: number, name: string, kind: ChannelKind): Channel;
  members(serverId: number): Member[];
  createInvite(
    serverId: number,
    createdBy: number,
    options: { expiresAt: number | null; maxUses: number | null },
  ): Invite;
  invite(code: string): Invite | null;
  /** Joins `userId` to the invite's server; checking and counting the use is one transaction. */
  redeemInvite(code: string, userId: number, now?: number): RedeemResult;
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

/** The store's SQL, prepared once per database. */
function statements(db: Db) {
  return {
    insertServer: db.prepare(
      "INSERT INTO servers (name, owner_id, is_default, created_at) VALUES (?, ?, ?, ?) RETURNING *",
    ),
    insertMember: db.prepare(
      `INSERT INTO server_members (server_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    ),
    insertChannel: db.prepare(
      "INSERT INTO channels (server_id, name, kind, created_at) VALUES (?, ?, ?, ?) RETURNING *",
    ),
    // A new member starts with everything already said marked read, so no badge floods them.
    markAllRead: db.prepare(
      `INSERT INTO channel_reads (user_id, channel_id, last_read_id)
       SELECT ?, c.id, COALESCE((SELECT MAX(id) FROM messages m WHERE m.channel_id = c.id), 0)
       FROM channels c WHERE c.server_id = ?
       ON CONFLICT DO NOTHING`,
    ),
    defaultServer: db.prepare("SELECT * FROM servers WHERE is_default = 1 ORDER BY id LIMIT 1"),
    server: db.prepare("SELECT * FROM servers WHERE id = ?"),
    serversOf: db.prepare(
      `SELECT s.*, m.role FROM servers s JOIN server_members m ON m.server_id = s.id
       WHERE m.user_id = ? ORDER BY s.is_default DESC, m.joined_at, s.id`,
    ),
    role: db.prepare("SELECT role FROM server_members WHERE server_id = ? AND user_id = ?"),
    channels: db.prepare("SELECT * FROM channels WHERE server_id = ? ORDER BY id"),
    channel: db.prepare("SELECT * FROM channels WHERE id = ?"),
    members: db.prepare(
      `SELECT u.id, u.display_name, m.role FROM server_members m
       JOIN users u ON u.id = m.user_id WHERE m.server_id = ?
       ORDER BY m.role = 'owner' DESC, u.display_name COLLATE NOCASE, u.id`,
    ),
    insertInvite: db.prepare(
      `INSERT INTO invites (code, server_id, created_by, created_at, expires_at, max_uses)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
    ),
    invite: db.prepare("SELECT * FROM invites WHERE code = ?"),
    useInvite: db.prepare("UPDATE invites SET uses = uses + 1 WHERE code = ?"),
  };
}

type Statements = ReturnType<typeof statements>;

/** Adds a member (nothing if already one), with what was said before marked read. */
function addMember(q: Statements, serverId: number, userId: number, role: Role): boolean {
  const added = Number(q.insertMember.run(serverId, userId, role, Date.now()).changes) > 0;
  if (added) q.markAllRead.run(userId, serverId);
  return added;
}

/** A server with its `general` channel and its owner; run inside a transaction. */
function insertServer(q: Statements, ownerId: number, name: string, isDefault: boolean) {
  const server = toServer(q.insertServer.get(name, ownerId, isDefault ? 1 : 0, Date.now()) as Row);
  const general = toChannel(q.insertChannel.get(server.id, "general", "text", Date.now()) as Row);
  addMember(q, server.id, ownerId, "owner");
  return { server, channels: [general] };
}

export function createWorkspacesStore(db: Db): WorkspacesStore {
  const q = statements(db);

  return {
    createServer: (ownerId, name) => transaction(db, () => insertServer(q, ownerId, name, false)),
    joinDefaultServer: (userId) =>
      transaction(db, () => {
        const row = q.defaultServer.get() as Row | undefined;
        if (!row) return insertServer(q, userId, DEFAULT_SERVER_NAME, true).server;
        const server = toServer(row);
        addMember(q, server.id, userId, "member");
        return server;
      }),
    server: (id) => {
      const row = q.server.get(id) as Row | undefined;
      return row ? toServer(row) : null;
    },
    serversOf: (userId) =>
      (q.serversOf.all(userId) as Row[]).map((r) => ({ ...toServer(r), role: r.role as Role })),
    role: (serverId, userId) => {
      const row = q.role.get(serverId, userId) as Row | undefined;
      return row ? row.role as Role : null;
    },
    channels: (serverId) => (q.channels.all(serverId) as Row[]).map(toChannel),
    channel: (id) => {
      const row = q.channel.get(id) as Row | undefined;
      return row ? toChannel(row) : null;
    },
    createChannel: (serverId, name, kind) =>
      toChannel(q.insertChannel.get(serverId, name, kind, Date.now()) as Row),
    members: (serverId) =>
      (q.members.all(serverId) as Row[]).map((r) => ({
        id: Number(r.id),
        displayName: String(r.display_name),
        role: r.role as Role,
      })),
    createInvite: (serverId, createdBy, { expiresAt, maxUses }) =>
      toInvite(
        q.insertInvite.get(
          newInviteCode(),
          serverId,
          createdBy,
          Date.now(),
          expiresAt,
          maxUses,
        ) as Row,
      ),
    invite: (code) => {
      const row = q.invite.get(code) as Row | undefined;
      return row ? toInvite(row) : null;
    },
    redeemInvite: (code, userId, now = Date.now()) =>
      transaction(db, (): RedeemResult => {
        const row = q.invite.get(code) as Row | undefined;
        if (!row) return { ok: false, reason: "not_found" };
        const invite = toInvite(row);
        const server = toServer(q.server.get(invite.serverId) as Row);
        // A member following the link again is simply let through, without using it up.
        if (q.role.get(invite.serverId, userId)) return { ok: true, server, joined: false };
        if (invite.expiresAt !== null && invite.expiresAt <= now) {
          return { ok: false, reason: "expired" };
        }
        if (invite.maxUses !== null && invite.uses >= invite.maxUses) {
          return { ok: false, reason: "used_up" };
        }
        q.useInvite.run(code);
        addMember(q, invite.serverId, userId, "member");
        return { ok: true, server, joined: true };
      }),
  };
}
