import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import { tinyPng } from "../tests/_images.ts";
import { testOnEngines } from "../tests/_store_engines.ts";
import { createFileBlobs } from "./blobs_files.ts";
import { createImagesStore, type ImageRecord, NotAnImageError } from "./images_store.ts";

const stream = (bytes: Uint8Array) => new Blob([bytes as BlobPart]).stream();
const ADMIN = "admin:$2y$04$notarealhashbutalineofthefile";
const ids = (records: ImageRecord[]) => records.map((r) => r.id);

/** Options for a store whose htpasswd files and images are both under `dataDir`, as by default. */
const filesIn = (dataDir: string, keep: number) => ({
  dataDir,
  keep,
  blobs: createFileBlobs(dataDir),
});

testOnEngines("createImagesStore() keeps its contract", async (t, sql, dir) => {
  await t.step("records uploads newest first, with captions, and prunes past keep", async () => {
    const rooms = createImagesStore(sql, filesIn(join(dir, "a"), 2));
    const first = await rooms.saveImage("lobby", stream(tinyPng(1)), {
      maxBytes: 1024,
      uploadedBy: "admin",
      createWith: ADMIN,
      caption: "The first",
    });
    assertEquals([first.created, first.forgotten], [true, []]);
    assertEquals(first.record.caption, "The first");
    const second = await rooms.saveImage("lobby", stream(tinyPng(2)), {
      maxBytes: 1024,
      uploadedBy: "admin",
    });
    const third = await rooms.saveImage("lobby", stream(tinyPng(3)), {
      maxBytes: 1024,
      uploadedBy: "dana",
    });
    assertEquals(ids(third.forgotten), [first.record.id]);
    assertEquals(await rooms.count("lobby"), 2);
    assertEquals((await rooms.current("lobby"))?.id, third.record.id);
    assertEquals(ids(await rooms.recent("lobby", 10)), [third.record.id, second.record.id]);
    assertEquals((await rooms.image("lobby", second.record.id))?.uploadedBy, "admin");
    assertEquals(await rooms.image("lobby", first.record.id), null);
    assertEquals(await rooms.image("other", second.record.id), null);
    // Digits past BIGINT name no image: null, not an error from Postgres.
    assertEquals(await rooms.image("lobby", Number("99999999999999999999")), null);
    const files = [...Deno.readDirSync(join(dir, "a/rooms/lobby/images"))].map((e) => e.name);
    assertEquals(files.sort(), [second.record.file, third.record.file].sort());
  });

  await t.step("refuses what is no image and keeps nothing of it", async () => {
    const rooms = createImagesStore(sql, filesIn(join(dir, "b"), 5));
    const error = await assertRejects(() =>
      rooms.saveImage("nope", stream(new TextEncoder().encode("hello")), {
        maxBytes: 1024,
        uploadedBy: "admin",
        createWith: ADMIN,
      })
    );
    assert(error instanceof NotAnImageError);
    assertEquals([await rooms.exists("nope"), await rooms.count("nope")], [false, 0]);
  });

  await t.step("clears and deletes a room: rows and files", async () => {
    const rooms = createImagesStore(sql, filesIn(join(dir, "c"), 5));
    for (let i = 0; i < 3; i++) {
      await rooms.saveImage("gone", stream(tinyPng(i)), {
        maxBytes: 1024,
        uploadedBy: "admin",
        createWith: ADMIN,
      });
    }
    assertEquals((await rooms.clearRoom("gone")).length, 3);
    assertEquals([await rooms.count("gone"), await rooms.current("gone")], [0, null]);
    await rooms.saveImage("gone", stream(tinyPng(9)), { maxBytes: 1024, uploadedBy: "admin" });
    assertEquals(await rooms.deleteRoom("gone"), true);
    assertEquals([await rooms.exists("gone"), await rooms.count("gone")], [false, 0]);
    assertEquals(await rooms.deleteRoom("gone"), false);
  });

  await t.step("keeps exactly `keep` images under rounds of 25 concurrent uploads", async () => {
    // Two stores on one database and folder, as two instances have.
    const options = filesIn(join(dir, "d"), 3);
    const stores = [createImagesStore(sql, options), createImagesStore(sql, options)];
    await stores[0].saveImage("busy", stream(tinyPng(100)), {
      maxBytes: 1024,
      uploadedBy: "admin",
      createWith: ADMIN,
    });
    let forgotten: number[] = [];
    // One round races often enough to fail without the room's lock, not always: four of them.
    for (let round = 0; round < 4; round++) {
      // Staged first, so the 25 commits (rename, insert, prune) run as close together as they can.
      const staged = await Promise.all(
        Array.from({ length: 25 }, (_, i) => stores[i % 2].stageImage(stream(tinyPng(i)), 1024)),
      );
      const saved = await Promise.all(
        staged.map((upload, i) =>
          stores[i % 2].commitImage("busy", upload, { uploadedBy: `u${i}` })
        ),
      );
      forgotten = forgotten.concat(saved.flatMap((s) => ids(s.forgotten)));
      assertEquals(await stores[1].count("busy"), 3, `round ${round}`);
      const newest = saved.map((s) => s.record.id).sort((a, b) => b - a).slice(0, 3);
      assertEquals(ids(await stores[0].recent("busy", 10)), newest);
    }
    // Each image forgotten once, by one upload: 101 in, 3 kept.
    assertEquals([forgotten.length, new Set(forgotten).size], [98, 98]);
    const files = [...Deno.readDirSync(join(dir, "d/rooms/busy/images"))].map((e) => e.name);
    assertEquals(files.length, 3);
  });
});
