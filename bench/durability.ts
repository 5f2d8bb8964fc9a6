// Bench: what durability costs. Chat messages committed per second with SQLite synchronous=NORMAL,
// FULL, and NORMAL with the WAL fdatasynced off the event loop before each post resolves (the
// server's mode, storage/sql_sqlite.ts openSqliteSql), with how long the event loop stood still;
// and image-upload latency (temp file + fsync + rename, then its row) with and without the
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
import { openSqliteSql, sqliteSql } from "../storage/sql_sqlite.ts";
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
/** A chat column: a pragma, or the server's NORMAL + WAL fdatasync on the blocking pool. */
type Mode = Sync | "WAL_SYNC";

/** Latencies of one run, how long it took, and how late a 1 ms timer ran meanwhile. */
interface Run {
  latencies: number[];
  ms: number;
  lags?: number[];
}

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
  count: number;
}

function summarise(runs: Run[]): Figures & { lagP99: number; lagMax: number } {
  const sorted = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const lags = runs.flatMap((r) => r.lags ?? []).sort((a, b) => a - b);
  const ms = runs.reduce((sum, r) => sum + r.ms, 0);
  return {
    perSecond: sorted.length / (ms / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    count: sorted.length,
    lagP99: percentile(lags, 99),
    lagMax: lags.at(-1) ?? 0,
  };
}

/**
 * How late each tick of a 1 ms timer runs while `work` does: the event loop's stalls. A busy loop
 * delays it too (posting flat out, NORMAL's is), so the max is the figure to read: the longest
 * single stretch nothing else could run, such as a commit waiting for its fsync.
 */
async function withLag(work: () => Promise<Run>): Promise<Run> {
  const lags: number[] = [];
  let due = performance.now() + 1;
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - due));
    due = now + 1;
  }, 1);
  try {
    return { ...await work(), lags };
  } finally {
    clearInterval(timer);
  }
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

/**
 * Messages as `POST /api/channels/:id/messages` stores them: one at a time (one commit each), or
 * `together` at once, as many senders do (posts arriving together share a commit).
 */
async function messages(root: string, mode: Mode, count: number, together = 1): Promise<Run> {
  const dir = await Deno.makeTempDir({ dir: root, prefix: "messages-" });
  const passwords = createPasswordPool({ size: 1 });
  const path = join(dir, "roomcast.db");
  const sql = mode === "WAL_SYNC"
    ? openSqliteSql(path)
    : sqliteSql(openDb(path, { synchronous: mode }));
  try {
    const account = await createAccountsStore(sql, { passwords, cost: 4 }).create({
      email: "bench@example.com",
      displayName: "bench",
      password: "bench-password",
    });
    const { channels } = await createWorkspacesStore(sql).createServer(account!.id, "Bench");
    const store = createMessagesStore(sql);
    const post = (i: number) => store.post(channels[0].id, account!.id, `message ${i}`);
    return await withLag(() =>
      timed(
        count / together,
        (i) => Promise.all(Array.from({ length: together }, (_, j) => post(i * together + j))),
      )
    );
  } finally {
    passwords.close();
    await sql.close();
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

const MODES: Mode[] = ["NORMAL", "FULL", "WAL_SYNC"];
const modeNames = [
  "synchronous=NORMAL (not durable)",
  "synchronous=FULL (before)",
  "NORMAL + WAL fdatasync off the loop (now)",
];
for (const together of [1, 16]) {
  const runs = new Map<Mode, Run[]>(MODES.map((m) => [m, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      runs.get(mode)!.push(await messages(root, mode, MESSAGES / ROUNDS, together));
    }
  }
  const f = MODES.map((m) => summarise(runs.get(m)!));
  const what = together === 1 ? "one at a time" : `${together} at once`;
  printTable([
    [`chat messages, ${what}`, ...modeNames],
    ["messages/s", ...f.map((x) => fmt(x.perSecond * together, 0))],
    [
      `${together === 1 ? "post" : "batch"} p50 / p99 ms`,
      ...f.map((x) => `${fmt(x.p50, 3)} / ${fmt(x.p99, 3)}`),
    ],
    ["event loop stall p99 / max ms", ...f.map((x) => `${fmt(x.lagP99, 2)} / ${fmt(x.lagMax, 1)}`)],
  ]);
}

const columns: { name: string; synchronous: Sync; syncDir: boolean }[] = [
  { name: "NORMAL, no folder fsync", synchronous: "NORMAL", syncDir: false },
  { name: "NORMAL, folder fsync", synchronous: "NORMAL", syncDir: true },
  { name: "FULL, no folder fsync", synchronous: "FULL", syncDir: false },
  { name: "FULL, folder fsync", synchronous: "FULL", syncDir: true },
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
console.log(`${MESSAGES} messages, ${figures[0].count} uploads per column; folder: ${root}`);
if (!Deno.args.some((a) => a.startsWith("--dir="))) await Deno.remove(root, { recursive: true });
