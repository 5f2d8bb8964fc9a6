import { assertEquals, assertRejects } from "../tests/_assert.ts";
import { startPostgres } from "../tests/_postgres.ts";
import { openDb } from "./db.ts";
import { numberPlaceholders, type Sql } from "./sql.ts";
import { openPostgres } from "./sql_postgres.ts";
import { sqliteSql } from "./sql_sqlite.ts";

// No migrations: each case makes its own tables.
const EMPTY = new URL(`file://${Deno.makeTempDirSync()}/`);

Deno.test("numberPlaceholders() numbers ? outside quotes only", () => {
  assertEquals(
    numberPlaceholders(`SELECT '?', "a?" FROM t WHERE a = ? AND b = ?`),
    `SELECT '?', "a?" FROM t WHERE a = $1 AND b = $2`,
  );
});

// node:sqlite rows have a null prototype; compare their fields.
const plain = (row: object | undefined) => row && { ...row };

/** The same cases on both engines: what every store relies on. */
async function contract(t: Deno.TestContext, sql: Sql) {
  await sql.exec(`CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, at BIGINT);
    CREATE TABLE members (counter_id INTEGER NOT NULL, who TEXT NOT NULL)`);
  await t.step("get, all and run with parameters; BIGINT comes back as a number", async () => {
    await sql.run("INSERT INTO counters (id, n, at) VALUES (?, ?, ?)", [1, 0, 1_790_000_000_000]);
    assertEquals(plain(await sql.get("SELECT n, at FROM counters WHERE id = ?", [1])), {
      n: 0,
      at: 1_790_000_000_000,
    });
    assertEquals(await sql.get("SELECT n FROM counters WHERE id = ?", [2]), undefined);
    assertEquals(await sql.run("UPDATE counters SET n = n + 1 WHERE id = ?", [1]), 1);
    assertEquals((await sql.all("SELECT COUNT(*) AS c FROM counters")).map(plain), [{ c: 1 }]);
    const inserted = await sql.get<{ id: number }>(
      "INSERT INTO counters (id, n) VALUES (?, 0) RETURNING id",
      [7],
    );
    assertEquals(inserted?.id, 7);
  });
  await t.step("a failing transaction leaves nothing; a nested one joins it", async () => {
    await assertRejects(() =>
      sql.transaction(async () => {
        await sql.run("INSERT INTO members VALUES (?, ?)", [1, "a"]);
        await sql.transaction(() => sql.run("INSERT INTO members VALUES (?, ?)", [1, "b"]));
        throw new Error("Cannot finish: on purpose");
      })
    );
    assertEquals(await sql.all("SELECT * FROM members"), []);
  });
  await t.step("a cap read under the row lock holds for 25 concurrent joins", async () => {
    const join = (who: string) =>
      sql.transaction(async () => {
        await sql.get(`SELECT id FROM counters WHERE id = ?${sql.forUpdate}`, [1]);
        const row = await sql.get<{ c: number }>(
          "SELECT COUNT(*) AS c FROM members WHERE counter_id = ?",
          [1],
        );
        // A real await between the read and the write: another join gets every chance to race.
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (row!.c >= 20) return false;
        await sql.run("INSERT INTO members VALUES (?, ?)", [1, who]);
        return true;
      });
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => join(`p${i}`)));
    assertEquals(results.filter(Boolean).length, 20);
    assertEquals(plain(await sql.get("SELECT COUNT(*) AS c FROM members")), { c: 20 });
  });
  await t.step("a query outside a transaction waits for it instead of joining it", async () => {
    let inside!: () => void;
    const held = new Promise<void>((resolve) => inside = resolve);
    const tx = sql.transaction(async () => {
      await sql.run("UPDATE counters SET n = 100 WHERE id = ?", [1]);
      await held;
      throw new Error("Cannot finish: on purpose");
    });
    const outside = sql.run("UPDATE counters SET n = n + 1 WHERE id = ?", [7]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    inside();
    await assertRejects(() => tx);
    assertEquals(await outside, 1);
    assertEquals(plain(await sql.get("SELECT n FROM counters WHERE id = ?", [1])), { n: 1 });
    assertEquals(plain(await sql.get("SELECT n FROM counters WHERE id = ?", [7])), { n: 1 });
  });
}

Deno.test("sqliteSql() keeps the Sql contract", async (t) => {
  const dir = await Deno.makeTempDir();
  const sql = sqliteSql(openDb(`${dir}/t.db`, { migrations: EMPTY }));
  try {
    await contract(t, sql);
  } finally {
    await sql.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openPostgres() keeps the Sql contract", async (t) => {
  const pg = await startPostgres();
  try {
    const sql = await openPostgres(await pg.createDatabase(), { migrations: EMPTY });
    try {
      await contract(t, sql);
    } finally {
      await sql.close();
    }
  } finally {
    await pg.stop();
  }
});
