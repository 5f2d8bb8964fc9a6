// Group commit: writes that arrive while one commit runs share the next one, one fsync for them all.
import { setImmediate } from "node:timers";
import type { Sql } from "./sql.ts";

/** Queues writes and runs each batch in one transaction; see createGroupCommit. */
export interface GroupCommit {
  /** Runs `write` in the next batch's transaction; resolves once that transaction committed. */
  run<T>(write: () => Promise<T>): Promise<T>;
}

interface Pending {
  write: () => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Each commit costs a WAL fdatasync on SQLite (off the event loop, storage/sql_sqlite.ts) and a
 * round trip of COMMIT on PostgreSQL. Writes queued during one batch go together in the next, one
 * commit for all. Each caller still hears back
 * only after its own write is committed. A batch that fails is retried one write per transaction,
 * so one bad write fails alone.
 */
export function createGroupCommit(sql: Pick<Sql, "transaction" | "inTransaction">): GroupCommit {
  let queue: Pending[] = [];
  let running = false;

  const runAlone = (p: Pending) => sql.transaction(p.write).then(p.resolve, p.reject);

  /**
   * Batches until the queue is empty; writes queued while one commits form the next batch. The
   * last look at the queue and `running = false` happen in one step: with a microtask between them
   * (they were in two functions), a write queued by a caller resuming from the previous write's
   * promise saw `running` still set, scheduled nothing, and waited forever.
   */
  async function flush(): Promise<void> {
    try {
      while (queue.length) {
        const batch = queue;
        queue = [];
        if (batch.length === 1) {
          await runAlone(batch[0]);
          continue;
        }
        let results: unknown[] | null = null;
        try {
          results = await sql.transaction(async () => {
            const out: unknown[] = [];
            for (const p of batch) out.push(await p.write());
            return out;
          });
        } catch {
          for (const p of batch) await runAlone(p);
        }
        results?.forEach((result, i) => batch[i].resolve(result));
      }
    } finally {
      running = false;
      // Only after a throw can writes be left queued here: start them over.
      if (queue.length) (running = true, setImmediate(flush));
    }
  }

  return {
    run<T>(write: () => Promise<T>): Promise<T> {
      // Inside a caller's transaction (a post with its mentions) the write is that transaction's:
      // batched with another caller's, it would commit or roll back with theirs.
      if (sql.inTransaction()) return write();
      return new Promise<T>((resolve, reject) => {
        queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
        // Idle, the write starts now, in the caller's turn: under a busy loop (thousands of
        // sockets written per message) each turn waited for is milliseconds, and a lone post
        // should not wait one. Writes made while it commits form the next batch.
        if (!running) (running = true, void flush());
      });
    },
  };
}
