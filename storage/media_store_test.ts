import { basename, dirname, join } from "node:path";
import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import { tinyPng } from "../tests/_images.ts";
import { testOnEngines } from "../tests/_store_engines.ts";
import { createFileBlobs } from "./blobs_files.ts";
import { createMediaStore, MediaContentError, type MediaStore } from "./media_store.ts";
import type { Sql } from "./sql.ts";

const stream = (bytes: Uint8Array) => new Blob([bytes as BlobPart]).stream();

/** A media folder of its own under `dir`, the tables emptied: each case starts from nothing. */
async function freshFolder(sql: Sql, dir: string, name: string): Promise<string> {
  await sql.run("DELETE FROM media_files");
  await sql.run("DELETE FROM media_token_uses");
  const media = join(dir, name);
  await Deno.mkdir(media);
  return media;
}

/** The store over files, its folder `media` (a folder under the files store's root). */
const storeIn = (sql: Sql, media: string): MediaStore =>
  createMediaStore(sql, createFileBlobs(dirname(media)), basename(media));

testOnEngines("createMediaStore() keeps its contract", async (t, sql, dir) => {
  await t.step("indexes files already in the folder and drops crash leftovers", async () => {
    const media = await freshFolder(sql, dir, "indexed");
    // As the old Media Server named them: uuid4().hex + suffix.
    const old = "0123456789abcdef0123456789abcdef.png";
    await Deno.writeFile(join(media, old), tinyPng());
    await Deno.writeTextFile(join(media, ".tmp-1234"), "half");
    await Deno.writeTextFile(join(media, "notes.txt"), "ignored");
    const store = storeIn(sql, media);
    const { total, records } = await store.list({});
    assertEquals(total, 1);
    assertEquals(records[0].filename, old);
    assertEquals(records[0].contentType, "image/png");
    assertEquals([records[0].width, records[0].height, records[0].originalName], [1, 1, null]);
    assertEquals([...Deno.readDirSync(media)].map((e) => e.name).sort(), [old, "notes.txt"]);
  });

  await t.step("saves, refuses mismatches, and never builds a path from a bad name", async () => {
    const store = storeIn(sql, await freshFolder(sql, dir, "saved"));
    const saved = await store.save(stream(tinyPng()), "png", 1024, { originalName: "Cat.png" });
    assert(/^[0-9a-f]{32}\.png$/.test(saved.filename));
    assertEquals(await Deno.readFile(join(dir, store.keyOf(saved.filename))), tinyPng());
    assertEquals((await store.get(saved.filename))?.originalName, "Cat.png");
    const error = await assertRejects(() => store.save(stream(tinyPng()), "jpg", 1024));
    assert(error instanceof MediaContentError);
    for (const name of ["../x.png", "/etc/passwd", "..", saved.filename + "/.."]) {
      assertEquals(await store.get(name), null);
      assertEquals(await store.remove(name), false);
      let threw = false;
      try {
        store.keyOf(name);
      } catch {
        threw = true;
      }
      assert(threw, `keyOf(${name}) throws`);
    }
    assertEquals(await store.remove(saved.filename), true);
    assertEquals(await store.remove(saved.filename), false);
    assertEquals((await store.list({})).total, 0);
  });

  await t.step(
    "searches both names case-insensitively and sorts the same on both engines",
    async () => {
      const store = storeIn(sql, await freshFolder(sql, dir, "sorted"));
      const names = ["beta.png", "Alpha.png", "100%_sure.png", "alpine.png"];
      for (const [i, name] of names.entries()) {
        await store.save(stream(tinyPng(i)), "png", 1024, { originalName: name });
      }
      // Postgres' LIKE is case-sensitive: the store matches lowered text against a lowered pattern.
      const alp = await store.list({ q: "ALP", sort: "name" });
      assertEquals(alp.records.map((r) => r.originalName), ["Alpha.png", "alpine.png"]);
      assertEquals(alp.total, 2);
      // `%` and `_` in a query are literal characters, not wildcards.
      assertEquals((await store.list({ q: "0%_s" })).records.map((r) => r.originalName), [
        "100%_sure.png",
      ]);
      assertEquals((await store.list({ q: "%" })).total, 1);
      const byName = await store.list({ sort: "name" });
      assertEquals(byName.records.map((r) => r.originalName), [
        "100%_sure.png",
        "Alpha.png",
        "alpine.png",
        "beta.png",
      ]);
      const page = await store.list({ sort: "name", limit: 2, offset: 1 });
      assertEquals([page.total, page.records.map((r) => r.originalName)], [4, [
        "Alpha.png",
        "alpine.png",
      ]]);
      const newest = await store.list({ sort: "newest", limit: 1 });
      assertEquals(newest.records[0].createdAt >= byName.records[0].createdAt, true);
    },
  );

  await t.step("useToken() accepts a signature once and forgets it after expiry", async () => {
    const store = storeIn(sql, await freshFolder(sql, dir, "tokens"));
    assertEquals(await store.useToken("abc", Date.now() + 60_000), true);
    assertEquals(await store.useToken("abc", Date.now() + 60_000), false);
    assertEquals(await store.useToken("old", Date.now() - 1), true);
    await store.useToken("other", Date.now() + 60_000); // sweeps expired ones
    const left = await sql.all("SELECT signature FROM media_token_uses ORDER BY signature");
    assertEquals(left.map((r) => r.signature), ["abc", "other"]);
  });

  await t.step("useToken() spends a signature exactly once under 25 concurrent uses", async () => {
    const media = await freshFolder(sql, dir, "spent");
    // Two stores on one database, as two instances have.
    const stores = [storeIn(sql, media), storeIn(sql, media)];
    const expires = Date.now() + 60_000;
    const uses = await Promise.all(
      Array.from({ length: 25 }, (_, i) => stores[i % 2].useToken("once", expires)),
    );
    assertEquals(uses.filter(Boolean).length, 1);
  });

  await t.step("reads the dimensions of files stored before they were recorded", async () => {
    const media = await freshFolder(sql, dir, "unsized");
    const old = "00000000000000000000000000000001.png";
    await Deno.writeFile(join(media, old), tinyPng());
    // A row as 004_media.sql left it: no name, no dimensions.
    await sql.run(
      "INSERT INTO media_files (filename, content_type, size, created_at, search_text) VALUES (?, ?, ?, ?, ?)",
      [old, "image/png", tinyPng().length, 1, old],
    );
    const { records } = await storeIn(sql, media).list({ q: "0001" });
    assertEquals(records.map((r) => [r.filename, r.width, r.height]), [[old, 1, 1]]);
  });

  await t.step("an upload's row wins over another instance's scan of the same file", async () => {
    const media = await freshFolder(sql, dir, "shared");
    const store = storeIn(sql, media);
    const saved = await store.save(stream(tinyPng()), "png", 1024, { originalName: "mine.png" });
    // A second instance starting on the shared folder indexes nothing new and changes nothing.
    const other = storeIn(sql, media);
    assertEquals((await other.list({})).records.map((r) => r.originalName), ["mine.png"]);
    assertEquals((await store.get(saved.filename))?.originalName, "mine.png");
  });
});
