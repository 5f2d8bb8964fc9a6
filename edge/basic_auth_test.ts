// Basic-auth routes against the real server: bcrypt off the event loop, failures limited per
// client, and timing that does not tell which htpasswd users exist.
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../tests/_assert.ts";
import { tinyPng } from "../tests/_images.ts";
import { basic, startServer, type TestServer } from "../tests/_server.ts";
import { htpasswdLine } from "../storage/htpasswd.ts";

const SECRET = "basic-auth-test-secret-of-at-least-32-bytes";

function upload(server: TestServer, room: string, auth: string, address?: string) {
  const form = new FormData();
  form.append("image", new Blob([tinyPng() as BlobPart]), "x.png");
  return fetch(`${server.url}${room}/upload`, {
    method: "POST",
    body: form,
    headers: { authorization: auth, ...(address ? { "x-forwarded-for": address } : {}) },
  });
}

/** Latencies of back-to-back `GET /healthz` while `work` runs (and at least `min` of them). */
async function probeHealth(server: TestServer, work: Promise<unknown>, min = 40) {
  let done = false;
  work.finally(() => done = true);
  const times: number[] = [];
  while (!done || times.length < min) {
    const start = performance.now();
    const response = await fetch(`${server.url}healthz`);
    await response.body?.cancel();
    times.push(performance.now() - start);
    // A probe every few ms, as a monitor would poll; back-to-back would only measure fetch.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await work;
  return times.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.5);

Deno.test("basic auth: 40 parallel bad logins keep /healthz p99 within 50 ms of its quiet p99", async () => {
  const server = await startServer({ env: { TRUST_PROXY: "true" } });
  try {
    // What this machine gives with nothing else going on, loaded by other tests or not.
    const quiet = percentile(await probeHealth(server, Promise.resolve(), 60), 0.99);
    // `htpasswd -B -C 10`: each wrong guess costs a real bcrypt (about 60 ms here).
    await Deno.writeTextFile(
      join(server.dataDir, ".htpasswd"),
      htpasswdLine("admin", "adminpw", 10) + "\n",
    );
    // From 40 addresses, so no rate limit stops them: every one reaches bcrypt.
    const attack = Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const r = await upload(server, "busy", basic("admin", `guess-${i}`), `198.51.100.${i + 1}`);
        await r.body?.cancel();
        return r.status;
      }),
    );
    const health = await probeHealth(server, attack);
    const statuses = await attack;
    assertEquals(statuses.filter((s) => s === 401).length, 40, `all checked: ${statuses}`);
    const p99 = percentile(health, 0.99);
    console.log(
      `/healthz under 40 parallel bad logins: n=${health.length}, p50=${
        percentile(health, 0.5).toFixed(1)
      } ms, p99=${p99.toFixed(1)} ms, max=${health.at(-1)!.toFixed(1)} ms`,
    );
    // bcrypt on the event loop would add its whole cost (about 60 ms) to probes behind it.
    assert(p99 < quiet + 50, `/healthz p99 ${p99.toFixed(1)} ms against ${quiet.toFixed(1)} quiet`);
  } finally {
    await server.close();
  }
});

Deno.test("basic auth: one client's failures past the limit get 429 with Retry-After, in each seed's shape", async () => {
  const server = await startServer({ env: { MEDIA_SERVER_SECRET: SECRET } });
  try {
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const r = await upload(server, "demo", basic("admin", `guess-${i}`));
        const body = await r.json();
        return { status: r.status, retryAfter: r.headers.get("retry-after"), body };
      }),
    );
    const limited = statuses.filter((s) => s.status === 429);
    assertEquals(statuses.filter((s) => s.status === 401).length, 10, "the burst is checked");
    assertEquals(limited.length, 30, "parallel guesses past the burst are refused unchecked");
    assert(limited.every((s) => Number(s.retryAfter) > 0), "Retry-After names seconds");
    assertMatch(limited[0].body.error, /Too many failed logins/);

    // The media admin page shares the count, and answers in the Media Server's {"detail"} shape.
    const admin = await fetch(`${server.url}media/admin/token`, {
      method: "POST",
      headers: { authorization: basic("admin", "nope") },
    });
    assertEquals(admin.status, 429);
    assert(Number(admin.headers.get("retry-after")) > 0);
    assertMatch((await admin.json()).detail, /Too many failed logins/);
  } finally {
    await server.close();
  }
});

