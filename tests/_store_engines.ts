// Store contract tests on both engines: one contract, registered as a SQLite test and a PostgreSQL
// test, each on a fresh, fully migrated database.
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import type { Sql } from "../storage/sql.ts";
import { openPostgres } from "../storage/sql_postgres.ts";
import { openSqliteSql, sqliteSql } from "../storage/sql_sqlite.ts";
import { engineEnv } from "./_engines.ts";
import { startPostgres } from "./_postgres.ts";
import type { TestServer } from "./_server.ts";

/** What a contract gets: the engine's Sql (migrated) and an empty folder of its own. */
export type StoreContract = (t: Deno.TestContext, sql: Sql, dir: string) => Promise<void>;

/** `name` on SQLite, and again on PostgreSQL (the harness's cluster when set, else its own). */
export function testOnEngines(name: string, contract: StoreContract): void {
  Deno.test(`${name} (SQLite)`, async (t) => {
    const dir = await Deno.makeTempDir();
    const sql = openSqliteSql(join(dir, "t.db"));
    try {
      await contract(t, sql, dir);
    } finally {
      await sql.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
  Deno.test(`${name} (PostgreSQL)`, async (t) => {
    const dir = await Deno.makeTempDir();
    const shared = Deno.env.get("ROOMCAST_TEST_POSTGRES");
    const cluster = shared ? null : await startPostgres();
    try {
      const url = cluster ? await cluster.createDatabase() : (await engineEnv(dir)).DATABASE_URL;
      const sql = await openPostgres(url);
      try {
        await contract(t, sql, dir);
      } finally {
        await sql.close();
      }
    } finally {
      await cluster?.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/**
 * The database a test server runs on, opened beside it (to age a session, read a stored hash):
 * its SQLite file, or its PostgreSQL database when the harness put it on one.
 */
export async function serverSql(server: Pick<TestServer, "dataDir">): Promise<Sql> {
  const { DATABASE_URL: url } = await engineEnv(server.dataDir);
  if (url) return await openPostgres(url, { max: 2 });
  const db = new DatabaseSync(join(server.dataDir, "roomcast.db"));
  // The server writes too: wait for its lock rather than fail.
  db.exec("PRAGMA busy_timeout = 5000");
  return sqliteSql(db);
}
