// Unit tests for the live player's catch-up rate.
import { assertEquals } from "../../../tests/_assert.ts";
import { CATCH_UP_RATE, catchUpRate } from "./live_catch_up.ts";

const base = { target: 0.6, minAhead: 0.3, maxLatency: 1.8, rate: 1 };

Deno.test("catchUpRate() speeds up a player behind its target with under a second buffered", () => {
  // 0.9 s behind a 0.6 s target with 0.7 s buffered: hls.js itself would stay at 1.
  assertEquals(catchUpRate({ ...base, latency: 0.9, ahead: 0.7 }), CATCH_UP_RATE);
});

Deno.test("catchUpRate() keeps the rate near the target, with hysteresis", () => {
  assertEquals(catchUpRate({ ...base, latency: 0.65, ahead: 0.5 }), 1);
  assertEquals(catchUpRate({ ...base, latency: 0.65, ahead: 0.5, rate: CATCH_UP_RATE }), 1.1);
  assertEquals(catchUpRate({ ...base, latency: 0.61, ahead: 0.5, rate: CATCH_UP_RATE }), 1);
  assertEquals(catchUpRate({ ...base, latency: 0.4, ahead: 0.3 }), 1);
});

Deno.test("catchUpRate() never plays faster into a thin buffer, far behind or without figures", () => {
  assertEquals(catchUpRate({ ...base, latency: 0.9, ahead: 0.3 }), 1);
  assertEquals(catchUpRate({ ...base, latency: 2.5, ahead: 2 }), 1);
  assertEquals(catchUpRate({ ...base, latency: NaN, ahead: 1 }), 1);
});
