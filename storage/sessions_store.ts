// Workspace login sessions: random ids handed to the browser, stored only as SHA-256, with expiry.
import { randomToken, sha256Hex } from "../tokens.ts";
import type { Sql } from "./sql.ts";

export interface Session {
  /** The stored id (the token's SHA-256), safe to keep in memory to find the session's sockets. */
  id: string;
  userId: number;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** True when this lookup slid the expiry forward, so the cookie should be sent again. */
  refreshed: boolean;
}

export interface SessionsStore {
  /** A new session id (32 random bytes, base64url) for `userId`. */
  create(userId: number): Promise<string>;
  /** The live session behind `token`, sliding its expiry; null when unknown or expired. */
  lookup(token: string): Promise<Session | null>;
  /** Ends one session server-side; returns its id, to close its sockets. */
  delete(token: string): Promise<string>;
  /** Ends every session of `userId` ("sign out everywhere"); returns how many. */
  deleteAllOf(userId: number): Promise<number>;
  /** Which of these session ids still exist and have not expired. */
  live(ids: readonly string[]): Promise<Set<string>>;
  /** Removes expired rows; returns how many. */
  purgeExpired(): Promise<number>;
  readonly ttlMs: number;
}

export interface SessionsStoreOptions {
  ttlDays: number;
  /** @default Date.now */
  now?: () => number;
}

// Writing on every request would make reads into writes; sliding once an hour is plenty.
const SLIDE_EVERY_MS = 60 * 60 * 1000;

/** The stored form of a session id. */
export const hashToken: (token: string) => string = sha256Hex;

export function newToken(): string {
  return randomToken(32);
}

// Ids asked about per query by live(); a short batch is padded with its first id, so there is one
// SQL text whatever the count.
const LIVE_BATCH = 100;
const LIVE_SQL = `SELECT token_hash FROM sessions WHERE expires_at > ? AND token_hash IN (${
  Array(LIVE_BATCH).fill("?").join(", ")
})`;

export function createSessionsStore(sql: Sql, options: SessionsStoreOptions): SessionsStore {
  const ttlMs = options.ttlDays * 24 * 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  const remove = (hash: string) => sql.run("DELETE FROM sessions WHERE token_hash = ?", [hash]);

  return {
    ttlMs,
    async create(userId) {
      const token = newToken();
      const at = now();
      await sql.run(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        [hashToken(token), userId, at, at + ttlMs],
      );
      return token;
    },
    async lookup(token) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
      const hash = hashToken(token);
      const row = await sql.get<{ user_id: number; expires_at: number }>(
        "SELECT user_id, expires_at FROM sessions WHERE token_hash = ?",
        [hash],
      );
      const at = now();
      if (!row) return null;
      const expires = Number(row.expires_at);
      if (expires <= at) {
        await remove(hash);
        return null;
      }
      if (expires < at + ttlMs - SLIDE_EVERY_MS) {
        await sql.run("UPDATE sessions SET expires_at = ? WHERE token_hash = ?", [
          at + ttlMs,
          hash,
        ]);
        return { id: hash, userId: Number(row.user_id), expiresAt: at + ttlMs, refreshed: true };
      }
      return { id: hash, userId: Number(row.user_id), expiresAt: expires, refreshed: false };
    },
    async delete(token) {
      const id = hashToken(token);
      await remove(id);
      return id;
    },
    deleteAllOf: (userId) => sql.run("DELETE FROM sessions WHERE user_id = ?", [userId]),
    async live(ids) {
      const found = new Set<string>();
      for (let i = 0; i < ids.length; i += LIVE_BATCH) {
        const batch = ids.slice(i, i + LIVE_BATCH);
        while (batch.length < LIVE_BATCH) batch.push(batch[0]);
        const rows = await sql.all<{ token_hash: string }>(LIVE_SQL, [now(), ...batch]);
        for (const row of rows) found.add(row.token_hash);
      }
      return found;
    },
    purgeExpired: () => sql.run("DELETE FROM sessions WHERE expires_at <= ?", [now()]),
  };
}
