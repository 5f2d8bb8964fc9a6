// Account login limits against the real server: no lockout by strangers, bcrypt off the event
// loop, and passwords longer than bcrypt reads never hashed.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { api, signupUser } from "../../tests/_workspaces.ts";

// A single-entry X-Forwarded-For: the same address whether the proxy's first or last hop counts.
const from = (address: string) => ({ "x-forwarded-for": address });

const login = (server: TestServer, email: string, password: string, address: string) =>
  api(server, null, "POST", "api/auth/login", { email, password }, from(address));

Deno.test("auth: a stranger's 20 wrong passwords do not lock the owner out of another address", async () => {
  const server = await startServer({ env: { TRUST_PROXY: "true" } });
  try {
    await signupUser(server, "owner", "the-owners-password");
    const stranger: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await login(server, "owner@example.test", `guess-${i}`, "203.0.113.66");
      stranger.push(r.status);
    }
    assertEquals(stranger.slice(0, 10), Array(10).fill(401));
    assertEquals(stranger.slice(10), Array(10).fill(429), "the stranger is stopped");
    const owner = await login(server, "owner@example.test", "the-owners-password", "198.51.100.7");
    assertEquals(owner.status, 200, "the owner still gets in from their own address");
    // The stranger's address is still refused even with the right password: the guesses cost it.
    const again = await login(server, "owner@example.test", "the-owners-password", "203.0.113.66");
    assertEquals([again.status, again.body.code], [429, "rate_limited"]);
    assert(Number(again.headers.get("retry-after")) > 0);
  } finally {
    await server.close();
  }
});

Deno.test("auth: one address is limited across accounts too, and good logins do not count", async () => {
  const server = await startServer({ env: { TRUST_PROXY: "true" } });
  try {
    await signupUser(server, "real", "real-password");
    for (let i = 0; i < 40; i++) {
      const ok = await login(server, "real@example.test", "real-password", "192.0.2.1");
      assertEquals(ok.status, 200, `good login ${i}`);
    }
    // At once, so the bucket (one token back every 2 s) cannot refill in between.
    const statuses = await Promise.all(Array.from({ length: 34 }, async (_, i) => {
      const r = await login(server, `nobody${i}@example.test`, "whatever1", "192.0.2.9");
      return r.status;
    }));
    assertEquals(statuses.filter((s) => s === 401).length, 30, "30 failures per address");
    assertEquals(statuses.filter((s) => s === 429).length, 4);
  } finally {
    await server.close();
  }
});

Deno.test("auth: 40 parallel bad logins keep the event loop's p99 within 50 ms of its quiet p99", async () => {
  const server = await startServer({ env: { TRUST_PROXY: "true" } });
  // The Media Server's health answer for scripts: no I/O at all (the /healthz of today pings the
  // database, Redis and the bucket), so it times the event loop alone.
  const probe = async () => {
    const start = performance.now();
    await (await fetch(server.url)).body?.cancel();
    return performance.now() - start;
  };
  const p99 = (times: number[]) => times.sort((a, b) => a - b)[Math.floor(times.length * 0.99)];
  try {
    await signupUser(server, "busy", "busy-password");
    // The same probes with nothing else going on: what this machine, loaded or not, gives anyway.
    const quiet: number[] = [];
    for (let i = 0; i < 60; i++) {
      quiet.push(await probe());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    let done = false;
    const attack = Promise.all(Array.from({ length: 40 }, async (_, i) => {
      // A real account and unknown ones: each costs one bcrypt.
      const email = i < 5 ? "busy@example.test" : `ghost${i}@example.test`;
      const r = await login(server, email, `guess-${i}`, `198.51.100.${i + 1}`);
      return r.status;
    })).finally(() => done = true);
    const times: number[] = [];
    while (!done || times.length < 40) {
      times.push(await probe());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assertEquals(await attack, Array(40).fill(401));
    const [calm, busy] = [p99(quiet), p99(times)];
    console.log(
      `GET / under 40 parallel bad logins: n=${times.length}, p99 ${busy.toFixed(1)} ms ` +
        `(quiet p99 ${calm.toFixed(1)} ms)`,
    );
    // bcrypt on the event loop would add its whole cost (about 70 ms at cost 10) to probes.
    assert(busy < calm + 50, `p99 ${busy.toFixed(1)} ms against ${calm.toFixed(1)} ms quiet`);
  } finally {
    await server.close();
  }
});

Deno.test("auth: passwords past 72 bytes are refused at signup and simply wrong at login", async () => {
  const server = await startServer();
  try {
    const exactly72 = "p".repeat(72);
    await signupUser(server, "long", exactly72);
    const signup = await api(server, null, "POST", "api/auth/signup", {
      email: "longer@example.test",
      display_name: "Longer",
      password: "p".repeat(73),
    });
    assertEquals([signup.status, signup.body.code], [400, "invalid"]);
    // bcrypt would read only the first 72 bytes and let this in.
    const longer = await api(server, null, "POST", "api/auth/login", {
      email: "long@example.test",
      password: exactly72 + "x",
    });
    assertEquals([longer.status, longer.body.code], [401, "invalid_credentials"]);
    const huge = await api(server, null, "POST", "api/auth/login", {
      email: "long@example.test",
      password: "é".repeat(5_000), // 10 KB: under the body limit, far past bcrypt's 72 bytes
    });
    assertEquals(huge.status, 401);
    const right = await api(server, null, "POST", "api/auth/login", {
      email: "long@example.test",
      password: exactly72,
    });
    assertEquals(right.status, 200);
  } finally {
    await server.close();
  }
});
