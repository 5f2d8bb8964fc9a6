// Benchmark: the SQLite statements of one workspace post, each timed in CPU (all threads), with the
// search index filled per insert (migration 041's trigger) and in batches (043, what runs now).
// Run: deno run -A bench/post_sql.ts [--posts=3000]
import process from "node:process";
import { parseArgs } from "node:util";
import { openDb } from "../storage/db.ts";
import { INDEX_BATCH, indexPending } from "../storage/search_index.ts";
import { sqliteSql } from "../storage/sql_sqlite.ts";
import { fmt } from "./_util.ts";

const { values } = parseArgs({ args: Deno.args, options: { posts: { type: "string" } } });
const POSTS = Number(values.posts ?? 3000);
const WARM = 200;
const steps = [
  "channel and role",
  "BEGIN",
  "INSERT … RETURNING",
  "COMMIT",
  "WAL fdatasync",
  "indexing a batch, per post",
];

async function run(perInsert: boolean): Promise<number[]> {
  const dir = await Deno.makeTempDir({ prefix: "roomcast-post-sql-" });
  const db = openDb(`${dir}/x.db`, { synchronous: "NORMAL" });
  db.exec(
    `INSERT INTO users (email, display_name, password_hash, created_at) VALUES ('a@x','a','x',0);
    INSERT INTO servers (name, owner_id, is_default, created_at) VALUES ('s', 1, 0, 0);
    INSERT INTO channels (server_id, name, kind, created_at) VALUES (1, 'c', 'text', 0);
    INSERT INTO server_members (server_id, user_id, role, joined_at) VALUES (1, 1, 'owner', 0);`,
  );
  if (perInsert) {
    db.exec(`CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
    END`);
  }
  const sql = sqliteSql(db);
  const channel = db.prepare(`SELECT c.id, c.server_id, c.name, c.kind, m.role AS member_role
    FROM channels c LEFT JOIN server_members m ON m.server_id = c.server_id AND m.user_id = ?
    WHERE c.id = ?`);
  const insert = db.prepare(`INSERT INTO messages (channel_id, author_id, content, created_at)
    VALUES (?, ?, ?, ?) RETURNING *,
      (SELECT u.email FROM users u WHERE u.id = messages.author_id) AS email,
      (SELECT u.display_name FROM users u WHERE u.id = messages.author_id) AS display_name`);
  const wal = await Deno.open(`${dir}/x.db-wal`, { read: true, write: true });
  const cpu = () => {
    const used = process.cpuUsage();
    return used.user + used.system;
  };
  const totals = steps.map(() => 0);
  for (let i = 0; i < POSTS + WARM; i++) {
    const t = [cpu()];
    channel.get(1, 1);
    t.push(cpu());
    db.exec("BEGIN IMMEDIATE");
    t.push(cpu());
    insert.get(1, 1, `b ${i} a few words of chat ${i % 97}`, Date.now());
    t.push(cpu());
    db.exec("COMMIT");
    t.push(cpu());
    await wal.syncData();
    t.push(cpu());
    // The server indexes in the 64th post's own transaction; here in one of its own, as a search.
    if (!perInsert && (i + 1) % INDEX_BATCH === 0) await indexPending(sql);
    t.push(cpu());
    if (i >= WARM) { for (let s = 0; s < steps.length; s++) totals[s] += t[s + 1] - t[s]; }
  }
  wal.close();
  db.close();
  await Deno.remove(dir, { recursive: true });
  return totals.map((us) => us / POSTS);
}

const perInsert = await run(true);
const batched = await run(false);
console.log(`\nCPU per post (µs, all threads), ${POSTS} posts one at a time:`);
console.log(
  "| step | index per insert (041) | index in batches of 64 (043) |\n| --- | --- | --- |",
);
steps.forEach((step, s) => console.log(`| ${step} | ${fmt(perInsert[s])} | ${fmt(batched[s])} |`));
const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
console.log(`| all | ${fmt(sum(perInsert))} | ${fmt(sum(batched))} |`);
