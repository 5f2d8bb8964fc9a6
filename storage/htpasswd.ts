// Reads Apache htpasswd files (bcrypt entries only) and checks passwords in constant time.
import bcrypt from "bcryptjs";
import { standInHash } from "./password_pool.ts";

export interface HtpasswdEntry {
  user: string;
  hash: string;
}

// Costs 04..31 are all bcrypt allows; anything else would make the comparison throw.
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;
// `htpasswd -B` writes cost 5 unless told otherwise; used when a file has no bcrypt entry at all.
const HTPASSWD_DEFAULT_COST = 5;

/** Parses htpasswd text: `user:hash` lines; blank and `#` lines skipped. */
export function parseHtpasswd(text: string): HtpasswdEntry[] {
  const entries: HtpasswdEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    entries.push({ user: line.slice(0, colon), hash: line.slice(colon + 1) });
  }
  return entries;
}

/** Whether `hash` is a bcrypt hash Roomcast accepts. */
export function isBcryptHash(hash: string): boolean {
  return BCRYPT.test(hash);
}

export interface VerifyResult {
  ok: boolean;
  /** Set when the user's entry exists but uses a hash kind Roomcast refuses (e.g. MD5 or SHA1). */
  refusedHash?: string;
}

export interface VerifyOptions {
  /** The bcrypt comparison, e.g. a `PasswordPool`'s, so it runs off the main thread. */
  compare(password: string, hash: string): Promise<boolean>;
}

/**
 * The cost most of the file's bcrypt entries use (the first such on a tie). Recounted on each
 * call: the caller re-reads and re-parses the file on every request anyway, so this follows edits
 * at the price of one pass over lines already in memory.
 */
export function typicalCost(entries: HtpasswdEntry[]): number {
  const counts = new Map<number, number>();
  for (const entry of entries) {
    if (!BCRYPT.test(entry.hash)) continue;
    const cost = Number(entry.hash.slice(4, 6));
    counts.set(cost, (counts.get(cost) ?? 0) + 1);
  }
  let best = HTPASSWD_DEFAULT_COST;
  let most = 0;
  for (const [cost, count] of counts) {
    if (count > most) [best, most] = [cost, count];
  }
  return best;
}

/**
 * Checks a user and password against `entries`. A missing user and a refused hash kind are
 * compared against a stand-in hash of the file's typical cost, so a miss costs what a wrong
 * password for a real user costs and timing does not reveal which users exist.
 */
export async function verifyHtpasswd(
  entries: HtpasswdEntry[],
  credentials: { user: string; password: string },
  options: VerifyOptions,
): Promise<VerifyResult> {
  const entry = entries.find((e) => e.user === credentials.user);
  const usable = entry !== undefined && BCRYPT.test(entry.hash);
  const hash = usable ? entry.hash : standInHash(typicalCost(entries));
  const ok = await options.compare(credentials.password, hash);
  if (entry && !usable) return { ok: false, refusedHash: hashKind(entry.hash) };
  return { ok: usable && ok };
}

/** A bcrypt htpasswd line for `user`, as `htpasswd -nbB` writes it (synchronous: first start, tests). */
export function htpasswdLine(user: string, password: string, cost = 10): string {
  return `${user}:${bcrypt.hashSync(password, cost).replace(/^\$2b\$/, "$2y$")}`;
}

/** The line an entry was read from, to copy an admin into a new room's file. */
export function htpasswdEntryLine(entry: HtpasswdEntry): string {
  return `${entry.user}:${entry.hash}`;
}

function hashKind(hash: string): string {
  if (hash.startsWith("$apr1$")) return "MD5 (apr1)";
  if (hash.startsWith("{SHA}")) return "SHA1";
  if (hash.startsWith("$5$") || hash.startsWith("$6$")) return "SHA-crypt";
  if (hash.startsWith("$2")) return "malformed bcrypt";
  return hash.length === 13 ? "crypt(3)" : "unknown";
}
