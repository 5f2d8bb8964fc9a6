// The embedded engine behind the Sql seam: node:sqlite (WAL), one connection, one writer at a time.
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { openDb } from "./db.ts";
import { createTransactionScope, type Param, type Sql } from "./sql.ts";

// Statements are prepared once per SQL text; texts come from code, but a store that builds text
// (an IN list) must not grow this without bound.
const MAX_STATEMENTS = 512;

// A statement that cannot change the database; anything else is treated as a write.
const READ_ONLY = /^\s*(SELECT|EXPLAIN)\b/i;

/**
 * The server's database at `path`: WAL with `synchronous=NORMAL`, so a commit only writes the WAL
 * (no fsync with the event loop blocked, which was 0.3 ms at the median and several ms at p99 per
 * commit, every socket's delivery waiting), and each write resolves only after the WAL is
 * fdatasynced on Deno's blocking pool. An acknowledged write is on disk as with
 * `synchronous=FULL`; commits made during one fdatasync share the next. The difference: for the
 * milliseconds of that fdatasync another request may already read the committed rows.
 */
export function openSqliteSql(path: string): Sql {
  return sqliteSql(openDb(path, { synchronous: "NORMAL" }), { walPath: `${path}-wal` });
}

/** One fdatasync of `path` at a time; callers during one wait for the next (their frames may be newer). */
function walSync(path: string) {
  // The promise, not the file: two syncs starting together must not open it twice.
  let file: Promise<Deno.FsFile> | null = null;
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> => {
    const sync = (async () => {
      file ??= Deno.open(path, { read: true }).catch((error) => {
        file = null; // the next sync tries again
        throw error;
      });
      await (await file).syncData();
    })().finally(() => {
      if (running === sync) running = null;
    });
    running = sync;
    return sync;
  };
  return {
    sync(): Promise<void> {
      if (!running) return start();
      next ??= running.catch(() => {}).then(() => {
        next = null;
        return start();
      });
      return next;
    },
    async close() {
      await next?.catch(() => {});
      await running?.catch(() => {});
      (await file?.catch(() => null))?.close();
    },
  };
}

/**
 * Sql over an open SQLite database (see openDb in db.ts for its pragmas and migrations). SQLite
 * runs each query synchronously, so a query resolves at once; only a transaction makes others wait:
 * while one is open, queries from other async contexts queue behind it instead of joining it.
 * With `walPath` (see openSqliteSql), each write resolves only once the WAL file is fdatasynced.
 */
export function sqliteSql(db: DatabaseSync, options: { walPath?: string } = {}): Sql {
  const wal = options.walPath ? walSync(options.walPath) : null;
  // Each text prepared once, with whether it can write (decided once too).
  const statements = new Map<string, { statement: StatementSync; readOnly: boolean }>();
  const scope = createTransactionScope<object>();
  let open: { token: object; done: Promise<void> } | null = null;

  const prepare = (text: string): StatementSync => {
    let entry = statements.get(text);
    if (!entry) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      entry = { statement: db.prepare(text), readOnly: READ_ONLY.test(text) };
      statements.set(text, entry);
    }
    return entry.statement;
  };
  const isReadOnly = (text: string) => statements.get(text)?.readOnly ?? READ_ONLY.test(text);
  // A transaction's own statements, prepared once rather than parsed by exec() each time.
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const rollback = db.prepare("ROLLBACK");
  const args = (params: readonly Param[] | undefined) => (params ?? []) as SQLInputValue[];

  /** Runs `step` now, or after the open transaction when the caller is not part of it. */
  function when<T>(step: () => T): Promise<T> {
    if (open && scope.getStore() !== open.token) {
      return open.done.then(() => when(step));
    }
    try {
      return Promise.resolve(step());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** `when`, for a statement that may write: outside a transaction it is its own commit. */
  async function write<T>(text: string, step: () => T): Promise<T> {
    const result = await when(step);
    if (wal && !isReadOnly(text) && !(open && scope.getStore() === open.token)) {
      await wal.sync();
    }
    return result;
  }

  async function transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (open && scope.getStore() === open.token) return await fn();
    while (open) await open.done;
    let release!: () => void;
    const token = {};
    open = { token, done: new Promise<void>((resolve) => release = resolve) };
    let result: T;
    try {
      begin.run();
      try {
        result = await scope.run(token, fn);
        commit.run();
      } catch (error) {
        if (db.isTransaction) rollback.run();
        throw error;
      }
    } finally {
      open = null;
      release();
    }
    // Committed: the next transaction may start while this one's WAL frames reach the disk.
    await wal?.sync();
    return result;
  }

  return {
    dialect: "sqlite",
    forUpdate: "",
    all: <T>(text: string, params?: readonly Param[]) =>
      write(text, () => prepare(text).all(...args(params)) as T[]),
    get: <T>(text: string, params?: readonly Param[]) =>
      write(text, () => prepare(text).get(...args(params)) as T | undefined),
    run: (text, params) => write(text, () => Number(prepare(text).run(...args(params)).changes)),
    transaction,
    inTransaction: () => open !== null && scope.getStore() === open.token,
    exec: (script) => write(script, () => db.exec(script)),
    ping: () => when(() => void db.prepare("SELECT 1").get()),
    async close() {
      await when(() => undefined);
      await wal?.close();
      db.close();
    },
  };
}
