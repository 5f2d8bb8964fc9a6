import { assert, assertEquals } from "../tests/_assert.ts";
import { startPostgres } from "../tests/_postgres.ts";
import { type CodeStore, createCodeStore } from "./code_store.ts";
import { openDb } from "./db.ts";
import type { Sql } from "./sql.ts";
import { openPostgres } from "./sql_postgres.ts";
import { sqliteSql } from "./sql_sqlite.ts";

/** Codes drawn in order, so a test can force a collision. */
function codes(...drawn: string[]): () => string {
  let n = 0;
  return () => drawn[n++] ?? `CODE${String(n).padStart(6, "0")}`;
}

/** The same cases on both engines: what the code routes rely on. */
async function contract(t: Deno.TestContext, sql: Sql) {
  let clock = 1_790_000_000_000;
  const store: CodeStore = createCodeStore(sql, {
    newCode: codes("AAAAAAAAAA", "AAAAAAAAAA", "BBBBBBBBBB"),
    now: () => clock,
  });

  await t.step("create draws again on a taken code; byCode finds it exactly", async () => {
    const first = await store.create("One", "hash1");
    const second = await store.create("Two", "hash2");
    assertEquals([first.code, second.code], ["AAAAAAAAAA", "BBBBBBBBBB"]);
    assertEquals(await store.byCode("BBBBBBBBBB"), second);
    assertEquals(second.createdAt, 1_790_000_000_000, "epoch milliseconds come back as numbers");
    assertEquals(await store.byCode("bbbbbbbbbb"), null, "codes are canonical before the store");
  });

  await t.step("pushes page newest first, per file too; the newest of each file", async () => {
    const s = await store.create("Pages", "h");
    for (const [i, file] of ["a.ts", "b.ts", "a.ts", "c.ts"].entries()) {
      clock++;
      await store.push(s.id, file, `v${i}`);
    }
    assertEquals((await store.latest(s.id))?.content, "v3");
    const page1 = (await store.history(s.id, { limit: 3 }))!;
    assertEquals([page1.snippets.map((x) => x.content), page1.more], [["v3", "v2", "v1"], true]);
    const before = page1.snippets[2].id;
    const page2 = (await store.history(s.id, { limit: 3, before }))!;
    assertEquals([page2.snippets.map((x) => x.content), page2.more], [["v0"], false]);
    const files = (await store.history(s.id, { limit: 5, fileName: "a.ts" }))!;
    assertEquals(files.snippets.map((x) => x.content), ["v2", "v0"]);
    assertEquals(await store.history(s.id, { limit: 5, before: "nope" }), null);
    assertEquals((await store.latestPerFile(s.id, 2)).map((x) => x.fileName), ["c.ts", "a.ts"]);
  });

  await t.step("a draft's rev rises with each update; closing forgets it", async () => {
    const s = await store.create("Drafts", "h");
    const draft = { fileName: "x.py", content: "1", caretLine: 1 };
    const one = await store.saveDraft(s.id, draft, 2);
    const two = await store.saveDraft(s.id, { ...draft, content: "12" }, 2);
    assert(one?.ok && two?.ok);
    assertEquals([one.draft.rev, two.draft.rev, two.draft.content], [1, 2, "12"]);
    assertEquals((await store.drafts(s.id)).length, 1);
    assertEquals(await store.closeDraft(s.id, "x.py"), true);
    assertEquals(await store.closeDraft(s.id, "x.py"), false);
  });

  await t.step("25 concurrent joins admit exactly 20, under the session's row lock", async () => {
    const s = await store.create("Crowd", "h");
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => store.join(s.id, `p${i}`, 20)),
    );
    assertEquals(results.filter((r) => r?.ok).length, 20);
    assertEquals(await store.participantCount(s.id), 20);
    const counts = results.flatMap((r) => r?.ok ? [r.count] : []).sort((a, b) => a - b);
    assertEquals(counts, Array.from({ length: 20 }, (_, i) => i + 1), "each saw its own count");
    assertEquals((await store.participants(s.id)).length, 20);
  });

  await t.step("25 concurrent new files open exactly maxFiles drafts", async () => {
    const s = await store.create("Tabs", "h");
    const results = await Promise.all(
      Array.from(
        { length: 25 },
        (_, i) => store.saveDraft(s.id, { fileName: `f${i}.ts`, content: "", caretLine: 1 }, 12),
      ),
    );
    assertEquals(results.filter((r) => r?.ok).length, 12);
    assertEquals((await store.drafts(s.id)).length, 12);
  });

  await t.step("end deletes every row; later writes find the session gone", async () => {
    const s = await store.create("Ending", "h");
    await store.join(s.id, "p", 20);
    await store.push(s.id, "a", "b");
    await store.saveDraft(s.id, { fileName: "a", content: "b", caretLine: 1 }, 12);
    assertEquals(await store.end(s.id), true);
    assertEquals(await store.end(s.id), false);
    assertEquals(await store.byCode(s.code), null);
    assertEquals([await store.latest(s.id), await store.drafts(s.id)], [null, []]);
    assertEquals(await store.participants(s.id), []);
    assertEquals(await store.join(s.id, "late", 20), null);
    assertEquals(await store.push(s.id, "a", "late"), null);
    assertEquals(
      await store.saveDraft(s.id, { fileName: "a", content: "", caretLine: 1 }, 12),
      null,
    );
  });

  await t.step("idleSince lists sessions by last activity; a join is activity", async () => {
    clock += 10_000;
    const quiet = await store.create("Quiet", "h");
    const busy = await store.create("Busy", "h");
    clock += 10_000;
    await store.join(busy.id, "p", 20);
    const idle = (await store.idleSince(clock)).map((s) => s.id);
    assert(idle.includes(quiet.id) && !idle.includes(busy.id));
  });
}

Deno.test("createCodeStore() on SQLite keeps its contract", async (t) => {
  const dir = await Deno.makeTempDir();
  const sql = sqliteSql(openDb(`${dir}/t.db`));
  try {
    await contract(t, sql);
  } finally {
    await sql.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createCodeStore() on PostgreSQL keeps its contract", async (t) => {
  const pg = await startPostgres();
  try {
    const sql = await openPostgres(await pg.createDatabase());
    try {
      await contract(t, sql);
    } finally {
      await sql.close();
    }
  } finally {
    await pg.stop();
  }
});
