// The embedded engine behind the Sql seam: node:sqlite (WAL), one connection, one writer at a time.
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { createTransactionScope, type Param, type Sql } from "./sql.ts";

// Statements are prepared once per SQL text; texts come from code, but a store that builds text
// (an IN list) must not grow this without bound.
const MAX_STATEMENTS = 512;

/**
 * Sql over an open SQLite database (see openDb in db.ts for its pragmas and migrations). SQLite
 * runs each query synchronously, so a query resolves at once; only a transaction makes others wait:
 * while one is open, queries from other async contexts queue behind it instead of joining it.
 */
export function sqliteSql(db: DatabaseSync): Sql {
  const statements = new Map<string, StatementSync>();
  const scope = createTransactionScope<object>();
  let open: { token: object; done: Promise<void> } | null = null;

  const prepare = (text: string): StatementSync => {
    let statement = statements.get(text);
    if (!statement) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
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

  async function transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (open && scope.getStore() === open.token) return await fn();
    while (open) await open.done;
    let release!: () => void;
    const token = {};
    open = { token, done: new Promise<void>((resolve) => release = resolve) };
    try {
      db.exec("BEGIN IMMEDIATE");
      try {
        const result = await scope.run(token, fn);
        db.exec("COMMIT");
        return result;
      } catch (error) {
        if (db.isTransaction) db.exec("ROLLBACK");
        throw error;
      }
    } finally {
      open = null;
      release();
    }
  }

  return {
    dialect: "sqlite",
    forUpdate: "",
    all: <T>(text: string, params?: readonly Param[]) =>
      when(() => prepare(text).all(...args(params)) as T[]),
    get: <T>(text: string, params?: readonly Param[]) =>
      when(() => prepare(text).get(...args(params)) as T | undefined),
    run: (text, params) => when(() => Number(prepare(text).run(...args(params)).changes)),
    transaction,
    inTransaction: () => open !== null && scope.getStore() === open.token,
    exec: (script) => when(() => db.exec(script)),
    ping: () => when(() => void db.prepare("SELECT 1").get()),
    close: () => when(() => db.close()),
  };
}
