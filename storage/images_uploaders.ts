// Who may upload to an image room: reading and editing its `.htpasswd` the way a hand edit would.
import { dirname, join } from "node:path";
import { removeIfExists, renameDurably } from "./files.ts";
import { isBcryptHash, parseHtpasswd } from "./htpasswd.ts";

export interface Uploader {
  user: string;
  /** False for an entry whose hash kind Roomcast refuses (MD5, SHA1, crypt): it cannot log in. */
  usable: boolean;
}

export interface UploadersFile {
  list(path: string): Promise<Uploader[] | null>;
  /** Adds `line` (`user:hash`) or replaces the user's line; every other line stays as it was. */
  set(path: string, user: string, line: string): Promise<void>;
  /** Removes the user's line; false when there was none. */
  remove(path: string, user: string): Promise<boolean>;
}

/**
 * Edits are read-modify-write of the whole file, written to a temp file and renamed, so readers
 * (uploads) and people editing by hand see the old file or the new one; edits of one file from
 * this process are queued, so two at once cannot lose each other's line.
 */
export function createUploadersFile(): UploadersFile {
  const queues = new Map<string, Promise<unknown>>();
  const serialized = <T>(path: string, edit: () => Promise<T>): Promise<T> => {
    const run = (queues.get(path) ?? Promise.resolve()).then(edit, edit);
    const tail = run.catch(() => {});
    queues.set(path, tail);
    // The map holds only files being edited now.
    void tail.then(() => queues.get(path) === tail && queues.delete(path));
    return run;
  };
  const read = async (path: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  };
  const edit = (path: string, change: (lines: string[]) => string[] | null) =>
    serialized(path, async () => {
      const text = await read(path);
      if (text === null) throw new Deno.errors.NotFound(`Cannot edit ${path}: it does not exist`);
      const lines = text.split(/\r?\n/);
      if (lines.at(-1) === "") lines.pop();
      const next = change(lines);
      if (next === null) return false;
      await writeAtomic(path, next.map((l) => l + "\n").join(""));
      return true;
    });

  return {
    async list(path) {
      const text = await read(path);
      if (text === null) return null;
      return parseHtpasswd(text).map((e) => ({ user: e.user, usable: isBcryptHash(e.hash) }));
    },
    async set(path, user, line) {
      await edit(path, (lines) => {
        const at = lines.findIndex((l) => userOf(l) === user);
        if (at < 0) return [...lines, line];
        // The first entry is the one logins use; later duplicates would only confuse a reader.
        return lines.flatMap((l, i) => i === at ? [line] : userOf(l) === user ? [] : [l]);
      });
    },
    remove: (path, user) =>
      edit(path, (lines) => {
        const kept = lines.filter((l) => userOf(l) !== user);
        return kept.length === lines.length ? null : kept;
      }),
  };
}

/** The user a line names, or null for blank and `#` lines (parseHtpasswd's reading). */
function userOf(line: string): string | null {
  const trimmed = line.trim();
  if (!trimmed || trimmed.startsWith("#")) return null;
  const colon = trimmed.indexOf(":");
  return colon > 0 ? trimmed.slice(0, colon) : null;
}

/** Temp file (0640, as rooms' files are made), fsync, rename, folder fsync. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.tmp-htpasswd-${crypto.randomUUID()}`);
  try {
    const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o640 });
    try {
      await file.write(new TextEncoder().encode(text));
      await file.sync();
    } finally {
      file.close();
    }
    await renameDurably(temp, path);
  } catch (error) {
    await removeIfExists(temp);
    throw error;
  }
}
