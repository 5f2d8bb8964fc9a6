// Two real servers on one Redis and one PostgreSQL (each its own DATA_DIR): stream viewers, code
// watchers and voice channels are the same on both, and a killed instance's voice peers leave.
import { assertEquals } from "./_assert.ts";
import { call, createSession, sseReader } from "./_code_client.ts";
import { startPostgres, type TestPostgres } from "./_postgres.ts";
import { startRedis, type TestRedis } from "./_redis.ts";
import { startServer, type TestServer } from "./_server.ts";
import { ADMIN_TOKEN, api as roomsApi, followSse } from "./_streams.ts";
import { waitFor } from "./_wait.ts";

/** A dead instance's presence goes within this: short, so the test waits little. */
export const PRESENCE_TTL_MS = 1500;

export interface Pair {
  a: TestServer;
  b: TestServer;
  close(): Promise<void>;
}

/** Redis, PostgreSQL and two instances on them; `close` stops all (an already killed one too). */
export async function startPair(): Promise<Pair> {
  const redis: TestRedis = await startRedis();
  const pg: TestPostgres = await startPostgres();
  const env = {
    REDIS_URL: redis.url,
    REDIS_PREFIX: "pair:",
    DATABASE_URL: await pg.createDatabase(),
    REDIS_PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
    SERVER_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: "info",
  };
  // One after the other: the first runs the migrations.
  const a = await startServer({ env });
  const b = await startServer({ env });
  return {
    a,
    b,
    async close() {
      await Promise.all([a.close(), b.close()]);
      await Promise.all([redis.stop(), pg.stop()]);
    },
  };
}

Deno.test("two instances on Redis: a stream room's viewers and a code session's watchers agree", async () => {
  const { a, b, close } = await startPair();
  const followers: { close(): Promise<void> }[] = [];
  try {
    assertEquals(
      (await roomsApi(a.url, "POST", "api/rooms", { body: { name: "Movie" } })).status,
      201,
    );
    const onA = await followSse(`${a.url}api/rooms/movie/events`);
    const onB = await followSse(`${b.url}api/rooms/movie/events`);
    followers.push(onA, onB);
    // Each sees both: its own viewer, and the other instance's.
    await onA.waitFor((e) => e.event === "viewers" && e.json.data.viewers === 2, 5000);
    await onB.waitFor((e) => e.event === "viewers" && e.json.data.viewers === 2, 5000);
    for (const server of [a, b]) {
      assertEquals((await roomsApi(server.url, "GET", "api/rooms/movie")).body.viewers, 2);
    }
    const seen = onA.events.length;
    await onB.close();
    await onA.waitFor(
      (e) => onA.events.indexOf(e) >= seen && e.event === "viewers" && e.json.data.viewers === 1,
      5000,
    );

    const { code } = await createSession(a);
    const presenter = sseReader(
      await fetch(`${a.url}api/v1/sessions/anon/${code}/events?presenter=1`),
    );
    const watchers = [
      sseReader(await fetch(`${a.url}api/v1/sessions/anon/${code}/events`)),
      sseReader(await fetch(`${b.url}api/v1/sessions/anon/${code}/events`)),
      sseReader(await fetch(`${b.url}api/v1/sessions/anon/${code}/events`)),
    ];
    followers.push(presenter, ...watchers);
    const watching = async (server: TestServer) =>
      (await call(server, "GET", `/${code}`)).body.watching;
    await waitFor(async () => await watching(a) === 3 && await watching(b) === 3, {
      timeoutMs: 5000,
      what: "3 watchers on both instances",
    });
    // The presenter on A is told of B's watchers too.
    for (let frame = await presenter.next(); frame; frame = await presenter.next()) {
      if (frame.event === "watching" && JSON.parse(frame.data).data.count === 3) break;
    }
    await watchers[2].close();
    await waitFor(async () => await watching(a) === 2 && await watching(b) === 2, {
      timeoutMs: 5000,
      what: "a watcher on B leaving, on both",
    });
  } finally {
    for (const follower of followers) await follower.close().catch(() => {});
    await close();
  }
});
