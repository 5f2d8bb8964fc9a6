// Workspace accounts: email + display name + bcrypt password hash, in SQLite.
import { type Db, transaction } from "./db.ts";
import { type PasswordPool, standInHash } from "./password_pool.ts";

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
  create(account: NewAccount, within?: (account: Account) => void): Promise<Account | null>;
  /**
   * The account whose email and password match, else null. An unknown email costs one bcrypt
   * comparison too, so timing does not tell which emails have accounts.
   */
  verify(email: string, password: string): Promise<Account | null>;
  byId(id: number): Account | null;
  byEmail(email: string): Account | null;
  /** How many accounts exist (an invite-only server lets the first one in without an invite). */
  count(): number;
  /** Marks the account as the install's first admin (inside sign-up's transaction). */
  markFirstAdmin(id: number): void;
  /** The account marked as the first admin, if any. */
  firstAdmin(): Account | null;
}

export interface AccountsStoreOptions {
  /** Where bcrypt runs, off the main thread. */
  passwords: Pick<PasswordPool, "hash" | "compare">;
  /** bcrypt cost. @default 10 */
  cost?: number;
}

type Row = {
  id: number;
  email: string;
  display_name: string;
  password_hash: string;
  is_admin: number;
};

const toAccount = (row: Row): Account => ({
  id: Number(row.id),
  email: row.email,
  displayName: row.display_name,
  firstAdmin: Boolean(row.is_admin),
});

/** Emails are compared trimmed and lowercased, as EchoSphere does. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function createAccountsStore(db: Db, options: AccountsStoreOptions): AccountsStore {
  const cost = options.cost ?? 10;
  const { passwords } = options;
  // Compared against when the email is unknown, so every miss costs one bcrypt at the same cost.
  const standIn = standInHash(cost);
  const insert = db.prepare(
    `INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (email) DO NOTHING RETURNING *`,
  );
  const selectByEmail = db.prepare("SELECT * FROM users WHERE email = ?");
  const selectById = db.prepare("SELECT * FROM users WHERE id = ?");
  const countAll = db.prepare("SELECT COUNT(*) AS n FROM users");
  const markAdmin = db.prepare("UPDATE users SET is_admin = 1 WHERE id = ?");
  const selectAdmin = db.prepare("SELECT * FROM users WHERE is_admin = 1 ORDER BY id LIMIT 1");

  return {
    async create({ email, displayName, password }, within) {
      const normalised = normaliseEmail(email);
      // Checked first so a taken email does not cost a hash; the insert still guards the race.
      if (selectByEmail.get(normalised)) return null;
      const hash = await passwords.hash(password, cost);
      return transaction(db, () => {
        const row = insert.get(normalised, displayName.trim(), hash, Date.now()) as
          | Row
          | undefined;
        if (!row) return null;
        const account = toAccount(row);
        within?.(account);
        return account;
      });
    },
    async verify(email, password) {
      const row = selectByEmail.get(normaliseEmail(email)) as Row | undefined;
      const ok = await passwords.compare(password, row?.password_hash ?? standIn);
      return row && ok ? toAccount(row) : null;
    },
    byId(id) {
      const row = selectById.get(id) as Row | undefined;
      return row ? toAccount(row) : null;
    },
    byEmail(email) {
      const row = selectByEmail.get(normaliseEmail(email)) as Row | undefined;
      return row ? toAccount(row) : null;
    },
    count: () => Number((countAll.get() as { n: number }).n),
    markFirstAdmin(id) {
      markAdmin.run(id);
    },
    firstAdmin() {
      const row = selectAdmin.get() as Row | undefined;
      return row ? toAccount(row) : null;
    },
  };
}
