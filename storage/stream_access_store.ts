// Who may enter private stream rooms and the dashboard: invites, room passes, admin sessions.
import { type Db, transaction } from "./db.ts";
import { randomToken, sha256Hex } from "../tokens.ts";

export interface StreamInvite {
  id: number;
  roomId: number;
  label: string;
  createdAt: number;
  expiresAt: number | null;
  maxUses: number | null;
  uses: number;
  revokedAt: number | null;
}

export type RedeemResult =
  | { ok: true; pass: string; expiresAt: number }
  | { ok: false; reason: "unknown" | "other_room" | "revoked" | "expired" | "used_up" };

export interface StreamAccessStore {
  createInvite(
    roomId: number,
    options: { label: string; expiresAt: number | null; maxUses: number | null },
  ): { invite: StreamInvite; token: string };
  invites(roomId: number): StreamInvite[];
  /** Revokes an invite and ends every room pass it gave out. */
  revokeInvite(roomId: number, id: number): boolean;
  /** Spends one use of an invite for `roomId` and gives a room pass valid at most `passTtlMs`. */
  redeem(roomId: number, token: string, passTtlMs: number): RedeemResult;
  /** Whether a room pass (a room cookie's value) lets its holder into `roomId` now. */
  passAllows(roomId: number, pass: string): boolean;
  createAdminSession(ttlMs: number): string;
  adminSession(token: string): boolean;
  endAdminSession(token: string): void;
}

type Row = Record<string, string | number | null>;
const num = (value: string | number | null) => (value === null ? null : Number(value));
const toInvite = (row: Row): StreamInvite => ({
  id: Number(row.id),
  roomId: Number(row.room_id),
  label: String(row.label),
  createdAt: Number(row.created_at),
  expiresAt: num(row.expires_at),
  maxUses: num(row.max_uses),
  uses: Number(row.uses),
  revokedAt: num(row.revoked_at),
});

/** The store's statements, prepared once. */
function statements(db: Db) {
  return {
    insertInvite: db.prepare(
      `INSERT INTO stream_invites (room_id, token_hash, label, created_at, expires_at, max_uses)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
    ),
    invites: db.prepare("SELECT * FROM stream_invites WHERE room_id = ? ORDER BY id"),
    inviteByHash: db.prepare("SELECT * FROM stream_invites WHERE token_hash = ?"),
    revoke: db.prepare(
      `UPDATE stream_invites SET revoked_at = ? WHERE room_id = ? AND id = ? AND revoked_at IS NULL`,
    ),
    endPassTokens: db.prepare(
      `DELETE FROM stream_chat_tokens WHERE pass_hash IN
         (SELECT token_hash FROM stream_passes WHERE invite_id = ?)`,
    ),
    endPasses: db.prepare("DELETE FROM stream_passes WHERE invite_id = ?"),
    use: db.prepare("UPDATE stream_invites SET uses = uses + 1 WHERE id = ?"),
    insertPass: db.prepare(
      `INSERT INTO stream_passes (token_hash, room_id, invite_id, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    expirePasses: db.prepare("DELETE FROM stream_passes WHERE expires_at <= ?"),
    pass: db.prepare(
      "SELECT 1 FROM stream_passes WHERE token_hash = ? AND room_id = ? AND expires_at > ?",
    ),
    insertSession: db.prepare(
      "INSERT INTO stream_admin_sessions (token_hash, created_at, expires_at) VALUES (?, ?, ?)",
    ),
    expireSessions: db.prepare("DELETE FROM stream_admin_sessions WHERE expires_at <= ?"),
    session: db.prepare(
      "SELECT 1 FROM stream_admin_sessions WHERE token_hash = ? AND expires_at > ?",
    ),
    endSession: db.prepare("DELETE FROM stream_admin_sessions WHERE token_hash = ?"),
  };
}

export function createStreamAccessStore(db: Db): StreamAccessStore {
  const q = statements(db);

  return {
    createInvite(roomId, { label, expiresAt, maxUses }) {
      const token = randomToken(24);
      const row = q.insertInvite.get(
        roomId,
        sha256Hex(token),
        label,
        Date.now(),
        expiresAt,
        maxUses,
      );
      return { invite: toInvite(row as Row), token };
    },

    invites: (roomId) => (q.invites.all(roomId) as Row[]).map(toInvite),

    revokeInvite(roomId, id) {
      return transaction(db, () => {
        if (Number(q.revoke.run(Date.now(), roomId, id).changes) !== 1) return false;
        q.endPassTokens.run(id);
        q.endPasses.run(id);
        return true;
      });
    },

    redeem(roomId, token, passTtlMs) {
      // Checked and counted in one transaction, so two browsers cannot both take the last use.
      return transaction(db, (): RedeemResult => {
        const row = q.inviteByHash.get(sha256Hex(token)) as Row | undefined;
        if (!row) return { ok: false, reason: "unknown" };
        const invite = toInvite(row);
        const now = Date.now();
        if (invite.roomId !== roomId) return { ok: false, reason: "other_room" };
        if (invite.revokedAt !== null) return { ok: false, reason: "revoked" };
        if (invite.expiresAt !== null && invite.expiresAt <= now) {
          return { ok: false, reason: "expired" };
        }
        if (invite.maxUses !== null && invite.uses >= invite.maxUses) {
          return { ok: false, reason: "used_up" };
        }
        q.use.run(invite.id);
        q.expirePasses.run(now);
        const pass = randomToken(32);
        const expiresAt = Math.min(invite.expiresAt ?? Infinity, now + passTtlMs);
        q.insertPass.run(sha256Hex(pass), roomId, invite.id, now, expiresAt);
        return { ok: true, pass, expiresAt };
      });
    },

    passAllows: (roomId, pass) => q.pass.get(sha256Hex(pass), roomId, Date.now()) !== undefined,

    createAdminSession(ttlMs) {
      const token = randomToken(32);
      const now = Date.now();
      q.expireSessions.run(now);
      q.insertSession.run(sha256Hex(token), now, now + ttlMs);
      return token;
    },
    adminSession: (token) => q.session.get(sha256Hex(token), Date.now()) !== undefined,
    endAdminSession: (token) => void q.endSession.run(sha256Hex(token)),
  };
}
