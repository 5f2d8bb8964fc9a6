// The media library with its files in S3 (s3rver): the Media Server's contract unchanged on top.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { tinyPng } from "../../tests/_images.ts";
import { djangoToken, SECRET, uploadMedia } from "../../tests/_media.ts";
import { startS3, type TestS3 } from "../../tests/_s3.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";

async function withS3(
  extra: (s3: TestS3) => Record<string, string>,
  run: (server: TestServer, s3: TestS3) => Promise<void>,
): Promise<void> {
  const s3 = await startS3();
  const server = await startServer({
    env: { ...s3.env, MEDIA_SERVER_SECRET: SECRET, ...extra(s3) },
  });
  try {
    await run(server, s3);
  } finally {
    await server.close();
    await s3.stop();
  }
}

const SVG = new TextEncoder().encode(
  '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><rect width="24" height="24"/></svg>',
);

Deno.test("media on S3: upload, list, serve with ranges, thumbnail and delete, with HMAC tokens", async () => {
  await withS3(() => ({ MAX_UPLOAD_BYTES: "4096" }), async (server, s3) => {
    const token = await djangoToken();
    const upload = await uploadMedia(server, token, tinyPng(7));
    const { url, filename } = await upload.json();
    assertEquals(upload.status, 200);
    assertEquals(await s3.keys("media/"), [`media/${filename}`]);
    assert(!(await Deno.stat(`${server.dataDir}/media`).catch(() => null)), "no media folder");

    const listed = await (await fetch(`${server.url}media`)).json();
    assertEquals([listed.count, listed.images[0].filename, listed.images[0].width], [
      1,
      filename,
      1,
    ]);

    const got = await fetch(url);
    assertEquals(new Uint8Array(await got.arrayBuffer()), tinyPng(7));
    assertEquals(got.headers.get("etag"), `"${filename}"`);
    assertEquals(got.headers.get("x-content-type-options"), "nosniff");
    assert(got.headers.get("content-security-policy")?.includes("sandbox"), "CSP");
    const part = await fetch(url, { headers: { range: "bytes=0-7" } });
    assertEquals(part.status, 206);
    assertEquals(new Uint8Array(await part.arrayBuffer()), tinyPng(7).subarray(0, 8));
    const cached = await fetch(url, { headers: { "if-none-match": `"${filename}"` } });
    await cached.body?.cancel();
    assertEquals(cached.status, 304);

    const thumb = await fetch(`${url}?w=100`);
    await thumb.body?.cancel();
    assertEquals([thumb.status, thumb.headers.get("etag")], [200, `"${filename}-w160"`]);
    const stem = filename.slice(0, 32);
    assertEquals(await s3.keys("media/.thumbs/"), [`media/.thumbs/${stem}-w160.png`]);

    // Too large, or not what its name says: refused, and nothing is left in the bucket.
    const big = await uploadMedia(server, token, new Uint8Array(8192));
    const lie = await uploadMedia(server, token, SVG, "fake.png");
    await big.body?.cancel();
    await lie.body?.cancel();
    assertEquals([big.status, lie.status], [413, 400]);
    assertEquals(await s3.keys(), [`media/${filename}`, `media/.thumbs/${stem}-w160.png`].sort());

    const deleted = await fetch(`${url}?token=${encodeURIComponent(token)}`, { method: "DELETE" });
    assertEquals(await deleted.json(), { detail: `Deleted ${filename}` });
    assertEquals(await s3.keys(), []);
    const after = await fetch(url);
    assertEquals([after.status, await after.json()], [404, { detail: "Image not found." }]);
  });
});

Deno.test("media on S3 with S3_PUBLIC_URL: rasters redirect to presigned URLs, SVGs stay served here", async () => {
  const publicUrl = (s3: TestS3) => s3.url.replace("127.0.0.1", "localhost");
  await withS3((s3) => ({ S3_PUBLIC_URL: publicUrl(s3) }), async (server, s3) => {
    const token = await djangoToken();
    const png = await (await uploadMedia(server, token, tinyPng(8))).json();
    const svg = await (await uploadMedia(server, token, SVG, "icon.svg")).json();

    const redirect = await fetch(png.url, { redirect: "manual" });
    await redirect.body?.cancel();
    assertEquals(redirect.status, 302);
    const location = redirect.headers.get("location")!;
    assert(location.startsWith(`${publicUrl(s3)}/${s3.bucket}/media/${png.filename}?`), location);
    const fromBucket = await fetch(location);
    assertEquals(new Uint8Array(await fromBucket.arrayBuffer()), tinyPng(8));
    assertEquals(fromBucket.headers.get("content-type"), "image/png");

    // The bucket would serve an SVG without the sandbox CSP, so it never goes there.
    const icon = await fetch(svg.url, { redirect: "manual" });
    assertEquals([icon.status, await icon.text()], [200, new TextDecoder().decode(SVG)]);
    assert(icon.headers.get("content-security-policy")?.includes("sandbox"), "CSP");
    // An unknown name is the seed's 404, not a redirect.
    const missing = await fetch(`${server.url}media/${"0".repeat(32)}.png`, { redirect: "manual" });
    assertEquals([missing.status, await missing.json()], [404, { detail: "Image not found." }]);
  });
});
