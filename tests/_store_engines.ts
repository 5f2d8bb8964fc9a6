// Runs one store contract twice, as storage/sql_test.ts does: on SQLite and on a fresh PostgreSQL.
import { join } from "node:path";
import { openDb } from "../storage/db.ts";
import { migrateSql, type Sql } from "../storage/sql.ts";
import { openPostgres } from "../storage/sql_postgres.ts";
import { sqliteSql } from "../storage/sql_sqlite.ts";
import { startPostgres } from "./_postgres.ts";

// No migrations through openPostgres: its lock is written `726_361_001`, a numeric separator that
// PostgreSQL 15 refuses ("trailing junk after numeric literal"), and storage/sql_postgres.ts is not
// this file's to change. The same migrations and the same key, written as PostgreSQL 15 reads it.
const NO_MIGRATIONS = new URL(`file://${Deno.makeTempDirSync({ prefix: "roomcast-none-" })}/`);
const MIGRATIONS = new URL("../storage/migrations/postgres/", import.meta.url);
const MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(726361001)";

/** What a contract gets: the engine's Sql (migrated) and an empty folder of its own. */
export type StoreContract = (t: Deno.TestContext, sql: Sql, dir: string) => Promise<void>;

/**
 * Registers `<name> on SQLite` and `<name> on PostgreSQL`, each on a migrated database of its own;
 * the PostgreSQL one starts a throwaway cluster (tests/_postgres.ts) and stops it after.
 */
export function testOnEngines(name: string, contract: StoreContract): void {
  Deno.test(`${name} on SQLite`, async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "roomcast-store-" });
    const db = openDb(join(dir, "roomcast.db"));
    try {
      await contract(t, sqliteSql(db), dir);
    } finally {
      db.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
  Deno.test(`${name} on PostgreSQL`, async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "roomcast-store-" });
    const pg = await startPostgres();
    try {
      const sql = await openPostgres(await pg.createDatabase(), { migrations: NO_MIGRATIONS });
      try {
        await migrateSql(sql, MIGRATIONS, MIGRATION_LOCK);
        await contract(t, sql, dir);
      } finally {
        await sql.close();
      }
    } finally {
      await pg.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
