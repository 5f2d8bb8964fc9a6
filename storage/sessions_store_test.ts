// Unit tests of the sessions store on a temp database and a fake clock.
import { join } from "node:path";
import { assert, assertEquals } from "../tests/_assert.ts";
import { openDb } from "./db.ts";
import { createSessionsStore, hashToken } from "./sessions_store.ts";

const DAY = 86_400_000;

Deno.test("createSessionsStore() slides the expiry at most hourly, expires, and deletes", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDb(join(dir, "t.db"));
  try {
    db.prepare(
      "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,?)",
    )
      .run("a@b.test", "A", "x", 0);
    let now = 1_000_000;
    const sessions = createSessionsStore(db, { ttlDays: 30, now: () => now });
    const token = sessions.create(1);
    assert(/^[A-Za-z0-9_-]{43}$/.test(token), "32 bytes, base64url");
    const stored = db.prepare("SELECT token_hash FROM sessions").get() as { token_hash: string };
    assertEquals(stored.token_hash, hashToken(token));

    now += 10 * 60_000;
    assertEquals(sessions.lookup(token)?.refreshed, false, "no write within the hour");
    now += 2 * DAY;
    const slid = sessions.lookup(token)!;
    assertEquals([slid.refreshed, slid.expiresAt], [true, now + 30 * DAY]);
    now += 31 * DAY;
    assertEquals(sessions.lookup(token), null, "expired");
    assertEquals((db.prepare("SELECT COUNT(*) AS n FROM sessions").get() as { n: number }).n, 0);

    const other = sessions.create(1);
    sessions.delete(other);
    assertEquals(sessions.lookup(other), null);
    assertEquals(sessions.lookup("not-a-token"), null);
    sessions.create(1);
    now += 31 * DAY;
    assertEquals(sessions.purgeExpired(), 1);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createSessionsStore() ends every session of one user, and says which are live", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDb(join(dir, "t.db"));
  try {
    const addUser = db.prepare(
      "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,?)",
    );
    addUser.run("a@b.test", "A", "x", 0);
    addUser.run("b@b.test", "B", "x", 0);
    let now = 1_000_000;
    const sessions = createSessionsStore(db, { ttlDays: 1, now: () => now });
    const [a1, a2, b1] = [sessions.create(1), sessions.create(1), sessions.create(2)];
    const a1Id = sessions.lookup(a1)!.id;
    assertEquals(a1Id, hashToken(a1));
    assert(sessions.isLive(a1Id));
    assertEquals(sessions.deleteAllOf(1), 2);
    assertEquals([sessions.lookup(a1), sessions.lookup(a2)], [null, null]);
    assert(!sessions.isLive(a1Id), "deleted");
    const b1Id = sessions.lookup(b1)!.id;
    assert(sessions.isLive(b1Id), "another user's session stays");
    now += 2 * DAY;
    assert(!sessions.isLive(b1Id), "expired");
    assertEquals(sessions.delete(b1), b1Id);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
