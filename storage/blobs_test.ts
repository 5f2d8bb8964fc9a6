// The blob-store contract, run against both implementations: files in a temp dir, and s3rver.
import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import { startS3 } from "../tests/_s3.ts";
import { waitFor } from "../tests/_wait.ts";
import { type BlobStore, readBlob, TooLargeError } from "./blobs.ts";
import { createFileBlobs } from "./blobs_files.ts";
import { createS3Blobs } from "./blobs_s3.ts";

const MiB = 1024 * 1024;
const bytes = (text: string) => new TextEncoder().encode(text);
const text = async (stream: ReadableStream<Uint8Array> | null) =>
  stream ? await new Response(stream).text() : null;

/** `count` chunks of `size` bytes; the stream fails after them when `fail` is set. */
function chunks(count: number, size: number, fail?: Error): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === count) return fail ? controller.error(fail) : controller.close();
      controller.enqueue(new Uint8Array(size).fill(65 + (sent++ % 26)));
    },
  });
}

interface Subject {
  name: string;
  blobs: BlobStore;
  /** Every key stored, as the backend itself sees it (files on disk, objects in the bucket). */
  keys(): Promise<string[]>;
  stop(): Promise<void>;
}

async function filesSubject(): Promise<Subject> {
  const dir = await Deno.makeTempDir();
  const keys = async () => {
    const found: string[] = [];
    const walk = async (at: string) => {
      for await (const e of Deno.readDir(`${dir}/${at}`)) {
        if (e.isDirectory) await walk(`${at}${e.name}/`);
        else found.push(at + e.name);
      }
    };
    await walk("");
    return found.sort();
  };
  return {
    name: "files",
    blobs: createFileBlobs(dir),
    keys,
    stop: () => Deno.remove(dir, { recursive: true }),
  };
}

async function s3Subject(): Promise<Subject> {
  const s3 = await startS3();
  // Small parts (S3's minimum) so a few MiB take the multipart path.
  const blobs = createS3Blobs({
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.url,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
    partBytes: 5 * MiB,
  });
  return {
    name: "s3",
    blobs,
    keys: () => s3.keys(),
    stop: async () => {
      blobs.close();
      await s3.stop();
    },
  };
}

Deno.test("blob store (files): a replacing put is seen whole or not at all", async () => {
  // Only for files: s3rver rewrites an object in place (S3 itself replaces objects atomically).
  const { blobs, stop } = await filesSubject();
  try {
    await blobs.put("rooms/live", new Uint8Array(3 * MiB).fill(1));
    const writing = blobs.put("rooms/live", chunks(24, 256 * 1024));
    const seen = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const got = await readBlob(blobs, "rooms/live");
      seen.add(got![0]);
      const whole = got!.length === 3 * MiB ? new Set(got).size === 1 : got!.length === 6 * MiB;
      assert(whole, `a whole version (got ${got!.length} bytes)`);
    }
    assertEquals(await writing, 6 * MiB);
    const after = await readBlob(blobs, "rooms/live");
    assertEquals([after!.length, after![0], after![after!.length - 1]], [6 * MiB, 65, 88]);
    assert(seen.has(1), "the old blob was readable during the write");
  } finally {
    await stop();
  }
});

