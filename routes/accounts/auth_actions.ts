// Sign up and log in, shared by the HTML forms and the JSON API: validation, who may sign up, and
// rate limits that count failures so a stranger cannot lock an owner out.
import type { SignupMode } from "../../config.ts";
import { HttpError } from "../../errors.ts";
import type { Account, AccountsStore } from "../../storage/accounts_store.ts";
import { normaliseEmail } from "../../storage/accounts_store.ts";
import { PoolBusyError } from "../../storage/password_pool.ts";
import { hasControlCharacters } from "../../edge/fields.ts";
import { createRateLimiter, type RateLimiter } from "../../edge/rate_limit.ts";

export interface SignupInput {
  email: string;
  displayName: string;
  password: string;
  /** Checked when given; the forms always send it. */
  confirmPassword?: string;
  /** A workspace invite code; required when sign-up is by invitation. */
  invite?: string;
}

export interface AuthActions {
  readonly signupMode: SignupMode;
  signup(input: SignupInput, ip: string): Promise<Account>;
  login(email: string, password: string, ip: string): Promise<Account>;
  close(): void;
}

/** What sign-up does in the workspaces, each step inside the new account's transaction. */
export interface SignupWorkspaces {
  /** Puts a new account in the shared Lobby; null when there is no shared Lobby. */
  joinDefaultServer: ((userId: number) => Promise<unknown>) | null;
  /** Whether `code` names an invite that can still be used. */
  inviteUsable(code: string): Promise<boolean>;
  /** Joins the account to the invite's server; throws (undoing the signup) when it cannot. */
  redeemInvite(account: Account, code: string): Promise<void>;
}

export interface AuthActionsDeps {
  accounts: AccountsStore;
  workspaces: SignupWorkspaces;
  /** @default "open" */
  signupMode?: SignupMode;
  /** ADMIN_EMAILS; when empty, the first account of a fresh install becomes the admin. */
  adminEmails?: readonly string[];
  /** Told when sign-up made the first account the admin, so the log can say who. */
  onFirstAdmin?: (account: Account) => void;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** bcrypt reads only this many bytes of a password. */
export const MAX_PASSWORD_BYTES = 72;
export const BAD_LOGIN = "Invalid email or password";

/** Whether `password` is longer than bcrypt reads, without encoding a huge string. */
export function passwordTooLong(password: string): boolean {
  // A UTF-16 unit is at least one UTF-8 byte, so a long string is too long without encoding it.
  if (password.length > MAX_PASSWORD_BYTES) return true;
  return new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES;
}

function tooMany(retryAfterSeconds: number): HttpError {
  return new HttpError(429, `Too many attempts: try again in ${retryAfterSeconds} s`, {
    code: "rate_limited",
    headers: { "retry-after": String(retryAfterSeconds) },
  });
}

const busy = () =>
  new HttpError(503, "Too many passwords are being checked: try again shortly", {
    code: "busy",
    headers: { "retry-after": "1" },
  });

function take(limiter: RateLimiter, key: string): void {
  const result = limiter.take(key);
  if (!result.ok) throw tooMany(result.retryAfterSeconds);
}

/** Runs a password-pool call, turning a full queue into a 503. */
async function pooled<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof PoolBusyError ? busy() : error;
  }
}

/** Checks signup fields; throws a 400 naming the first problem. */
export function validateSignup(input: SignupInput): SignupInput {
  const email = normaliseEmail(input.email);
  const displayName = input.displayName.trim();
  const bad = (message: string) => new HttpError(400, message, { code: "invalid" });
  if (!email || email.length > 254 || !EMAIL.test(email)) throw bad("Enter a valid email address");
  if (!displayName) throw bad("Display name is required");
  if (displayName.length > 64 || hasControlCharacters(displayName)) {
    throw bad("Display name must be at most 64 printable characters");
  }
  if (input.password.length < 8) throw bad("Password must be at least 8 characters");
  // bcrypt reads only 72 bytes; a longer password would silently match its own prefix.
  if (passwordTooLong(input.password)) {
    throw bad(`Password must be at most ${MAX_PASSWORD_BYTES} bytes`);
  }
  if (input.confirmPassword !== undefined && input.confirmPassword !== input.password) {
    throw bad("Passwords do not match");
  }
  return { ...input, email, displayName };
}

const signupClosed = () =>
  new HttpError(403, "Sign-up is closed on this server", { code: "signup_closed" });
const inviteRequired = () =>
  new HttpError(403, "Sign-up is by invitation: open an invite link from a server owner", {
    code: "invite_required",
  });
