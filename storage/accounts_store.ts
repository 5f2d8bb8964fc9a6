// Workspace accounts: email + display name + bcrypt password hash, in SQLite.
import bcrypt from "bcryptjs";
import type { Db } from "./db.ts";

export interface Account {
  id: number;
  email: string;
  displayName: string;
}

export interface NewAccount {
  email: string;
  displayName: string;
  password: string;
}

export interface AccountsStore {
  /** Creates the account; null when the email is already taken. */
  create(account: NewAccount): Promise<Account | null>;
  /**
   * The account whose email and password match, else null. An unknown email costs one bcrypt
   * comparison too, so timing does not tell which emails have accounts.
   */
  verify(email: string, password: string): Promise<Account | null>;
  byId(id: number): Account | null;
  byEmail(email: string): Account | null;
}

export interface AccountsStoreOptions {
  /** bcrypt cost. @default 10 */
  cost?: number;
}

type Row = { id: number; email: string; display_name: string; password_hash: string };

const toAccount = (row: Row): Account => ({
  id: Number(row.id),
  email: row.email,
  displayName: row.display_name,
});

/** Emails are compared trimmed and lowercased, as EchoSphere does. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function createAccountsStore(db: Db, options: AccountsStoreOptions = {}): AccountsStore {
  const cost = options.cost ?? 10;
  // Compared against when the email is unknown, so every miss costs one bcrypt at the same cost.
  const dummyHash = bcrypt.hashSync("roomcast-timing-equaliser", cost);
  const insert = db.prepare(
    `INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (email) DO NOTHING RETURNING *`,
  );
  const selectByEmail = db.prepare("SELECT * FROM users WHERE email = ?");
  const selectById = db.prepare("SELECT * FROM users WHERE id = ?");

  return {
    async create({ email, displayName, password }) {
      const normalised = normaliseEmail(email);
      // Checked first so a taken email does not cost a hash; the insert still guards the race.
      if (selectByEmail.get(normalised)) return null;
      const hash = await bcrypt.hash(password, cost);
      const row = insert.get(normalised, displayName.trim(), hash, Date.now()) as Row | undefined;
      return row ? toAccount(row) : null;
    },
    async verify(email, password) {
      const row = selectByEmail.get(normaliseEmail(email)) as Row | undefined;
      const ok = await bcrypt.compare(password, row?.password_hash ?? dummyHash);
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
  };
}
