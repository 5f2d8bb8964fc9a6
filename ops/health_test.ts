// /healthz and /readyz: bounded dependency checks, 503 naming what failed, and draining on SIGTERM.
import { assert, assertEquals } from "../tests/_assert.ts";
import { startApp } from "../tests/_app.ts";
import { startServer } from "../tests/_server.ts";
import { createHealth } from "./health.ts";

/** A check that hangs until released, counting how often it was started. */
function hangingCheck(name: string) {
  let release = () => {};
  const gate = new Promise<void>((resolve) => release = resolve);
  const check = { name, started: 0, check: () => (check.started++, gate) };
  return { check, release };
}

Deno.test("createHealth() keeps one check per dependency in flight, however many callers, each bounded", async () => {
  const { check, release } = hangingCheck("redis");
  const health = createHealth([check, { name: "database", check: () => Promise.resolve() }], {
    timeoutMs: 50,
  });
  const start = performance.now();
  const runs = await Promise.all(Array.from({ length: 200 }, () => health.run()));
  const tookMs = performance.now() - start;
  assertEquals(check.started, 1, "200 callers share one pending ping");
  assert(tookMs < 1000, `200 bounded runs took ${tookMs} ms`);
  for (const run of runs) {
    assertEquals(run.ok, false);
    assertEquals(run.results, [
      { name: "redis", ok: false, error: "No answer within 50 ms" },
      { name: "database", ok: true },
    ]);
  }
  // Still hung after its timeout: later callers join it rather than start a second one.
  await health.run();
  assertEquals(check.started, 1);
  release();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals((await health.run()).ok, true);
  assertEquals(check.started, 2, "once it answered, the next run pings again");
});

Deno.test("createHealth() reports a check that throws at once as failed", async () => {
  const health = createHealth([{
    name: "storage",
    check: () => {
      throw new Error("connect ECONNREFUSED");
    },
  }]);
  assertEquals((await health.run()).results, [
    { name: "storage", ok: false, error: "connect ECONNREFUSED" },
  ]);
});

Deno.test("/healthz and /readyz answer 503 naming a dependency that does not answer in time", async () => {
  const { check, release } = hangingCheck("redis");
  const app = await startApp({ env: { READY_TIMEOUT_MS: "100" }, checks: [check] });
  try {
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => app.fetch(`${app.url}readyz`)),
    );
    assertEquals(check.started, 1, "100 parallel /readyz ping Redis once");
    for (const answer of answers) {
      assertEquals([answer.status, await answer.json()], [503, {
        status: "unready",
        checks: { database: "ok", redis: "No answer within 100 ms" },
        failed: [{ name: "redis", error: "No answer within 100 ms" }],
      }]);
    }
    const health = await app.fetch(`${app.url}healthz`);
    assertEquals([health.status, await health.json()], [503, {
      status: "error",
      service: "Roomcast",
      failed: [{ name: "redis", error: "No answer within 100 ms" }],
    }]);
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const ready = await app.fetch(`${app.url}readyz`);
    assertEquals([ready.status, await ready.json()], [200, {
      status: "ready",
      checks: { database: "ok", redis: "ok" },
    }]);
    const healthy = await app.fetch(`${app.url}healthz`);
    assertEquals([healthy.status, await healthy.json()], [200, {
      status: "ok",
      service: "Roomcast",
    }]);
  } finally {
    release();
    await app.close();
  }
});

Deno.test("/readyz answers 503 while the server drains after SIGTERM; /healthz and the rest still answer", async () => {
  const server = await startServer({ env: { SHUTDOWN_DRAIN_SECONDS: "3" } });
  try {
    const ready = await fetch(`${server.url}readyz`);
    assertEquals([ready.status, await ready.json()], [200, {
      status: "ready",
      checks: { database: "ok" },
    }]);
    Deno.kill(server.pid, "SIGTERM");
    await server.waitForLog(/^Draining$/);
    const draining = await fetch(`${server.url}readyz`);
    assertEquals([draining.status, await draining.json()], [503, { status: "shutting down" }]);
    assertEquals(draining.headers.get("cache-control"), "no-store");
    const health = await fetch(`${server.url}healthz`);
    assertEquals([health.status, await health.json()], [200, {
      status: "ok",
      service: "Roomcast",
    }]);
    const rooms = await fetch(`${server.url}api/rooms`);
    assertEquals(rooms.status, 200, "requests still served while balancers turn away");
    await rooms.body?.cancel();
    await server.waitForLog(/^Stopped$/, 10_000);
  } finally {
    await server.close();
  }
});
