// Unit tests of the sessions store on a fake clock, on SQLite and on PostgreSQL.
import { assert, assertEquals } from "../tests/_assert.ts";
import { testOnEngines } from "../tests/_store_engines.ts";
import type { Sql } from "./sql.ts";
import { createSessionsStore, hashToken } from "./sessions_store.ts";

const DAY = 86_400_000;

const addUser = (sql: Sql, email: string) =>
  sql.run("INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,?)", [
    email,
    email,
    "x",
    0,
  ]);
const count = async (sql: Sql) =>
  (await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM sessions"))!.n;

testOnEngines(
  "createSessionsStore() slides the expiry at most hourly, expires, and deletes",
  async (_t, sql) => {
    await addUser(sql, "a@b.test");
    let now = 1_000_000;
    const sessions = createSessionsStore(sql, { ttlDays: 30, now: () => now });
    const token = await sessions.create(1);
    assert(/^[A-Za-z0-9_-]{43}$/.test(token), "32 bytes, base64url");
    const stored = await sql.get<{ token_hash: string }>("SELECT token_hash FROM sessions");
    assertEquals(stored!.token_hash, hashToken(token));

    now += 10 * 60_000;
    assertEquals((await sessions.lookup(token))?.refreshed, false, "no write within the hour");
    now += 2 * DAY;
    const slid = (await sessions.lookup(token))!;
    assertEquals([slid.refreshed, slid.expiresAt], [true, now + 30 * DAY]);
    now += 31 * DAY;
    assertEquals(await sessions.lookup(token), null, "expired");
    assertEquals(await count(sql), 0);

    const other = await sessions.create(1);
    await sessions.delete(other);
    assertEquals(await sessions.lookup(other), null);
    assertEquals(await sessions.lookup("not-a-token"), null);
    await sessions.create(1);
    now += 31 * DAY;
    assertEquals(await sessions.purgeExpired(), 1);
  },
);

testOnEngines(
  "createSessionsStore() ends every session of one user, and says which are live",
  async (_t, sql) => {
    await addUser(sql, "a@b.test");
    await addUser(sql, "b@b.test");
    let now = 1_000_000;
    const sessions = createSessionsStore(sql, { ttlDays: 1, now: () => now });
    const [a1, a2, b1] = [
      await sessions.create(1),
      await sessions.create(1),
      await sessions.create(2),
    ];
    const a1Id = (await sessions.lookup(a1))!.id;
    assertEquals(a1Id, hashToken(a1));
    assertEquals(await sessions.live([a1Id]), new Set([a1Id]));
    assertEquals(await sessions.deleteAllOf(1), 2);
    assertEquals([await sessions.lookup(a1), await sessions.lookup(a2)], [null, null]);
    const b1Id = (await sessions.lookup(b1))!.id;
    assertEquals(await sessions.live([a1Id, b1Id]), new Set([b1Id]), "a1 deleted, b1 stays");
    now += 2 * DAY;
    assertEquals((await sessions.live([b1Id])).size, 0, "expired");
    assertEquals(await sessions.delete(b1), b1Id);
  },
);

testOnEngines("createSessionsStore() tells which of many sessions are live", async (_t, sql) => {
  await addUser(sql, "a@b.test");
  const sessions = createSessionsStore(sql, { ttlDays: 1 });
  // Past one query's batch of ids, so live() splits them and still finds every one.
  const ids: string[] = [];
  for (let i = 0; i < 230; i++) ids.push(hashToken(await sessions.create(1)));
  const unknown = Array.from({ length: 20 }, (_, i) => hashToken(`gone-${i}`));
  assertEquals(await sessions.live([...unknown, ...ids]), new Set(ids));
  assertEquals((await sessions.live([])).size, 0);
});
