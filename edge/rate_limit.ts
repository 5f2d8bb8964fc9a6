// In-memory token buckets keyed by a string (an IP, an account, a socket): the one rate limiter.

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes one token from `key`'s bucket, or says how long until one is back. */
  take(key: string): TakeResult;
  /** Gives back a token taken for an attempt that turned out not to count (e.g. a good login). */
  refund(key: string): void;
  /** Forgets every bucket. */
  close(): void;
}

export interface RateLimiterOptions {
  /** Tokens a fresh bucket holds: the burst. */
  capacity: number;
  /** Tokens added back per second. */
  refillPerSecond: number;
  /** Buckets kept: full ones are swept first, then the oldest. @default 10000 */
  maxKeys?: number;
  /** @default Date.now */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { capacity, refillPerSecond } = options;
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, at: number) => {
    bucket.tokens = Math.min(capacity, bucket.tokens + ((at - bucket.at) / 1000) * refillPerSecond);
    bucket.at = at;
  };
  // A full bucket is the same as no bucket, so sweeping them loses nothing.
  const sweep = (at: number) => {
    for (const [key, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.tokens >= capacity) buckets.delete(key);
    }
  };

  return {
    take(key) {
      const at = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxKeys) sweep(at);
        // Still full of live buckets (many addresses at once): forget the oldest, so the map
        // stays bounded; that key merely starts again with a full bucket.
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
        bucket = { tokens: capacity, at };
        buckets.set(key, bucket);
      }
      refill(bucket, at);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / refillPerSecond) };
    },
    refund(key) {
      const bucket = buckets.get(key);
      if (!bucket) return;
      refill(bucket, now());
      bucket.tokens = Math.min(capacity, bucket.tokens + 1);
    },
    close: () => buckets.clear(),
  };
}
