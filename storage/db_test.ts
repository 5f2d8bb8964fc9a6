import { assertEquals, assertRejects } from "../tests/_assert.ts";
import { migrate, openDb, transaction } from "./db.ts";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

Deno.test("migrate() applies each file once, including one added later with a lower number", async () => {
  const dir = await Deno.makeTempDir();
  const folder = new URL(`file://${dir}/migrations/`);
  await Deno.mkdir(folder, { recursive: true });
  await Deno.writeTextFile(new URL("003_b.sql", folder), "CREATE TABLE b (x);");
  const db = openDb(join(dir, "t.db"), { migrations: folder });
  await Deno.writeTextFile(new URL("002_a.sql", folder), "CREATE TABLE a (x);");
  await Deno.writeTextFile(new URL("README.md", folder), "not a migration");
  migrate(db, folder);
  migrate(db, folder);
  const names = db.prepare("SELECT name FROM schema_migrations ORDER BY name").all().map((r) =>
    r.name
  );
  assertEquals(names, ["002_a.sql", "003_b.sql"]);
  assertEquals(db.prepare("PRAGMA journal_mode").get()?.journal_mode, "wal");
  db.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("migrate() leaves nothing of a failing migration behind", async () => {
  const dir = await Deno.makeTempDir();
  const folder = new URL(`file://${dir}/m/`);
  await Deno.mkdir(folder);
  await Deno.writeTextFile(
    new URL("001_bad.sql", folder),
    "CREATE TABLE t (x); SELECT nope FROM missing;",
  );
  await assertRejects(() => openDb(join(dir, "t.db"), { migrations: folder }));
  const db = new DatabaseSync(join(dir, "t.db"));
  assertEquals(db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").all().length, 0);
  db.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("transaction() rolls back every write when the function throws", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDb(join(dir, "t.db"));
  db.exec("CREATE TABLE n (v)");
  await assertRejects(() =>
    transaction(db, () => {
      db.prepare("INSERT INTO n VALUES (1)").run();
      throw new Error("boom");
    })
  );
  assertEquals(db.prepare("SELECT count(*) AS c FROM n").get()?.c, 0);
  db.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("openDb() commits with synchronous=FULL, so an acknowledged write survives a power cut", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDb(join(dir, "x.db"));
  const mode = db.prepare("PRAGMA synchronous").get() as { synchronous: number };
  // 2 is FULL (1 would be NORMAL, which in WAL mode may lose the last commits).
  assertEquals(mode.synchronous, 2);
  db.close();
  await Deno.remove(dir, { recursive: true });
});
