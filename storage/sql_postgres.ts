// PostgreSQL behind the Sql seam (DATABASE_URL), on npm:postgres: a pool, transactions per context.
import postgres from "postgres";
import {
  createTransactionScope,
  migrateSql,
  numberPlaceholders,
  type Param,
  type Sql,
} from "./sql.ts";

export interface PostgresOptions {
  /** Connections in the pool. @default 10 */
  max?: number;
  /** Seconds to wait for a connection before a query fails. @default 10 */
  connectTimeout?: number;
  /** Migrations folder. @default storage/migrations/postgres beside this file */
  migrations?: URL;
  /** Called with every failed query, before it is thrown (the metrics' error counter). */
  onError?: (error: unknown) => void;
}

type Connection = postgres.Sql | postgres.TransactionSql;

// One key for every Roomcast instance on a database: migrations run by one at a time.
const MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(726361001)";

/** Connects, brings the schema up to date (safely when instances start together) and returns Sql. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Sql> {
  const pool = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeout ?? 10,
    onnotice: () => {},
    // BIGINT (ids, epoch milliseconds, COUNT) as numbers, as SQLite gives them.
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: number | bigint) => String(value),
        parse: (value: string) => Number(value),
      },
    },
  });
  const sql = postgresSql(pool, options.onError);
  await migrateSql(
    sql,
    options.migrations ?? new URL("./migrations/postgres/", import.meta.url),
    MIGRATION_LOCK,
  );
  return sql;
}

function postgresSql(pool: postgres.Sql, onError?: (error: unknown) => void): Sql {
  const scope = createTransactionScope<{ tx: postgres.TransactionSql }>();
  const texts = new Map<string, string>();
  const numbered = (text: string) => {
    let out = texts.get(text);
    if (out === undefined) {
      if (texts.size >= 512) texts.clear();
      out = numberPlaceholders(text);
      texts.set(text, out);
    }
    return out;
  };
  const connection = (): Connection => scope.getStore()?.tx ?? pool;
  async function query(text: string, params: readonly Param[] | undefined) {
    try {
      return await connection().unsafe(
        numbered(text),
        (params ?? []) as postgres.ParameterOrJSON<never>[],
        {
          prepare: true,
        },
      );
    } catch (error) {
      onError?.(error);
      throw error;
    }
  }

  return {
    dialect: "postgres",
    forUpdate: " FOR UPDATE",
    all: async <T>(text: string, params?: readonly Param[]) =>
      [...await query(text, params)] as T[],
    get: async <T>(text: string, params?: readonly Param[]) =>
      (await query(text, params))[0] as T | undefined,
    run: async (text, params) => (await query(text, params)).count,
    async transaction<T>(fn: () => Promise<T>): Promise<T> {
      if (scope.getStore()) return await fn();
      // Failed queries inside were counted by query(); a failed BEGIN/COMMIT is not a query's.
      return await pool.begin((tx) => scope.run({ tx }, fn)) as T;
    },
    inTransaction: () => scope.getStore() !== undefined,
    async exec(script) {
      await connection().unsafe(script);
    },
    async ping() {
      await pool`SELECT 1`;
    },
    async close() {
      await pool.end({ timeout: 5 });
    },
  };
}
