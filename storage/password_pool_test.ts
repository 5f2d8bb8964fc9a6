// The password pool with real worker threads: results, the bounded queue, a free event loop.
import { assert, assertEquals, assertMatch, assertRejects } from "../tests/_assert.ts";
import { createPasswordPool, PoolBusyError, standInHash } from "./password_pool.ts";

Deno.test("createPasswordPool() hashes and compares in workers", async () => {
  const pool = createPasswordPool({ size: 2 });
  try {
    const hash = await pool.hash("correct horse", 4);
    assert(/^\$2b\$04\$[./A-Za-z0-9]{53}$/.test(hash), hash);
    assertEquals(await pool.compare("correct horse", hash), true);
    assertEquals(await pool.compare("wrong horse", hash), false);
    assertEquals(pool.pending, 0);
  } finally {
    pool.close();
  }
});

Deno.test("createPasswordPool() refuses work past its queue instead of queueing without bound", async () => {
  const pool = createPasswordPool({ size: 1, maxQueue: 3 });
  try {
    const hash = await pool.hash("x", 8);
    // One job runs, three wait: the fifth and later are refused at once.
    const jobs = Array.from({ length: 8 }, () => pool.compare("y", hash));
    const results = await Promise.allSettled(jobs);
    const refused = results.filter((r) => r.status === "rejected");
    assertEquals(refused.length, 4);
    for (const r of refused) assert((r as PromiseRejectedResult).reason instanceof PoolBusyError);
    assertEquals(results.slice(0, 4).map((r) => r.status), Array(4).fill("fulfilled"));
    assertEquals(await pool.compare("x", hash), true, "usable again once drained");
  } finally {
    pool.close();
  }
});

Deno.test("createPasswordPool() keeps the event loop free while bcrypt runs", async () => {
  const pool = createPasswordPool({ size: 1 });
  try {
    // Cost 12 takes about 250 ms a compare: on the event loop, no timer could fire during one, so
    // four in a row would let through at most a handful of ticks (between compares).
    const hash = await pool.hash("x", 12);
    const work = Promise.all(Array.from({ length: 4 }, () => pool.compare("y", hash)));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    await work;
    clearInterval(timer);
    const ms = performance.now() - started;
    // Counted, not timed: a loaded machine delays ticks but cannot stop them the way bcrypt does.
    assert(ticks >= 20, `timers kept running (${ticks} ticks in ${ms.toFixed(0)} ms)`);
  } finally {
    pool.close();
  }
});

Deno.test("createPasswordPool() fails waiting jobs on close", async () => {
  const pool = createPasswordPool({ size: 1 });
  const hash = standInHash(10);
  const jobs = [pool.compare("a", hash), pool.compare("b", hash)];
  pool.close();
  for (const job of jobs) assertMatch((await assertRejects(() => job)).message, /closed/);
});

Deno.test("standInHash() is a well-formed hash of the given cost that matches nothing", async () => {
  const pool = createPasswordPool({ size: 1 });
  try {
    const hash = standInHash(5);
    assert(/^\$2b\$05\$[./A-Za-z0-9]{53}$/.test(hash));
    assert(standInHash(5) !== hash, "random each time");
    assertEquals(await pool.compare("", hash), false);
  } finally {
    pool.close();
  }
});
