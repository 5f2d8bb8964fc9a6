// SQLite's search index, filled in batches (migration 043): messages after
// messages_fts_state.upto are not in messages_fts yet; this indexes them. PostgreSQL indexes each
// row in its own statement (a generated tsvector under GIN) and has nothing waiting.
import type { Sql } from "./sql.ts";

/** Posts between two batches; a search indexes what waits first, whatever its length. */
export const INDEX_BATCH = 64;

const WAITING =
  "SELECT 1 AS x FROM messages WHERE id > (SELECT upto FROM messages_fts_state) LIMIT 1";

/**
 * Indexes every message not indexed yet, in the caller's transaction or in one of its own, so the
 * index and its mark move together. Resolves to how many were indexed.
 */
export async function indexPending(sql: Sql): Promise<number> {
  if (sql.dialect !== "sqlite" || !await sql.get(WAITING)) return 0;
  return await sql.transaction(async () => {
    const indexed = await sql.run(
      `INSERT INTO messages_fts (rowid, content)
       SELECT id, content FROM messages WHERE id > (SELECT upto FROM messages_fts_state)
       ORDER BY id`,
    );
    await sql.run(
      `UPDATE messages_fts_state
       SET upto = COALESCE((SELECT MAX(id) FROM messages), upto) WHERE id = 1`,
    );
    return indexed;
  });
}
