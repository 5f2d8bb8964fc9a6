// Opens the SQLite database (WAL) and applies the numbered migrations in storage/migrations/.
import { DatabaseSync } from "node:sqlite";

export type Db = DatabaseSync;

/** A row as a store reads it, before it maps the row to its own record. */
export type Row = Record<string, string | number | null>;

export interface OpenDbOptions {
  /** Folder of `NNN_name.sql` files applied in order. @default storage/migrations beside this file */
  migrations?: URL;
  /** SQLite's `synchronous` pragma; NORMAL only for benchmarks comparing the two. @default "FULL" */
  synchronous?: "FULL" | "NORMAL";
}

/** Opens (or creates) the database at `path`, sets its pragmas and brings its schema up to date. */
export function openDb(path: string, options: OpenDbOptions = {}): Db {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  // FULL: a commit is on disk before it returns, so an acknowledged message survives a power cut
  // (NORMAL in WAL mode may lose the last commits); bench/durability.ts measures the cost.
  db.exec(`PRAGMA synchronous = ${options.synchronous ?? "FULL"}`);
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA busy_timeout = 5000");
  migrate(db, options.migrations ?? new URL("./migrations/", import.meta.url));
  return db;
}

/**
 * Applies, in name order, every migration not yet recorded in `schema_migrations`, each in its own
 * transaction with its record. Tracking names (not one version number) means a migration that lands
 * later with a lower number, from a feature developed in parallel, still runs.
 */
export function migrate(db: Db, folder: URL): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY,
    applied_at INTEGER NOT NULL
  )`);
  const rows = db.prepare("SELECT name FROM schema_migrations").all() as { name: string }[];
  const applied = new Set(rows.map((row) => row.name));
  const files = [...Deno.readDirSync(folder)]
    .filter((entry) => entry.isFile && /^\d{3}_[a-z0-9_]+\.sql$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  const record = db.prepare("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)");
  for (const name of files) {
    if (applied.has(name)) continue;
    const sql = Deno.readTextFileSync(new URL(name, folder));
    transaction(db, () => {
      db.exec(sql);
      record.run(name, Date.now());
    });
  }
}

/**
 * Runs `fn` in one IMMEDIATE transaction: all of its writes land, or none do. Called inside another
 * transaction it joins that one, so stores' steps compose (a signup and its invite land together).
 */
export function transaction<T>(db: Db, fn: () => T): T {
  if (db.isTransaction) return fn();
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
