// Workspace login sessions: random ids handed to the browser, stored only as SHA-256, with expiry.
import { randomToken, sha256Hex } from "../tokens.ts";
import type { Db } from "./db.ts";

export interface Session {
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
  /** Ends one session server-side. */
  delete(token: string): void;
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
        return { userId: Number(row.user_id), expiresAt: at + ttlMs, refreshed: true };
      }
      return { userId: Number(row.user_id), expiresAt: Number(row.expires_at), refreshed: false };
    },
    delete: (token) => void remove.run(hashToken(token)),
    purgeExpired: () => Number(purge.run(now()).changes),
  };
}
