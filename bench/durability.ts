// Bench: what durability costs. Chat messages committed per second with SQLite synchronous=NORMAL
// vs FULL, and image-upload latency (temp file + fsync + rename, then its row) with and without the
// folder fsync after the rename, printed side by side.
// Run: deno run -A bench/durability.ts [--messages=5000] [--uploads=1000] [--dir=/path/on/the/disk]
// Everything runs in this process against Roomcast's own stores (storage/), on a fresh database
// and folder per column, on the filesystem of --dir (default: the system temp folder), so the
// figures are the disk's, not HTTP's. The columns take turns in 5 rounds, so a neighbour's load
// on a shared disk falls on all of them alike. Each run stops after 20 s whatever its count.
import { join } from "node:path";
import { openDb } from "../storage/db.ts";
import { createPasswordPool } from "../storage/password_pool.ts";
import { createAccountsStore } from "../storage/accounts_store.ts";
import { createWorkspacesStore } from "../storage/workspaces_store.ts";
import { createMessagesStore } from "../storage/workspace_messages_store.ts";
import { sqliteSql } from "../storage/sql_sqlite.ts";
import { writeFileAtomic } from "../storage/files.ts";
import { fmt, percentile } from "./_util.ts";

const arg = (name: string, fallback: string) =>
  Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const MESSAGES = Number(arg("messages", "5000"));
const UPLOADS = Number(arg("uploads", "1000"));
const PHASE_MS = 20_000;
const ROUNDS = 5;
const IMAGE_BYTES = 256 * 1024;

type Sync = "NORMAL" | "FULL";

/** Latencies of one run, and how long it took. */
interface Run {
  latencies: number[];
  ms: number;
}

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
  count: number;
}

function summarise(runs: Run[]): Figures {
  const sorted = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const ms = runs.reduce((sum, r) => sum + r.ms, 0);
  return {
    perSecond: sorted.length / (ms / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    count: sorted.length,
  };
}

/** Runs `op` `count` times (at most PHASE_MS), timing each. */
async function timed(count: number, op: (i: number) => unknown): Promise<Run> {
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count && performance.now() - started < PHASE_MS; i++) {
    const t0 = performance.now();
    await op(i);
    latencies.push(performance.now() - t0);
  }
  return { latencies, ms: performance.now() - started };
}

/** One message per commit, as `POST /api/channels/:id/messages` does. */
async function messages(root: string, synchronous: Sync, count: number): Promise<Run> {
  const dir = await Deno.makeTempDir({ dir: root, prefix: "messages-" });
  const db = openDb(join(dir, "roomcast.db"), { synchronous });
  const passwords = createPasswordPool({ size: 1 });
  const sql = sqliteSql(db);
  try {
    const account = await createAccountsStore(sql, { passwords, cost: 4 }).create({
      email: "bench@example.com",
      displayName: "bench",
      password: "bench-password",
    });
    const { channels } = await createWorkspacesStore(sql).createServer(account!.id, "Bench");
    const store = createMessagesStore(sql);
    return await timed(count, (i) => store.post(channels[0].id, account!.id, `message ${i}`));
  } finally {
    passwords.close();
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** What images_store.saveImage does per upload: the atomic file write, then its row. */
async function uploads(
  root: string,
  synchronous: Sync,
  syncDir: boolean,
  count: number,
): Promise<Run> {
  const dir = await Deno.makeTempDir({ dir: root, prefix: "uploads-" });
  const db = openDb(join(dir, "roomcast.db"), { synchronous });
  const images = join(dir, "images");
  await Deno.mkdir(images);
  try {
    const insert = db.prepare(
      `INSERT INTO image_uploads (room, file, content_type, size, uploaded_by, uploaded_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const bytes = crypto.getRandomValues(new Uint8Array(65536));
    const image = new Uint8Array(IMAGE_BYTES);
    for (let at = 0; at < IMAGE_BYTES; at += bytes.length) image.set(bytes, at);
    return await timed(count, async (i) => {
      const file = `${i}.png`;
      const size = await writeFileAtomic(join(images, file), image, { syncDir });
      insert.run("bench", file, "image/png", size, "bench", Date.now());
    });
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const root = arg("dir", await Deno.makeTempDir({ prefix: "roomcast-durability-" }));

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(rows[0]));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows.slice(1)) console.log(line(row));
  console.log();
}

const messageRuns: Record<Sync, Run[]> = { NORMAL: [], FULL: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const sync of ["NORMAL", "FULL"] as const) {
    messageRuns[sync].push(await messages(root, sync, MESSAGES / ROUNDS));
  }
}
const normal = summarise(messageRuns.NORMAL);
const full = summarise(messageRuns.FULL);
printTable([
  ["chat messages, one commit each", "synchronous=NORMAL (before)", "synchronous=FULL (now)"],
  ["messages/s", fmt(normal.perSecond, 0), fmt(full.perSecond, 0)],
  ["commit p50 / p99 ms", ...[normal, full].map((f) => `${fmt(f.p50, 3)} / ${fmt(f.p99, 3)}`)],
]);

const columns: { name: string; synchronous: Sync; syncDir: boolean }[] = [
  { name: "NORMAL, no folder fsync (before)", synchronous: "NORMAL", syncDir: false },
  { name: "NORMAL, folder fsync", synchronous: "NORMAL", syncDir: true },
  { name: "FULL, no folder fsync", synchronous: "FULL", syncDir: false },
  { name: "FULL, folder fsync (now)", synchronous: "FULL", syncDir: true },
];
const uploadRuns: Run[][] = columns.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, column] of columns.entries()) {
    const run = await uploads(root, column.synchronous, column.syncDir, UPLOADS / ROUNDS);
    uploadRuns[i].push(run);
  }
}
const figures = uploadRuns.map(summarise);
printTable([
  [`image upload, ${IMAGE_BYTES / 1024} KiB file + row`, ...columns.map((c) => c.name)],
  ["p50 / p99 ms", ...figures.map((f) => `${fmt(f.p50, 2)} / ${fmt(f.p99, 2)}`)],
  ["uploads/s, one at a time", ...figures.map((f) => fmt(f.perSecond, 0))],
]);
console.log(
  `${normal.count} / ${full.count} messages, ${figures[0].count} uploads per column; ` +
    `folder: ${root}`,
);
if (!Deno.args.some((a) => a.startsWith("--dir="))) await Deno.remove(root, { recursive: true });
