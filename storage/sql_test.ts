import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import { join } from "node:path";
import { startPostgres } from "../tests/_postgres.ts";
import { openDb } from "./db.ts";
import { numberPlaceholders, type Sql } from "./sql.ts";
import { openPostgres } from "./sql_postgres.ts";
import { sqliteSql } from "./sql_sqlite.ts";
import { hasStrace } from "../tests/_strace.ts";

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

/** The system calls of a child process that writes through openSqliteSql, as strace prints them. */
async function traceWrites(dir: string, statements: string): Promise<string[]> {
  const script = join(dir, "write.ts");
  const module = JSON.stringify(new URL("./sql_sqlite.ts", import.meta.url).href);
  await Deno.writeTextFile(
    script,
    `import { openSqliteSql } from ${module};
     const sql = openSqliteSql(${JSON.stringify(join(dir, "x.db"))});
     await sql.exec("CREATE TABLE IF NOT EXISTS t (v TEXT)");
     console.log("READY");
     ${statements}
     await sql.close();`,
  );
  const { stderr, stdout, success } = await new Deno.Command("strace", {
    args: ["-f", "-qq", "-y", "-e", "trace=fsync,fdatasync,write", Deno.execPath()]
      .concat(["run", "-A", "--no-config", "--no-lock", script]),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(success, true, new TextDecoder().decode(stdout));
  return new TextDecoder().decode(stderr).split("\n");
}

Deno.test({
  name: "openSqliteSql(): a write resolves only after the WAL is fdatasynced; reads sync nothing",
  ignore: !hasStrace,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const lines = await traceWrites(
        dir,
        `await sql.run("INSERT INTO t VALUES ('a')");
         console.log("INSERTED");
         await sql.transaction(async () => {
           await sql.run("INSERT INTO t VALUES ('b')");
           await sql.run("INSERT INTO t VALUES ('c')");
         });
         console.log("COMMITTED");
         await sql.all("SELECT * FROM t");
         await sql.get("SELECT count(*) FROM t");
         console.log("READ");`,
      );
      // strace -y names each descriptor's file: `fdatasync(12</…/x.db-wal>)`, finished or not.
      const wal = join(await Deno.realPath(dir), "x.db-wal");
      const at = (marker: string) => lines.findIndex((l) => l.includes(`"${marker}\\n"`));
      const syncs = (from: number, to: number) =>
        lines.slice(from, to).filter((l) => l.includes(`fdatasync(`) && l.includes(`<${wal}>`))
          .length;
      const [ready, inserted, committed, read] = ["READY", "INSERTED", "COMMITTED", "READ"].map(at);
      assert(ready > 0 && inserted > ready && committed > inserted && read > committed, "markers");
      assert(syncs(ready, inserted) >= 1, "the lone INSERT waited for an fdatasync of the WAL");
      assert(syncs(inserted, committed) >= 1, "the transaction waited for one after its COMMIT");
      assertEquals(syncs(committed, read), 0, "reads wait for none");
      // SQLite itself no longer fsyncs on commit (synchronous=NORMAL): our fdatasync is the one.
      const fsyncs = lines.slice(ready, read).filter((l) => /\bfsync\(\d+</.test(l)).length;
      assertEquals(fsyncs, 0, "no fsync with the event loop blocked");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
