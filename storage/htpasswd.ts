// Reads Apache htpasswd files (bcrypt entries only) and checks passwords in constant time.
import bcrypt from "bcryptjs";

export interface HtpasswdEntry {
  user: string;
  hash: string;
}

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
// Compared against when the user is unknown or its hash unusable, so every miss costs one bcrypt.
const DUMMY_HASH = bcrypt.hashSync("roomcast-timing-equaliser", 10);

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

export interface VerifyResult {
  ok: boolean;
  /** Set when the user's entry exists but uses a hash kind Roomcast refuses (e.g. MD5 or SHA1). */
  refusedHash?: string;
}

/**
 * Checks `user`/`password` against `entries`. A missing user, a refused hash kind and a wrong
 * password all cost one bcrypt comparison, so timing does not reveal which users exist.
 */
export async function verifyHtpasswd(
  entries: HtpasswdEntry[],
  user: string,
  password: string,
): Promise<VerifyResult> {
  const entry = entries.find((e) => e.user === user);
  const usable = entry !== undefined && BCRYPT.test(entry.hash);
  const ok = await bcrypt.compare(password, usable ? entry.hash : DUMMY_HASH);
  if (entry && !usable) return { ok: false, refusedHash: hashKind(entry.hash) };
  return { ok: usable && ok };
}

/** A bcrypt htpasswd line for `user`, as `htpasswd -nbB` writes it. */
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
