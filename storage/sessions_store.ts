// Workspace login sessions: random ids handed to the browser, stored only as SHA-256, with expiry.
import { randomToken, sha256Hex } from "../tokens.ts";
import type { Db } from "./db.ts";

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
  create(userId: number): string;
  /** The live session behind `token`, sliding its expiry; null when unknown or expired. */
  lookup(token: string): Session | null;
  /** Ends one session server-side; returns its id, to close its sockets. */
  delete(token: string): string;
  /** Ends every session of `userId` ("sign out everywhere"); returns how many. */
  deleteAllOf(userId: number): number;
  /** Whether the session with this id still exists and has not expired. */
  isLive(id: string): boolean;
  /** Removes expired rows; returns how many. */
  purgeExpired(): number;
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

export function createSessionsStore(db: Db, options: SessionsStoreOptions): SessionsStore {
  const ttlMs = options.ttlDays * 24 * 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  const insert = db.prepare(
    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
  );
  const select = db.prepare("SELECT user_id, expires_at FROM sessions WHERE token_hash = ?");
  const slide = db.prepare("UPDATE sessions SET expires_at = ? WHERE token_hash = ?");
  const remove = db.prepare("DELETE FROM sessions WHERE token_hash = ?");
  const purge = db.prepare("DELETE FROM sessions WHERE expires_at <= ?");
  const removeAll = db.prepare("DELETE FROM sessions WHERE user_id = ?");
  const live = db.prepare("SELECT 1 FROM sessions WHERE token_hash = ? AND expires_at > ?");

  return {
    ttlMs,
    create(userId) {
      const token = newToken();
      const at = now();
      insert.run(hashToken(token), userId, at, at + ttlMs);
      return token;
    },
    lookup(token) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
      const hash = hashToken(token);
      const row = select.get(hash) as { user_id: number; expires_at: number } | undefined;
      const at = now();
      if (!row) return null;
      if (row.expires_at <= at) {
        remove.run(hash);
        return null;
      }
      if (row.expires_at < at + ttlMs - SLIDE_EVERY_MS) {
        slide.run(at + ttlMs, hash);
        return { id: hash, userId: Number(row.user_id), expiresAt: at + ttlMs, refreshed: true };
      }
      const expiresAt = Number(row.expires_at);
      return { id: hash, userId: Number(row.user_id), expiresAt, refreshed: false };
    },
    delete(token) {
      const id = hashToken(token);
      remove.run(id);
      return id;
    },
    deleteAllOf: (userId) => Number(removeAll.run(userId).changes),
    isLive: (id) => live.get(id, now()) !== undefined,
    purgeExpired: () => Number(purge.run(now()).changes),
  };
}
