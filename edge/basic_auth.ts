// HTTP Basic credentials: parsing the header, and checking them against htpasswd entries with a
// per-client limit on failures and bcrypt in the password pool.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { HttpError, HttpErrorOptions } from "../errors.ts";
import { type HtpasswdEntry, verifyHtpasswd, type VerifyResult } from "../storage/htpasswd.ts";
import { type PasswordPool, PoolBusyError } from "../storage/password_pool.ts";
import { clientIp, type ClientOptions } from "./client.ts";
import { createRateLimiter } from "./rate_limit.ts";

export interface Credentials {
  user: string;
  password: string;
}

/** The user and password of a `Basic` header, or null when absent or malformed. */
export function parseBasicAuth(header: string | null | undefined): Credentials | null {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!match) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(match[1]), (ch) => ch.charCodeAt(0)),
    );
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Makes a route's errors in its seed's shape (`new HttpError(...)` or `mediaError`). */
export type ErrorFactory = (
  status: ContentfulStatusCode,
  message: string,
  options?: HttpErrorOptions,
) => HttpError;

export interface BasicAuthGuard {
  /**
   * Checks `credentials` against `entries`. Throws 429 (with `Retry-After`) once the client has
   * used up its failures, and 503 when too many checks are already queued; both in `fail`'s shape.
   */
  verify(
    c: Context,
    entries: HtpasswdEntry[],
    credentials: Credentials,
    fail: ErrorFactory,
  ): Promise<VerifyResult>;
  close(): void;
}

export interface BasicAuthGuardOptions {
  passwords: Pick<PasswordPool, "compare">;
  /** How to read the client's address, which failures are counted under (edge/client.ts). */
  client: Pick<ClientOptions, "trustProxy">;
  /** Failures a client may make, and how fast they come back. @default {capacity: 10, refillPerSecond: 1/6} */
  failures?: { capacity: number; refillPerSecond: number };
}

/** One guard for every Basic-auth route, so a client's failures count once across all of them. */
export function createBasicAuthGuard(options: BasicAuthGuardOptions): BasicAuthGuard {
  const failures = createRateLimiter(options.failures ?? { capacity: 10, refillPerSecond: 1 / 6 });
  const compare = options.passwords.compare;

  return {
    async verify(c, entries, credentials, fail) {
      const client = clientIp(c, options.client);
      // Every attempt holds a token until it is known to be good: parallel guesses cannot all
      // slip in before the first failure is counted.
      const taken = failures.take(client);
      if (!taken.ok) {
        throw fail(429, `Too many failed logins: try again in ${taken.retryAfterSeconds} s`, {
          headers: { "retry-after": String(taken.retryAfterSeconds) },
        });
      }
      let result: VerifyResult;
      try {
        result = await verifyHtpasswd(entries, credentials, { compare });
      } catch (error) {
        failures.refund(client);
        if (!(error instanceof PoolBusyError)) throw error;
        throw fail(503, "Too many logins are being checked: try again shortly", {
          headers: { "retry-after": "1" },
        });
      }
      if (result.ok) failures.refund(client);
      return result;
    },
    close: () => failures.close(),
  };
}
