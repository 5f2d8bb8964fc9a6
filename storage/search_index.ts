// SQLite's search index, filled in batches (migration 043): posts queue their ids in
// messages_fts_pending; this moves what is queued into messages_fts. PostgreSQL indexes each row
// in its own statement (a generated tsvector under GIN) and has nothing queued.
import type { Sql } from "./sql.ts";

/** Posts between two batches; a search indexes what is queued first, whatever its length. */
export const INDEX_BATCH = 64;

/**
 * Indexes every queued message, in the caller's transaction or in one of its own, so the queue
 * and the index change together. Resolves to how many were indexed.
 */
export async function indexPending(sql: Sql): Promise<number> {
  if (sql.dialect !== "sqlite") return 0;
  const queued = await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM messages_fts_pending");
  if (!queued || Number(queued.n) === 0) return 0;
  return await sql.transaction(async () => {
    const indexed = await sql.run(
      `INSERT INTO messages_fts (rowid, content)
       SELECT m.id, m.content FROM messages_fts_pending p JOIN messages m ON m.id = p.id
       ORDER BY p.id`,
    );
    await sql.run("DELETE FROM messages_fts_pending");
    return indexed;
  });
}