Deno.test("basic auth: good logins do not use up the limit", async () => {
  const server = await startServer();
  try {
    for (let i = 0; i < 15; i++) {
      const r = await upload(server, "steady", basic("admin", "adminpw"));
      assertEquals(r.status, 200, `upload ${i}`);
      await r.body?.cancel();
    }
  } finally {
    await server.close();
  }
});

Deno.test("basic auth: an unknown user and a wrong password take the same time, cost 5 and 10", async () => {
  const server = await startServer({ env: { TRUST_PROXY: "true" } });
  try {
    const htpasswd = join(server.dataDir, ".htpasswd");
    let address = 0;
    for (const cost of [5, 10]) {
      // As `htpasswd -nbB` (cost 5) or `-C 10` writes them; re-read on every request.
      const lines = ["admin", "alice", "bob"].map((u) => htpasswdLine(u, `${u}pw`, cost));
      await Deno.writeTextFile(htpasswd, lines.join("\n") + "\n");
      const time = async (user: string) => {
        // A fresh address each time, so the failure limit never answers instead of bcrypt.
        const ip = `203.0.113.${address++ % 250}`;
        const start = performance.now();
        const r = await upload(server, "timing", basic(user, "wrong-password"), ip);
        await r.body?.cancel();
        assertEquals(r.status, 401);
        return performance.now() - start;
      };
      await time("admin"); // warm the pool's workers
      // Up to three rounds of 20: a busy machine can skew one round of 3 ms medians, while a leak
      // (the old stand-in: 60 ms against 3 ms) fails every round.
      for (let round = 1;; round++) {
        const unknown: number[] = [];
        const wrong: number[] = [];
        for (let i = 0; i < 20; i++) {
          unknown.push(await time(`ghost${i}`));
          wrong.push(await time("alice"));
        }
        const [u, w] = [median(unknown), median(wrong)];
        console.log(
          `cost ${cost}: unknown user ${u.toFixed(1)} ms, wrong password ${w.toFixed(1)} ms`,
        );
        const close = Math.abs(u - w) <= 0.25 * Math.max(u, w);
        if (close) break;
        assert(round < 3, `cost ${cost}: ${u} vs ${w} ms`);
      }
    }
  } finally {
    await server.close();
  }
});

Deno.test("basic auth: past the password queue, logins get 503 with Retry-After instead of waiting", async () => {
  const server = await startServer({
    env: { TRUST_PROXY: "true", PASSWORD_WORKERS: "1", PASSWORD_QUEUE: "2" },
  });
  try {
    await Deno.writeTextFile(
      join(server.dataDir, ".htpasswd"),
      htpasswdLine("admin", "adminpw", 10) + "\n",
    );
    const answers = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const r = await upload(server, "queue", basic("admin", `guess-${i}`), `192.0.2.${i + 1}`);
        return { status: r.status, retryAfter: r.headers.get("retry-after"), body: await r.json() };
      }),
    );
    const busy = answers.filter((a) => a.status === 503);
    assert(busy.length >= 6, `most are refused at once: ${answers.map((a) => a.status)}`);
    assert(answers.filter((a) => a.status === 401).length >= 3, "one running, two waiting");
    assertEquals(busy[0].retryAfter, "1");
    assertMatch(busy[0].body.error, /try again shortly/);
    // Refused checks are not failures: the same address may try again at once.
    const retry = await upload(server, "queue", basic("admin", "adminpw"), "192.0.2.1");
    assertEquals(retry.status, 200);
    await retry.body?.cancel();
  } finally {
    await server.close();
  }
});