for (const make of [filesSubject, s3Subject]) {
  const name = make === filesSubject ? "files" : "s3";

  Deno.test(`blob store (${name}): put, stat, open with ranges, list one level, move, delete`, async () => {
    const { blobs, stop } = await make();
    try {
      assertEquals(await blobs.put("media/a.txt", bytes("hello world")), 11);
      await blobs.put("media/.thumbs/a-w160.png", bytes("thumb"));
      const info = await blobs.stat("media/a.txt");
      assertEquals(info?.size, 11);
      assert(info!.mtime > Date.now() - 60_000 && info!.etag.startsWith('"'), "mtime and etag");
      assertEquals(await text(await blobs.open("media/a.txt")), "hello world");
      assertEquals(await text(await blobs.open("media/a.txt", { start: 2, end: 4 })), "llo");
      assertEquals(await text(await blobs.open("media/a.txt", { start: 10, end: 10 })), "d");
      assertEquals((await blobs.list("media/")).map((e) => [e.key, e.size]), [["media/a.txt", 11]]);
      assertEquals(await blobs.list("nothing/"), []);
      await blobs.move("media/a.txt", "media/b.txt");
      assertEquals(await blobs.stat("media/a.txt"), null);
      assertEquals(await text(await blobs.open("media/b.txt")), "hello world");
      await blobs.delete("media/b.txt");
      await blobs.delete("media/b.txt");
      assertEquals([await blobs.stat("media/b.txt"), await blobs.open("media/b.txt")], [
        null,
        null,
      ]);
      assertEquals(
        await blobs.link("media/.thumbs/a-w160.png", {
          contentType: "image/png",
          cacheControl: "no-cache",
        }),
        null,
      );
    } finally {
      await stop();
    }
  });

  Deno.test(`blob store (${name}): a put is invisible until its last byte is stored`, async () => {
    const { blobs, keys, stop } = await make();
    try {
      let feed!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({ start: (c) => void (feed = c) });
      const writing = blobs.put("rooms/new", body);
      // 6 MiB in: S3 has one 5 MiB part uploaded, the files store a temp file.
      for (let i = 0; i < 24; i++) feed.enqueue(new Uint8Array(256 * 1024).fill(i));
      // Every chunk taken (so the part upload, awaited before the next read, is done).
      await waitFor(() => feed.desiredSize === 1);
      assertEquals([await blobs.stat("rooms/new"), await blobs.open("rooms/new")], [null, null]);
      assert(!(await blobs.list("rooms/")).some((e) => e.key === "rooms/new"), "not listed yet");
      assert(!(await keys()).includes("rooms/new"), "no object or file under the key yet");
      feed.close();
      assertEquals(await writing, 6 * MiB);
      assertEquals((await blobs.stat("rooms/new"))?.size, 6 * MiB);
    } finally {
      await stop();
    }
  });

  Deno.test(`blob store (${name}): an oversized, refused or failed put leaves nothing`, async () => {
    const { blobs, keys, stop } = await make();
    try {
      // Past the limit on the small path and on the multipart path (after one 5 MiB part).
      await assertRejects(
        () => blobs.put("a/small", chunks(3, 1000), { maxBytes: 2500 }),
        TooLargeError,
      );
      await assertRejects(
        () => blobs.put("a/big", chunks(12, 512 * 1024), { maxBytes: 5.5 * MiB }),
        TooLargeError,
      );
      const refuse = (head: Uint8Array) => {
        if (head[0] !== 0x89) throw new RangeError("not a PNG");
      };
      await assertRejects(
        () => blobs.put("a/refused", chunks(1, 100), { check: refuse }),
        RangeError,
      );
      await assertRejects(
        () => blobs.put("a/cut", chunks(14, 512 * 1024, new Error("client went away"))),
        Error,
        "client went away",
      );
      assertEquals(await keys(), []);
      assertEquals(await blobs.list("a/"), []);
      // The check sees the first bytes even when they come one at a time.
      const heads: number[] = [];
      await blobs.put("a/ok", chunks(40, 1), { peekBytes: 8, check: (h) => heads.push(h.length) });
      assertEquals(heads, [8]);
      assertEquals(await keys(), ["a/ok"]);
    } finally {
      await stop();
    }
  });
}

Deno.test("blob store keys: no absolute paths, no parent or empty segments", async () => {
  const { blobs, stop } = await filesSubject();
  try {
    for (const key of ["/etc/passwd", "../x", "a/../b", "a//b", "a/./b", "", "a/", "a b"]) {
      await assertRejects(() => blobs.put(key, bytes("x")), Error, "Cannot use blob key");
    }
  } finally {
    await stop();
  }
});

Deno.test("blob store (s3): S3_PUBLIC_URL links are presigned for that host and fetchable", async () => {
  const s3 = await startS3();
  const blobs = createS3Blobs({
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.url,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
    publicUrl: s3.url.replace("127.0.0.1", "localhost"),
  });
  try {
    await blobs.put("media/x.png", bytes("png bytes"), { contentType: "image/png" });
    const link = await blobs.link("media/x.png", {
      contentType: "image/png",
      cacheControl: "public, max-age=60",
    });
    assert(link?.startsWith(s3.url.replace("127.0.0.1", "localhost")), String(link));
    assert(link!.includes("X-Amz-Signature="), link!);
    const again = await blobs.link("media/x.png", {
      contentType: "image/png",
      cacheControl: "public, max-age=60",
    });
    assertEquals(again, link, "one URL per signing window, so browsers can cache it");
    const res = await fetch(link!);
    assertEquals([res.status, await res.text()], [200, "png bytes"]);
    assertEquals(res.headers.get("content-type"), "image/png");
    assertEquals(res.headers.get("cache-control"), "public, max-age=60");
  } finally {
    blobs.close();
    await s3.stop();
  }
});
