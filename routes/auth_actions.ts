// Sign up and log in, shared by the HTML forms and the JSON API: validation and rate limits.
import { HttpError } from "../errors.ts";
import type { Account, AccountsStore } from "../storage/accounts_store.ts";
import { normaliseEmail } from "../storage/accounts_store.ts";
import type { Server } from "../storage/workspaces_store.ts";
import { hasControlCharacters } from "../edge/fields.ts";
import { createRateLimiter, type RateLimiter } from "../edge/rate_limit.ts";

export interface SignupInput {
  email: string;
  displayName: string;
  password: string;
  /** Checked when given; the forms always send it. */
  confirmPassword?: string;
}

export interface AuthActions {
  signup(input: SignupInput, ip: string): Promise<Account>;
  login(email: string, password: string, ip: string): Promise<Account>;
  close(): void;
}

export interface AuthActionsDeps {
  accounts: AccountsStore;
  /** Puts a new account in the default server. */
  joinDefaultServer(userId: number): Server;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const BAD_LOGIN = "Invalid email or password";

function tooMany(retryAfterSeconds: number): HttpError {
  return new HttpError(429, `Too many attempts: try again in ${retryAfterSeconds} s`, {
    code: "rate_limited",
    headers: { "retry-after": String(retryAfterSeconds) },
  });
}

function take(limiter: RateLimiter, key: string): void {
  const result = limiter.take(key);
  if (!result.ok) throw tooMany(result.retryAfterSeconds);
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
  if (new TextEncoder().encode(input.password).length > 72) {
    throw bad("Password must be at most 72 bytes");
  }
  if (input.confirmPassword !== undefined && input.confirmPassword !== input.password) {
    throw bad("Passwords do not match");
  }
  return { ...input, email, displayName };
}

export function createAuthActions(deps: AuthActionsDeps): AuthActions {
  // Per IP: a household or office shares one, so the burst is generous; per account: tight.
  const loginByIp = createRateLimiter({ capacity: 30, refillPerSecond: 0.5 });
  const loginByAccount = createRateLimiter({ capacity: 10, refillPerSecond: 1 / 30 });
  const signupByIp = createRateLimiter({ capacity: 20, refillPerSecond: 1 / 60 });
  const signupByEmail = createRateLimiter({ capacity: 5, refillPerSecond: 1 / 60 });

  return {
    async signup(input, ip) {
      take(signupByIp, ip);
      const valid = validateSignup(input);
      take(signupByEmail, valid.email);
      const account = await deps.accounts.create(valid);
      if (!account) {
        throw new HttpError(409, "An account with this email already exists", {
          code: "email_taken",
        });
      }
      deps.joinDefaultServer(account.id);
      return account;
    },
    async login(email, password, ip) {
      take(loginByIp, ip);
      const normalised = normaliseEmail(email);
      if (normalised) take(loginByAccount, normalised);
      const account = normalised && password
        ? await deps.accounts.verify(normalised, password)
        : null;
      if (!account) throw new HttpError(401, BAD_LOGIN, { code: "invalid_credentials" });
      return account;
    },
    close() {
      for (const limiter of [loginByIp, loginByAccount, signupByIp, signupByEmail]) {
        limiter.close();
      }
    },
  };
}
