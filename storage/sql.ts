// The one database seam every store uses: async queries with `?` parameters on SQLite or PostgreSQL.
import { AsyncLocalStorage } from "node:async_hooks";

/** A value a query binds. Booleans are stored as 0/1 integers on both engines. */
export type Param = string | number | bigint | null | Uint8Array;

/** A row as a store reads it, before it maps the row to its own record. */
export type Row = Record<string, string | number | null>;

export type Dialect = "sqlite" | "postgres";

/**
 * Queries over one database. The SQL text is the same on both engines wherever they agree (`?`
 * placeholders, `RETURNING`, `ON CONFLICT`); where they differ a store picks by `dialect`.
 * Integers come back as numbers on both (Postgres BIGINT included: ids and epoch milliseconds fit).
 */
export interface Sql {
  readonly dialect: Dialect;
  all<T = Row>(text: string, params?: readonly Param[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T = Row>(text: string, params?: readonly Param[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(text: string, params?: readonly Param[]): Promise<number>;
  /**
   * Runs `fn` in one transaction: all of its writes land, or none do. Every query made while it
   * runs (through this object, from any store) joins it, and so does a nested `transaction`, so
   * stores' steps compose (a sign-up and its invite land together). Queries from other requests
   * wait (SQLite) or run on other connections (Postgres). Where a step reads then writes a count
   * (a cap), it locks the row it counts under: `SELECT … ${sql.forUpdate}`.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Whether the calling async context runs inside a transaction of this Sql. */
  inTransaction(): boolean;
  /** `" FOR UPDATE"` on Postgres, `""` on SQLite (whose transactions already hold the write lock). */
  readonly forUpdate: string;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /** Resolves when the database answers a trivial query (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Which transaction, if any, the running async context belongs to. */
export function createTransactionScope<T extends object>(): AsyncLocalStorage<T> {
  return new AsyncLocalStorage<T>();
}

/**
 * `?` placeholders as Postgres' `$1, $2, …`, skipping quoted strings and identifiers, so one SQL
 * text serves both engines.
 */
export function numberPlaceholders(text: string): string {
  let out = "";
  let n = 0;
  let quote: string | null = null;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === "?") {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Applies, in name order, every migration in `folder` not yet recorded in `schema_migrations`,
 * each in its own transaction with its record. Tracking names (not one version number) means a
 * migration that lands later with a lower number, from a feature developed in parallel, still runs.
 * `lock` runs first inside each transaction, so instances starting together take turns (Postgres).
 */
export async function migrateSql(sql: Sql, folder: URL, lock = ""): Promise<void> {
  // Under the lock too: two instances creating the table at once collide in Postgres' catalog.
  await sql.transaction(async () => {
    if (lock) await sql.exec(lock);
    await sql.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name TEXT PRIMARY KEY,
      applied_at BIGINT NOT NULL
    )`);
  });
  const files: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    if (entry.isFile && /^\d{3}_[a-z0-9_]+\.sql$/.test(entry.name)) files.push(entry.name);
  }
  files.sort();
  for (const name of files) {
    await sql.transaction(async () => {
      if (lock) await sql.exec(lock);
      const done = await sql.get("SELECT name FROM schema_migrations WHERE name = ?", [name]);
      if (done) return;
      await sql.exec(await Deno.readTextFile(new URL(name, folder)));
      await sql.run("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", [
        name,
        Date.now(),
      ]);
    });
  }
}
