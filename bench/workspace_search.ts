// Bench: workspace search among 10,000 messages by word, author and channel, on SQLite (FTS5) and
// PostgreSQL (GIN tsvector). Run: deno run -A bench/workspace_search.ts [--messages=10000] [--runs=30]
// Each engine gets a fresh, migrated database; one server with 5 channels and 8 authors holds
// `messages` messages of 6–14 words from a 2,000-word vocabulary, and a second server another
// 2,000 that must never show up. Each query runs `runs` times after one warm-up, through the store
// and the query parser the API uses; times are wall clock per query (median, p95, max).
import { join } from "node:path";
import { parseSearchQuery } from "../routes/workspaces/search_query.ts";
import { openDb } from "../storage/db.ts";
import type { Sql } from "../storage/sql.ts";
import { openPostgres } from "../storage/sql_postgres.ts";
import { sqliteSql } from "../storage/sql_sqlite.ts";
import { createSearchStore } from "../storage/workspace_search_store.ts";
import { createWorkspacesStore } from "../storage/workspaces_store.ts";
import { startPostgres } from "../tests/_postgres.ts";
import { fmt, percentile } from "./_util.ts";

const arg = (name: string, fallback: number) =>
  Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const MESSAGES = arg("messages", 10_000);
const RUNS = arg("runs", 30);

// A fixed pseudo-random sequence, so both engines hold the same text.
function random(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}
const VOCABULARY = Array.from({ length: 2000 }, (_, i) => `w${i.toString(36)}x`);

async function seed(sql: Sql) {
  const next = random(42);
  const users: number[] = [];
  for (let i = 0; i < 8; i++) {
    const row = await sql.get<{ id: number }>(
      "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,0) RETURNING id",
      [`user${i}@bench.test`, `User ${i}`, "x"],
    );
    users.push(Number(row!.id));
  }
  const workspaces = createWorkspacesStore(sql);
  const { server, channels } = await workspaces.createServer(users[0], "Bench");
  const channelIds = [channels[0].id];
  for (const name of ["design", "random", "ops", "support"]) {
    channelIds.push((await workspaces.createChannel(server.id, name, "text")).id);
  }
  const other = await workspaces.createServer(users[0], "Other");
  const sentence = () =>
    Array.from(
      { length: 6 + Math.floor(next() * 9) },
      () => VOCABULARY[Math.floor(next() ** 2 * VOCABULARY.length)],
    ).join(" ");
  const insert = async (channelId: number, count: number) => {
    await sql.transaction(async () => {
      for (let i = 0; i < count; i++) {
        await sql.run(
          "INSERT INTO messages (channel_id, author_id, content, created_at) VALUES (?, ?, ?, ?)",
          [channelId, users[Math.floor(next() * users.length)], sentence(), Date.now()],
        );
      }
    });
  };
  for (const channelId of channelIds) await insert(channelId, MESSAGES / channelIds.length);
  await insert(other.channels[0].id, 2000);
  // Fresh tables have no statistics yet; autovacuum would gather them within a minute.
  await sql.exec("ANALYZE");
  return server.id;
}

const QUERIES = [
  ["word", VOCABULARY[3]],
  ["two words", `${VOCABULARY[3]} ${VOCABULARY[10]}`],
  ["less common word", VOCABULARY[1500]],
  ["author", 'from:"User 3"'],
  ["channel", "in:#design"],
  ["word + author + channel", `${VOCABULARY[3]} from:"User 3" in:#design`],
] as const;

async function measure(engine: string, sql: Sql) {
  const started = performance.now();
  const serverId = await seed(sql);
  console.log(
    `${engine}: seeded ${MESSAGES} + 2000 messages in ${
      fmt((performance.now() - started) / 1000)
    } s`,
  );
  const store = createSearchStore(sql);
  const rows: string[] = [];
  for (const [what, q] of QUERIES) {
    const run = async () => {
      const t = performance.now();
      const hits = await store.search(serverId, parseSearchQuery(q), { limit: 25 });
      return { ms: performance.now() - t, hits: hits.length };
    };
    const { hits } = await run();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push((await run()).ms);
    times.sort((a, b) => a - b);
    rows.push(
      `| ${engine} | ${what} | \`${q}\` | ${hits} | ${fmt(percentile(times, 50), 2)} | ${
        fmt(percentile(times, 95), 2)
      } | ${fmt(times.at(-1)!, 2)} |`,
    );
  }
  return rows;
}

const rows = [
  "| engine | query | q | results (of 25) | median ms | p95 ms | max ms |",
  "| --- | --- | --- | --- | --- | --- | --- |",
];
const dir = await Deno.makeTempDir({ prefix: "roomcast-bench-search-" });
try {
  const sqlite = sqliteSql(openDb(join(dir, "bench.db")));
  rows.push(...await measure("SQLite", sqlite));
  await sqlite.close();
  const cluster = await startPostgres();
  try {
    const postgres = await openPostgres(await cluster.createDatabase());
    rows.push(...await measure("PostgreSQL", postgres));
    await postgres.close();
  } finally {
    await cluster.stop();
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
console.log(rows.join("\n"));
