// The posting rate limit: one token bucket per account (edge/rate_limit.ts) in front of the
// service's postMessage, which REST and /ws both call, so the two share one budget.
import { createRateLimiter } from "../../edge/rate_limit.ts";
import { WorkspaceError } from "./errors.ts";
import type { WorkspaceService } from "./service.ts";

export interface PostingLimit {
  /** Messages an account may post at once. */
  burst: number;
  /** Messages per minute after the burst. */
  perMinute: number;
  /** @default Date.now */
  now?: () => number;
}

/** `service` with postMessage limited per account; `close` forgets the buckets. */
export function limitPosting(
  service: WorkspaceService,
  limit: PostingLimit,
): { service: WorkspaceService; close(): void } {
  // One bucket per account that posted lately; full ones are swept first (edge/rate_limit.ts).
  const limiter = createRateLimiter({
    capacity: limit.burst,
    refillPerSecond: limit.perMinute / 60,
    now: limit.now,
  });
  const post = service.postMessage;
  const limited: WorkspaceService["postMessage"] = (user, ...rest) => {
    const taken = limiter.take(String(user.id));
    if (!taken.ok) {
      const seconds = taken.retryAfterSeconds;
      return Promise.reject(
        new WorkspaceError("rate_limited", `Too many messages: try again in ${seconds} s`, seconds),
      );
    }
    return post(user, ...rest);
  };
  return { service: { ...service, postMessage: limited }, close: () => limiter.close() };
}
