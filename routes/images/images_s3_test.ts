// Image rooms with their images in S3 (s3rver): served from the bucket as from files, or redirected.
import { join } from "node:path";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { tinyPng } from "../../tests/_images.ts";
import { startS3, type TestS3 } from "../../tests/_s3.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { postImage, uploadOk } from "./_image_client.ts";

async function withS3(
  env: (s3: TestS3) => Record<string, string>,
  run: (server: TestServer, s3: TestS3) => Promise<void>,
): Promise<void> {
  const s3 = await startS3();
  const server = await startServer({ env: env(s3) });
  try {
    await run(server, s3);
  } finally {
    await server.close();
    await s3.stop();
  }
}

const names = (dir: string) => {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  } catch {
    return [];
  }
};

Deno.test("image rooms on S3: uploads are objects, served with the same ETag, ranges and 304s", async () => {
  await withS3(
    (s3) => ({ ...s3.env, IMAGE_HISTORY: "2", MAX_UPLOAD_BYTES: "4096" }),
    async (server, s3) => {
      const first = await uploadOk(server, "wall", { body: tinyPng(1) });
      await uploadOk(server, "wall", { body: tinyPng(2) });
      const id = await uploadOk(server, "wall", { body: tinyPng(3) });
      // The room's users stay a file; its images are only in the bucket, the oldest pruned there too.
      assertEquals(names(join(server.dataDir, "rooms", "wall")), [".htpasswd"]);
      const keys = await s3.keys("rooms/");
      assertEquals(keys.length, 2, keys.join());
      assert(keys.every((k) => /^rooms\/wall\/images\/\d+-[0-9a-f]{8}\.png$/.test(k)), keys.join());

      const live = await fetch(`${server.url}wall/live`);
      assertEquals(new Uint8Array(await live.arrayBuffer()), tinyPng(3));
      assertEquals(live.headers.get("content-type"), "image/png");
      assertEquals(live.headers.get("etag"), `"img-${id}"`);
      assertEquals(live.headers.get("cache-control"), "no-cache, no-store, must-revalidate");
      assert(live.headers.get("last-modified"), "Last-Modified");
      const size = tinyPng(3).length;

      const part = await fetch(`${server.url}wall/images/${id}`, {
        headers: { range: "bytes=4-11" },
      });
      assertEquals(part.status, 206);
      assertEquals(part.headers.get("content-range"), `bytes 4-11/${size}`);
      assertEquals(new Uint8Array(await part.arrayBuffer()), tinyPng(3).subarray(4, 12));
      const tail = await fetch(`${server.url}wall/live`, { headers: { range: "bytes=-5" } });
      assertEquals(new Uint8Array(await tail.arrayBuffer()), tinyPng(3).subarray(size - 5));
      const past = await fetch(`${server.url}wall/live`, { headers: { range: `bytes=${size}-` } });
      await past.body?.cancel();
      assertEquals([past.status, past.headers.get("content-range")], [416, `bytes */${size}`]);
      const again = await fetch(`${server.url}wall/live`, {
        headers: { "if-none-match": `"img-${id}"` },
      });
      await again.body?.cancel();
      assertEquals(again.status, 304);
      const head = await fetch(`${server.url}wall/live`, { method: "HEAD" });
      assertEquals(head.headers.get("content-length"), String(size));
      const gone = await fetch(`${server.url}wall/images/${first}`);
      await gone.body?.cancel();
      assertEquals(gone.status, 404);

      // The strip's thumbnail is made from the object and kept beside it in the bucket.
      const thumb = await fetch(`${server.url}wall/thumb/${id}`);
      await thumb.body?.cancel();
      assertEquals([thumb.status, thumb.headers.get("etag")], [200, `"thumb-${id}"`]);
      assert((await s3.keys("rooms/.thumbs/")).includes(`rooms/.thumbs/${id}-w320.png`));

      // Refused uploads (not an image, too large) leave no object, staged or kept.
      const before = await s3.keys();
      const text = await postImage(server, "wall", {
        body: new TextEncoder().encode("not an image"),
      });
      const big = await postImage(server, "wall", { body: new Uint8Array(8192).fill(0x89) });
      await text.body?.cancel();
      await big.body?.cancel();
      assertEquals([text.status, big.status], [415, 413]);
      assertEquals(await s3.keys(), before);
    },
  );
});

Deno.test("image rooms on S3 with S3_PUBLIC_URL: reads redirect to a presigned URL, after the checks", async () => {
  const publicUrl = (s3: TestS3) => s3.url.replace("127.0.0.1", "localhost");
  await withS3((s3) => ({ ...s3.env, S3_PUBLIC_URL: publicUrl(s3) }), async (server, s3) => {
    const id = await uploadOk(server, "wall", { body: tinyPng(4) });
    const live = await fetch(`${server.url}wall/live`, { redirect: "manual" });
    await live.body?.cancel();
    assertEquals([live.status, live.headers.get("cache-control")], [302, "no-store"]);
    const location = live.headers.get("location")!;
    assert(location.startsWith(`${publicUrl(s3)}/${s3.bucket}/rooms/wall/images/`), location);
    const fromBucket = await fetch(location);
    assertEquals(new Uint8Array(await fromBucket.arrayBuffer()), tinyPng(4));
    assertEquals(fromBucket.headers.get("content-type"), "image/png");
    assertEquals(fromBucket.headers.get("cache-control"), "no-cache, no-store, must-revalidate");
    // A conditional request is still answered here; unknown rooms and images never redirect.
    const cached = await fetch(`${server.url}wall/images/${id}`, {
      headers: { "if-none-match": `"img-${id}"` },
      redirect: "manual",
    });
    await cached.body?.cancel();
    assertEquals(cached.status, 304);
    for (const path of ["nowhere/live", `wall/images/${id + 1}`]) {
      const missing = await fetch(`${server.url}${path}`, { redirect: "manual" });
      await missing.body?.cancel();
      assertEquals(missing.status, 404, path);
    }
  });
});

Deno.test("image rooms on S3 without ffmpeg: the strip gets the original, nothing is written", async () => {
  await withS3((s3) => ({ ...s3.env, FFMPEG_PATH: "/nonexistent/ffmpeg" }), async (server, s3) => {
    const id = await uploadOk(server, "wall", { body: tinyPng(5) });
    const thumb = await fetch(`${server.url}wall/thumb/${id}`);
    assertEquals(new Uint8Array(await thumb.arrayBuffer()), tinyPng(5));
    assertEquals(thumb.headers.get("etag"), `"thumb-${id}-original"`);
    await server.waitForLog(/Thumbnails are off/);
    assertEquals(await s3.keys("rooms/.thumbs/"), []);
    assertEquals(names(join(server.dataDir, "rooms")), ["wall"]);
  });
});
