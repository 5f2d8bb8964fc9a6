// Workspace accounts: email + display name + bcrypt password hash, on the Sql seam.
import { type PasswordPool, standInHash } from "./password_pool.ts";
import type { Sql } from "./sql.ts";

export interface Account {
  id: number;
  email: string;
  displayName: string;
  /** Marked the admin at sign-up: the first account of a fresh install (ADMIN_EMAILS unset). */
  firstAdmin: boolean;
}

export interface NewAccount {
  email: string;
  displayName: string;
  password: string;
}

export interface AccountsStore {
  /**
   * Creates the account; null when the email is already taken. `within` runs in the insert's
   * transaction (joining servers, using an invite): when it throws, the account is not created.
   */
  create(
    account: NewAccount,
    within?: (account: Account) => Promise<void>,
  ): Promise<Account | null>;
  /**
   * The account whose email and password match, else null. An unknown email costs one bcrypt
   * comparison too, so timing does not tell which emails have accounts.
   */
  verify(email: string, password: string): Promise<Account | null>;
  byId(id: number): Promise<Account | null>;
  byEmail(email: string): Promise<Account | null>;
  /** How many accounts exist (an invite-only server lets the first one in without an invite). */
  count(): Promise<number>;
  /**
   * Inside sign-up's transaction, after the insert: whether this account is the only one, counted
   * once every other sign-up that might also be alone has committed (see the lock below).
   */
  aloneOnceInserted(): Promise<boolean>;
  /** Marks the account as the install's first admin (inside sign-up's transaction). */
  markFirstAdmin(id: number): Promise<void>;
  /** The account marked as the first admin, if any. */
  firstAdmin(): Promise<Account | null>;
  /** Changes the display name (profile); messages show it, as they join the account. */
  rename(id: number, displayName: string): Promise<void>;
  /** Replaces the password (hashed off the main thread), once its owner proved the old one. */
  setPassword(id: number, password: string): Promise<void>;
}

export interface AccountsStoreOptions {
  /** Where bcrypt runs, off the main thread. */
  passwords: Pick<PasswordPool, "hash" | "compare">;
  /** bcrypt cost. @default 10 */
  cost?: number;
}

type UserRow = {
  id: number;
  email: string;
  display_name: string;
  password_hash: string;
  is_admin: number;
};

const toAccount = (row: UserRow): Account => ({
  id: Number(row.id),
  email: row.email,
  displayName: row.display_name,
  firstAdmin: Boolean(row.is_admin),
});

/** Emails are compared trimmed and lowercased, as EchoSphere does. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Two first sign-ups on Postgres (READ COMMITTED) each see only their own new row: there is no row
// to lock for "no one else yet", so they take turns on this transaction-scoped advisory lock.
// SQLite needs none: its write transactions already run one at a time.
const FIRST_ACCOUNT_LOCK = "SELECT pg_advisory_xact_lock(726361016)";

export function createAccountsStore(sql: Sql, options: AccountsStoreOptions): AccountsStore {
  const cost = options.cost ?? 10;
  const { passwords } = options;
  // Compared against when the email is unknown, so every miss costs one bcrypt at the same cost.
  const standIn = standInHash(cost);
  const one = async (text: string, params: (string | number)[] = []) => {
    const row = await sql.get<UserRow>(text, params);
    return row ? toAccount(row) : null;
  };
  const byEmail = (email: string) =>
    sql.get<UserRow>("SELECT * FROM users WHERE email = ?", [normaliseEmail(email)]);
  const count = async () =>
    Number((await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM users"))!.n);

  return {
    async create({ email, displayName, password }, within) {
      const normalised = normaliseEmail(email);
      // Checked first so a taken email does not cost a hash; the insert still guards the race.
      if (await byEmail(normalised)) return null;
      const hash = await passwords.hash(password, cost);
      return await sql.transaction(async () => {
        const row = await sql.get<UserRow>(
          `INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (email) DO NOTHING RETURNING *`,
          [normalised, displayName.trim(), hash, Date.now()],
        );
        if (!row) return null;
        const account = toAccount(row);
        await within?.(account);
        return account;
      });
    },
    async verify(email, password) {
      const row = await byEmail(email);
      const ok = await passwords.compare(password, row?.password_hash ?? standIn);
      return row && ok ? toAccount(row) : null;
    },
    byId: (id) => one("SELECT * FROM users WHERE id = ?", [id]),
    byEmail: async (email) => {
      const row = await byEmail(email);
      return row ? toAccount(row) : null;
    },
    count,
    async aloneOnceInserted() {
      // Accounts are never deleted, so a count past 1 stays past 1: only a possible first waits.
      if (await count() !== 1) return false;
      if (sql.dialect === "postgres") await sql.get(FIRST_ACCOUNT_LOCK);
      return await count() === 1;
    },
    async markFirstAdmin(id) {
      await sql.run("UPDATE users SET is_admin = 1 WHERE id = ?", [id]);
    },
    firstAdmin: () => one("SELECT * FROM users WHERE is_admin = 1 ORDER BY id LIMIT 1"),
    async rename(id, displayName) {
      await sql.run("UPDATE users SET display_name = ? WHERE id = ?", [displayName, id]);
    },
    async setPassword(id, password) {
      const hash = await passwords.hash(password, cost);
      await sql.run("UPDATE users SET password_hash = ? WHERE id = ?", [hash, id]);
    },
  };
}
