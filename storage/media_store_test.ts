import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import { tinyPng } from "../tests/_images.ts";
import { createFileBlobs } from "./blobs_files.ts";
import { openDb } from "./db.ts";
import { createMediaStore, MediaContentError } from "./media_store.ts";

const stream = (bytes: Uint8Array) => new Blob([bytes as BlobPart]).stream();

Deno.test("createMediaStore() indexes files already in the folder and drops crash leftovers", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDb(join(dir, "test.db"));
  try {
    const media = join(dir, "media");
    await Deno.mkdir(media);
    // As the old Media Server named them: uuid4().hex + suffix.
    const old = "0123456789abcdef0123456789abcdef.png";
    await Deno.writeFile(join(media, old), tinyPng());
    await Deno.writeTextFile(join(media, ".tmp-1234"), "half");
    await Deno.writeTextFile(join(media, "notes.txt"), "ignored");
    const store = createMediaStore(db, createFileBlobs(dir));
    const { total, records } = await store.list({});
    assertEquals(total, 1);
    assertEquals(records[0].filename, old);
    assertEquals(records[0].contentType, "image/png");
    assertEquals([records[0].width, records[0].height, records[0].originalName], [1, 1, null]);
    assertEquals([...Deno.readDirSync(media)].map((e) => e.name).sort(), [old, "notes.txt"]);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createMediaStore() saves, refuses mismatches, and never builds a path from a bad name", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDb(join(dir, "test.db"));
  try {
    const store = createMediaStore(db, createFileBlobs(dir));
    const saved = await store.save(stream(tinyPng()), "png", 1024);
    assert(/^[0-9a-f]{32}\.png$/.test(saved.filename));
    assertEquals(await Deno.readFile(join(dir, store.keyOf(saved.filename))), tinyPng());
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
    assertEquals((await store.list({})).total, 0);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createMediaStore().useToken() accepts a signature once and forgets it after expiry", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDb(join(dir, "test.db"));
  try {
    const store = createMediaStore(db, createFileBlobs(dir));
    assertEquals(store.useToken("abc", Date.now() + 60_000), true);
    assertEquals(store.useToken("abc", Date.now() + 60_000), false);
    assertEquals(store.useToken("old", Date.now() - 1), true);
    store.useToken("other", Date.now() + 60_000); // sweeps expired ones
    const left = db.prepare("SELECT signature FROM media_token_uses ORDER BY signature").all();
    assertEquals(left.map((r) => r.signature), ["abc", "other"]);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createMediaStore() reads the dimensions of files stored before they were recorded", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDb(join(dir, "test.db"));
  try {
    const media = join(dir, "media");
    await Deno.mkdir(media);
    const old = "00000000000000000000000000000001.png";
    await Deno.writeFile(join(media, old), tinyPng());
    // A row as 004_media.sql left it: no name, no dimensions.
    db.prepare(
      "INSERT INTO media_files (filename, content_type, size, created_at, search_text) VALUES (?, ?, ?, ?, ?)",
    ).run(old, "image/png", tinyPng().length, 1, old);
    const { records } = await createMediaStore(db, createFileBlobs(dir)).list({ q: "0001" });
    assertEquals(records.map((r) => [r.filename, r.width, r.height]), [[old, 1, 1]]);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
