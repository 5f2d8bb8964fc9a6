// Who may enter private stream rooms and the dashboard: invites, room passes, admin sessions.
import type { Row, Sql } from "./sql.ts";
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
  ): Promise<{ invite: StreamInvite; token: string }>;
  invites(roomId: number): Promise<StreamInvite[]>;
  /** Revokes an invite and ends every room pass it gave out. */
  revokeInvite(roomId: number, id: number): Promise<boolean>;
  /** Spends one use of an invite for `roomId` and gives a room pass valid at most `passTtlMs`. */
  redeem(roomId: number, token: string, passTtlMs: number): Promise<RedeemResult>;
  /** Whether a room pass (a room cookie's value) lets its holder into `roomId` now. */
  passAllows(roomId: number, pass: string): Promise<boolean>;
  createAdminSession(ttlMs: number): Promise<string>;
  adminSession(token: string): Promise<boolean>;
  endAdminSession(token: string): Promise<void>;
}

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

const INSERT_INVITE = `INSERT INTO stream_invites
    (room_id, token_hash, label, created_at, expires_at, max_uses)
  VALUES (?, ?, ?, ?, ?, ?) RETURNING *`;
const END_PASS_TOKENS = `DELETE FROM stream_chat_tokens WHERE pass_hash IN
  (SELECT token_hash FROM stream_passes WHERE invite_id = ?)`;
const INSERT_PASS =
  `INSERT INTO stream_passes (token_hash, room_id, invite_id, created_at, expires_at)
  VALUES (?, ?, ?, ?, ?)`;

/** Why an invite cannot be spent now, or null when it can. */
function refusal(invite: StreamInvite, roomId: number, now: number) {
  if (invite.roomId !== roomId) return "other_room" as const;
  if (invite.revokedAt !== null) return "revoked" as const;
  if (invite.expiresAt !== null && invite.expiresAt <= now) return "expired" as const;
  if (invite.maxUses !== null && invite.uses >= invite.maxUses) return "used_up" as const;
  return null;
}

export function createStreamAccessStore(sql: Sql): StreamAccessStore {
  return {
    async createInvite(roomId, { label, expiresAt, maxUses }) {
      const token = randomToken(24);
      const row = await sql.get(INSERT_INVITE, [
        roomId,
        sha256Hex(token),
        label,
        Date.now(),
        expiresAt,
        maxUses,
      ]);
      return { invite: toInvite(row!), token };
    },

    invites: async (roomId) =>
      (await sql.all("SELECT * FROM stream_invites WHERE room_id = ? ORDER BY id", [roomId])).map(
        toInvite,
      ),

    revokeInvite: (roomId, id) =>
      sql.transaction(async () => {
        const revoked = await sql.run(
          "UPDATE stream_invites SET revoked_at = ? WHERE room_id = ? AND id = ? AND revoked_at IS NULL",
          [Date.now(), roomId, id],
        );
        if (revoked !== 1) return false;
        await sql.run(END_PASS_TOKENS, [id]);
        await sql.run("DELETE FROM stream_passes WHERE invite_id = ?", [id]);
        return true;
      }),

    redeem(roomId, token, passTtlMs) {
      // Checked and counted in one transaction, with the invite's row locked (Postgres: other
      // instances' redemptions wait for it), so two browsers cannot both take the last use.
      return sql.transaction(async (): Promise<RedeemResult> => {
        const row = await sql.get(
          `SELECT * FROM stream_invites WHERE token_hash = ?${sql.forUpdate}`,
          [sha256Hex(token)],
        );
        if (!row) return { ok: false, reason: "unknown" };
        const invite = toInvite(row);
        const now = Date.now();
        const reason = refusal(invite, roomId, now);
        if (reason) return { ok: false, reason };
        await sql.run("UPDATE stream_invites SET uses = uses + 1 WHERE id = ?", [invite.id]);
        await sql.run("DELETE FROM stream_passes WHERE expires_at <= ?", [now]);
        const pass = randomToken(32);
        const expiresAt = Math.min(invite.expiresAt ?? Infinity, now + passTtlMs);
        await sql.run(INSERT_PASS, [sha256Hex(pass), roomId, invite.id, now, expiresAt]);
        return { ok: true, pass, expiresAt };
      });
    },

    passAllows: async (roomId, pass) =>
      (await sql.get(
        "SELECT 1 AS ok FROM stream_passes WHERE token_hash = ? AND room_id = ? AND expires_at > ?",
        [sha256Hex(pass), roomId, Date.now()],
      )) !== undefined,

    async createAdminSession(ttlMs) {
      const token = randomToken(32);
      const now = Date.now();
      await sql.run("DELETE FROM stream_admin_sessions WHERE expires_at <= ?", [now]);
      await sql.run(
        "INSERT INTO stream_admin_sessions (token_hash, created_at, expires_at) VALUES (?, ?, ?)",
        [sha256Hex(token), now, now + ttlMs],
      );
      return token;
    },
    adminSession: async (token) =>
      (await sql.get(
        "SELECT 1 AS ok FROM stream_admin_sessions WHERE token_hash = ? AND expires_at > ?",
        [sha256Hex(token), Date.now()],
      )) !== undefined,
    endAdminSession: async (token) =>
      void await sql.run("DELETE FROM stream_admin_sessions WHERE token_hash = ?", [
        sha256Hex(token),
      ]),
  };
}
