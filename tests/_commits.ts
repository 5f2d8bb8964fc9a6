// Test helpers for commit counting: an Sql that counts its commits, and a one-channel workspace.
import type { Sql } from "../storage/sql.ts";
import { createWorkspacesStore } from "../storage/workspaces_store.ts";

/** `sql`, counting commits: transactions, and INSERTs made outside one (each its own commit). */
export function countingCommits(sql: Sql) {
  const counts = { commits: 0, open: 0, committedAt: [] as number[] };
  const counted: Sql = {
    dialect: sql.dialect,
    forUpdate: sql.forUpdate,
    all: (text, params) => sql.all(text, params),
    get(text, params) {
      if (counts.open === 0 && /^\s*INSERT/i.test(text)) counts.commits++;
      return sql.get(text, params);
    },
    run: (text, params) => sql.run(text, params),
    async transaction(fn) {
      // A nested transaction joins the caller's open one: only the outermost commits.
      if (!sql.inTransaction()) counts.commits++;
      counts.open++;
      try {
        return await sql.transaction(fn);
      } finally {
        counts.open--;
        counts.committedAt.push(performance.now());
      }
    },
    inTransaction: () => sql.inTransaction(),
    exec: (script) => sql.exec(script),
    ping: () => sql.ping(),
    close: () => sql.close(),
  };
  return { sql: counted, counts };
}

export async function channelOf(sql: Sql): Promise<number> {
  await sql.run(
    "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,0)",
    ["a@x.test", "A", "x"],
  );
  return (await createWorkspacesStore(sql).createServer(1, "Team")).channels[0].id;
}
