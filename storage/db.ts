// Opens the SQLite database (WAL) and applies the numbered migrations in storage/migrations/.
import { DatabaseSync } from "node:sqlite";

export type Db = DatabaseSync;

export interface OpenDbOptions {
  /** Folder of `NNN_name.sql` files applied in order. @default storage/migrations beside this file */
  migrations?: URL;
}

/** Opens (or creates) the database at `path`, sets its pragmas and brings its schema up to date. */
export function openDb(path: string, options: OpenDbOptions = {}): Db {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA busy_timeout = 5000");
  migrate(db, options.migrations ?? new URL("./migrations/", import.meta.url));
  return db;
}

/** Applies every migration newer than `user_version`, each in its own transaction. */
export function migrate(db: Db, folder: URL): void {
  const files = [...Deno.readDirSync(folder)]
    .filter((entry) => entry.isFile && /^\d{3}_[a-z0-9_]+\.sql$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  const current = Number(
    (db.prepare("PRAGMA user_version").get() as { user_version: number })
      .user_version,
  );
  for (const name of files) {
    const version = Number(name.slice(0, 3));
    if (version <= current) continue;
    const sql = Deno.readTextFileSync(new URL(name, folder));
    transaction(db, () => {
      db.exec(sql);
      db.exec(`PRAGMA user_version = ${version}`);
    });
  }
}

/** Runs `fn` in one IMMEDIATE transaction: all of its writes land, or none do. */
export function transaction<T>(db: Db, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
