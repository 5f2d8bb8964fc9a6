// Reads a test server's code-session rows straight from its database, on whichever engine it runs.
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { engineEnv } from "../../tests/_engines.ts";
import { openPostgres } from "../../storage/sql_postgres.ts";
import type { Param, Row } from "../../storage/sql.ts";
import { sqliteSql } from "../../storage/sql_sqlite.ts";

/**
 * Runs one query against the database of the server on `dataDir`: its PostgreSQL database in the
 * engine pass (tests/_engines.ts names it after the folder), else its SQLite file, read-only.
 */
export async function queryServer(
  server: { dataDir: string },
  text: string,
  params: readonly Param[] = [],
): Promise<Row[]> {
  const url = (await engineEnv(server.dataDir)).DATABASE_URL;
  const sql = url
    ? await openPostgres(url, { max: 1 })
    : sqliteSql(new DatabaseSync(join(server.dataDir, "roomcast.db"), { readOnly: true }));
  try {
    return await sql.all(text, params);
  } finally {
    await sql.close();
  }
}

/** Rows of a session in code_sessions, code_participants and code_snippets. */
export async function rowsOf(server: { dataDir: string }, sessionId: string): Promise<number[]> {
  const counts: number[] = [];
  for (const table of ["code_sessions", "code_participants", "code_snippets"]) {
    const column = table === "code_sessions" ? "id" : "session_id";
    const [row] = await queryServer(
      server,
      `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`,
      [sessionId],
    );
    counts.push(Number(row.n));
  }
  return counts;
}
