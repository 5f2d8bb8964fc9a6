// Unit tests of the token buckets, on a fake clock.
import { assertEquals } from "../tests/_assert.ts";
import { createRateLimiter } from "./rate_limit.ts";

Deno.test("createRateLimiter() allows the burst, then refuses with Retry-After, then refills", () => {
  let now = 0;
  const limiter = createRateLimiter({ capacity: 3, refillPerSecond: 0.5, now: () => now });
  for (let i = 0; i < 3; i++) assertEquals(limiter.take("a"), { ok: true });
  assertEquals(limiter.take("a"), { ok: false, retryAfterSeconds: 2 });
  assertEquals(limiter.take("b"), { ok: true }, "keys are independent");
  now += 2000;
  assertEquals(limiter.take("a"), { ok: true });
  assertEquals(limiter.take("a").ok, false);
  limiter.close();
});

Deno.test("createRateLimiter() sweeps full buckets once it holds maxKeys", () => {
  let now = 0;
  const limiter = createRateLimiter({
    capacity: 1,
    refillPerSecond: 1,
    maxKeys: 2,
    now: () => now,
  });
  limiter.take("a");
  limiter.take("b");
  now += 5000;
  limiter.take("c");
  assertEquals(limiter.take("c").ok, false, "c's bucket survived the sweep");
  assertEquals(limiter.take("a"), { ok: true }, "a was swept as full and starts fresh");
  limiter.close();
});

Deno.test("createRateLimiter() holds at most maxKeys buckets even when none is full", () => {
  let now = 0;
  const limiter = createRateLimiter({
    capacity: 2,
    refillPerSecond: 0,
    maxKeys: 3,
    now: () => now,
  });
  for (const key of ["a", "b", "c", "d"]) limiter.take(key);
  now += 1000;
  assertEquals(limiter.take("b"), { ok: true }, "b kept its bucket (one token left)");
  assertEquals(limiter.take("b").ok, false);
  assertEquals(limiter.take("a"), { ok: true }, "a, the oldest, was forgotten");
  limiter.close();
});

Deno.test("createRateLimiter() refund() gives back one token, never past the capacity", () => {
  const limiter = createRateLimiter({ capacity: 2, refillPerSecond: 0 });
  limiter.take("a");
  limiter.take("a");
  assertEquals(limiter.take("a").ok, false);
  limiter.refund("a");
  assertEquals(limiter.take("a"), { ok: true });
  limiter.refund("a");
  limiter.refund("a");
  limiter.refund("a");
  limiter.take("a");
  limiter.take("a");
  assertEquals(limiter.take("a").ok, false, "refunds stop at the capacity");
  limiter.refund("unknown");
  limiter.close();
});