const inviteInvalid = () =>
  new HttpError(403, "This invite cannot be used: it is unknown, expired or used up", {
    code: "invite_invalid",
  });

/** Sign-up: who may, limited per address and per email, inside the new account's transaction. */
function createSignup(
  deps: AuthActionsDeps,
  signupMode: SignupMode,
): Pick<AuthActions, "signup" | "close"> {
  const { accounts, workspaces } = deps;
  const signupByIp = createRateLimiter({ capacity: 20, refillPerSecond: 1 / 60 });
  const signupByEmail = createRateLimiter({ capacity: 5, refillPerSecond: 1 / 60 });

  /** Who may sign up, checked before any hashing; the invite is checked again when it is used. */
  const admission = async (invite: string | undefined): Promise<"first" | "invite" | "open"> => {
    if (signupMode === "closed") throw signupClosed();
    if (signupMode === "open") return "open";
    if (await accounts.count() === 0) return "first";
    if (!invite) throw inviteRequired();
    if (!await workspaces.inviteUsable(invite)) throw inviteInvalid();
    return "invite";
  };

  // Used up or expired since `admission` looked (parallel sign-ups): the signup is undone.
  const redeem = async (account: Account, code: string) => {
    try {
      await workspaces.redeemInvite(account, code);
    } catch (error) {
      throw error instanceof HttpError ? inviteInvalid() : error;
    }
  };
  const firstAdmin = !deps.adminEmails?.length;

  return {
    async signup(input, ip) {
      take(signupByIp, ip);
      const valid = validateSignup(input);
      const invite = valid.invite?.trim() || undefined;
      const via = await admission(invite);
      take(signupByEmail, valid.email);
      const account = await pooled(() =>
        accounts.create(valid, async (created) => {
          // Alone once inserted (in this transaction): the first account of a fresh install.
          const alone = via === "first" || firstAdmin ? await accounts.aloneOnceInserted() : false;
          // Two "first" signups racing: only the one that is alone once inserted gets in.
          if (via === "first" && !alone) throw inviteRequired();
          if (via === "invite") await redeem(created, invite!);
          await workspaces.joinDefaultServer?.(created.id);
          if (firstAdmin && alone) {
            await accounts.markFirstAdmin(created.id);
            created.firstAdmin = true;
          }
        })
      );
      if (account?.firstAdmin) deps.onFirstAdmin?.(account);
      if (!account) {
        throw new HttpError(409, "An account with this email already exists", {
          code: "email_taken",
        });
      }
      return account;
    },
    close() {
      signupByIp.close();
      signupByEmail.close();
    },
  };
}

/** Log-in, counting failures per address and per account and address. */
function createLogin(accounts: AccountsStore): Pick<AuthActions, "login" | "close"> {
  // Failures per client address: a household or office shares one, so the burst is generous.
  const loginByIp = createRateLimiter({ capacity: 30, refillPerSecond: 0.5 });
  // Failures per account *and* address: tight, but only for that address, so a stranger's guesses
  // never lock the owner out from theirs.
  const loginByAccountIp = createRateLimiter({ capacity: 10, refillPerSecond: 1 / 30 });

  return {
    async login(email, password, ip) {
      const normalised = normaliseEmail(email);
      const pair = `${normalised}\n${ip}`;
      // Each attempt holds a token until it proves good, so parallel guesses count too.
      take(loginByIp, ip);
      if (normalised) take(loginByAccountIp, pair);
      // Longer than bcrypt reads: it cannot be anyone's password, so it is wrong without a hash.
      const account = normalised && password && !passwordTooLong(password)
        ? await pooled(() => accounts.verify(normalised, password)).catch((error) => {
          loginByIp.refund(ip);
          loginByAccountIp.refund(pair);
          throw error;
        })
        : null;
      if (!account) throw new HttpError(401, BAD_LOGIN, { code: "invalid_credentials" });
      loginByIp.refund(ip);
      loginByAccountIp.refund(pair);
      return account;
    },
    close() {
      loginByIp.close();
      loginByAccountIp.close();
    },
  };
}

export function createAuthActions(deps: AuthActionsDeps): AuthActions {
  const signupMode = deps.signupMode ?? "open";
  const { signup, close: closeSignup } = createSignup(deps, signupMode);
  const { login, close: closeLogin } = createLogin(deps.accounts);
  return {
    signupMode,
    signup,
    login,
    close() {
      closeLogin();
      closeSignup();
    },
  };
}
