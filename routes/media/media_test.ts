// The media library, the Media Server's contract verbatim: on the real server process, and its
// error shapes in process (tests/_app.ts).
import { blobsOnDisk } from "../../tests/_engines.ts";
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../../tests/_assert.ts";
import { basic, startServer } from "../../tests/_server.ts";
import { startApp } from "../../tests/_app.ts";
import { api } from "../../tests/_api.ts";
import { tinyPng } from "../../tests/_images.ts";
import { waitFor } from "../../tests/_wait.ts";
import { djangoToken, filesUnder, SECRET, uploadMedia } from "../../tests/_media.ts";

const ENV = { MEDIA_SERVER_SECRET: SECRET };

async function curl(args: string[]): Promise<string> {
  const { stdout } = await new Deno.Command("curl", { args: ["-sS", ...args] }).output();
  return new TextDecoder().decode(stdout);
}

const missing = (where: "query" | "body", name: string) => ({
  detail: [{ loc: [where, name], msg: "field required", type: "value_error.missing" }],
});

Deno.test("media: a token from the seed's Django snippet uploads, lists, fetches and deletes", async () => {
  const server = await startServer({ env: ENV });
  try {
    const image = await Deno.makeTempFile({ suffix: ".png" });
    await Deno.writeFile(image, tinyPng(3));
    const token = await djangoToken();
    const uploaded = JSON.parse(
      await curl(["-F", `file=@${image}`, `${server.url}upload?token=${token}`]),
    );
    await Deno.remove(image);
    assertEquals(Object.keys(uploaded).sort(), ["filename", "url"]);
    assertMatch(uploaded.filename, /^[0-9a-f]{32}\.png$/);
    assertEquals(uploaded.url, `${server.url}media/${uploaded.filename}`);

    const got = await fetch(uploaded.url);
    assertEquals(got.status, 200);
    assertEquals(new Uint8Array(await got.arrayBuffer()), tinyPng(3));
    assertEquals(got.headers.get("content-type"), "image/png");
    assertEquals(got.headers.get("x-content-type-options"), "nosniff");
    assertEquals(got.headers.get("cache-control"), "public, max-age=31536000, immutable");
    const etag = got.headers.get("etag")!;
    assertEquals((await fetch(uploaded.url, { headers: { "if-none-match": etag } })).status, 304);
    const part = await fetch(uploaded.url, { headers: { range: "bytes=0-7" } });
    assertEquals(part.status, 206);
    assertEquals(new Uint8Array(await part.arrayBuffer()), tinyPng(3).subarray(0, 8));

    const list = await (await fetch(`${server.url}media`)).json();
    assertEquals(list.count, 1);
    assertEquals(list.images.map((i: { filename: string; url: string }) => [i.filename, i.url]), [
      [uploaded.filename, uploaded.url],
    ]);

    const deleted = await fetch(`${uploaded.url}?token=${await djangoToken()}`, {
      method: "DELETE",
    });
    assertEquals(await deleted.json(), { detail: `Deleted ${uploaded.filename}` });
    const gone = await fetch(uploaded.url);
    assertEquals(gone.status, 404);
    assertEquals(await gone.json(), { detail: "Image not found." });
    assertEquals(await filesUnder(join(server.dataDir, "media")), []);
    assertEquals((await (await fetch(`${server.url}media`)).json()).count, 0);
  } finally {
    await server.close();
  }
});

Deno.test("media: expired, future, malformed, tampered and missing tokens get the seed's bodies", async () => {
  const server = await startApp({ env: { ...ENV, TOKEN_EXPIRY_SECONDS: "900" } });
  try {
    const good = await djangoToken();
    const tampered = good.slice(0, -1) + (good.endsWith("a") ? "b" : "a");
    const cases: [string, string | undefined, number, unknown][] = [
      ["missing", undefined, 422, missing("query", "token")],
      ["empty", "", 401, { detail: "Upload token is required." }],
      ["malformed", "not-a-token", 401, { detail: "Malformed token." }],
      ["expired", await djangoToken(SECRET, -901), 401, { detail: "Token has expired." }],
      ["future", await djangoToken(SECRET, 3600), 401, { detail: "Invalid token." }],
      ["tampered", tampered, 401, { detail: "Invalid token." }],
      ["other secret", await djangoToken("x".repeat(40)), 401, { detail: "Invalid token." }],
    ];
    for (const [name, token, status, body] of cases) {
      const response = await uploadMedia(server, token, tinyPng());
      assertEquals([response.status, await response.json()], [status, body], `upload, ${name}`);
      const query = token === undefined ? "" : `?token=${encodeURIComponent(token)}`;
      const del = await server.fetch(`${server.url}media/${"a".repeat(32)}.png${query}`, {
        method: "DELETE",
      });
      assertEquals([del.status, await del.json()], [status, body], `delete, ${name}`);
    }
    assertEquals(await filesUnder(join(server.dataDir, "media")), [], "nothing was stored");

    const noFile = await uploadMedia(server, good, tinyPng(), "a.png", "image");
    assertEquals([noFile.status, await noFile.json()], [422, missing("body", "file")]);
    const notMultipart = await server.fetch(`${server.url}upload?token=${good}`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    assertEquals([notMultipart.status, await notMultipart.json()], [422, missing("body", "file")]);
    const broken = await server.fetch(`${server.url}upload?token=${good}`, {
      method: "POST",
      body: '--X\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nabc',
      headers: { "content-type": "multipart/form-data; boundary=X" },
    });
    assertEquals(broken.status, 400);
    assertEquals(typeof (await broken.json()).detail, "string");
  } finally {
    await server.close();
  }
});

Deno.test("media: PUBLIC_URL builds the URLs, and /media pages newest first", async () => {
  const server = await startServer({
    env: { ...ENV, PUBLIC_URL: "https://media.example.com/", BASE_PATH: "/m/" },
  });
  try {
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await uploadMedia(server, await djangoToken(), tinyPng(i), `p${i}.PNG`);
      const body = await response.json();
      assertEquals(body.url, `https://media.example.com/m/media/${body.filename}`);
      names.push(body.filename);
      // Newest first is by creation time: the next upload must get a later millisecond.
      const stamped = Date.now();
      await waitFor(() => Date.now() > stamped, { intervalMs: 1 });
    }
    const page = await (await fetch(`${server.url}media?limit=2&offset=1`)).json();
    assertEquals(page.total, 3);
    assertEquals(page.count, 2);
    assertEquals(page.images.map((i: { filename: string }) => i.filename), [names[1], names[0]]);
    const all = await (await fetch(`${server.url}media`)).json();
    assertEquals(all.images.map((i: { filename: string }) => i.filename), names.toReversed());

    const bad = await fetch(`${server.url}media?limit=abc`);
    assertEquals(bad.status, 422);
    assertEquals((await bad.json()).detail[0].loc, ["query", "limit"]);
    const big = await fetch(`${server.url}media?limit=5000`);
    assertEquals([big.status, (await big.json()).detail[0].type], [
      422,
      "value_error.number.not_le",
    ]);
    const cors = await fetch(`${server.url}media`, { headers: { origin: "https://app.example" } });
    await cors.body?.cancel();
    assertEquals(cors.headers.get("access-control-allow-origin"), "*");
  } finally {
    await server.close();
  }
});

Deno.test("media: without MEDIA_SERVER_SECRET the library answers 503 and says why at start", async () => {
  const server = await startServer();
  try {
    await server.waitForLog(/Media library is disabled/);
    const body = { detail: "Media library is disabled: MEDIA_SERVER_SECRET is not set." };
    for (
      const response of [
        await uploadMedia(server, "1.a", tinyPng()),
        await fetch(`${server.url}media`),
        await fetch(`${server.url}media/${"a".repeat(32)}.png`),
        await fetch(`${server.url}media/${"a".repeat(32)}.png?token=x`, { method: "DELETE" }),
      ]
    ) {
      assertEquals([response.status, await response.json()], [503, body]);
    }
    const health = await fetch(server.url, { headers: { accept: "application/json" } });
    assertEquals(await health.json(), { status: "ok", service: "Media Server" });
    assertEquals((await (await fetch(`${server.url}healthz`)).json()).status, "ok");
  } finally {
    await server.close();
  }
});

Deno.test("media: the admin page needs an htpasswd admin, and mints tokens that work", async () => {
  const server = await startServer({ env: ENV });
  try {
    const anonymous = await fetch(`${server.url}media/admin`);
    assertEquals(anonymous.status, 401);
    assertMatch(anonymous.headers.get("www-authenticate") ?? "", /^Basic realm=/);
    await anonymous.body?.cancel();
    const wrong = await fetch(`${server.url}media/admin/token`, {
      method: "POST",
      headers: { authorization: basic("admin", "nope") },
    });
    assertEquals([wrong.status, await wrong.json()], [401, { detail: "Invalid credentials." }]);

    const admin = { authorization: basic("admin", "adminpw") };
    const page = await fetch(`${server.url}media/admin`, { headers: admin });
    assertEquals(page.status, 200);
    assertMatch(await page.text(), /assets\/media\.js/);
    const minted = await fetch(`${server.url}media/admin/token`, {
      method: "POST",
      headers: admin,
    });
    const { token } = await minted.json();
    assertEquals(minted.headers.get("access-control-allow-origin"), null, "no CORS on admin");
    assertEquals((await uploadMedia(server, token, tinyPng())).status, 200);
  } finally {
    await server.close();
  }
});

Deno.test("media: thumbnails are made once with ffmpeg, and originals stand in without it", async () => {
  const photo = await Deno.makeTempFile({ suffix: ".jpg" });
  const made = await new Deno.Command("ffmpeg", {
    args: [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=800x600",
      "-frames:v",
      "1",
      "-y",
      photo,
    ],
  }).output();
  assert(made.success, "ffmpeg made a test photo");
  const bytes = await Deno.readFile(photo);
  await Deno.remove(photo);
  for (const ffmpeg of ["ffmpeg", "/nonexistent/ffmpeg"]) {
    const server = await startServer({ env: { ...ENV, FFMPEG_PATH: ffmpeg } });
    try {
      const { url, filename } =
        await (await uploadMedia(server, await djangoToken(), bytes, "p.jpg"))
          .json();
      const thumb = await fetch(`${url}?w=300`);
      const body = new Uint8Array(await thumb.arrayBuffer());
      assertEquals(thumb.headers.get("content-type"), "image/jpeg");
      if (ffmpeg === "ffmpeg") {
        assert(body.length < bytes.length, "the thumbnail is smaller");
        assertEquals(jpegWidth(body), 320, "rounded up to 320 wide");
        if (blobsOnDisk()) {
          const cached = await filesUnder(join(server.dataDir, "media/.thumbs"));
          assertEquals(cached, [filename.replace(".jpg", "-w320.jpg")]);
        }
        assertEquals(thumb.headers.get("etag"), `"${filename}-w320"`);
      } else {
        assertEquals(body, bytes, "without ffmpeg the original is served");
        await server.waitForLog(/ffmpeg not found/);
      }
      const bad = await fetch(`${url}?w=0`);
      assertEquals(bad.status, 422);
      await bad.body?.cancel();
    } finally {
      await server.close();
    }
  }
});

/** The width in a baseline or progressive JPEG's SOF marker. */
function jpegWidth(bytes: Uint8Array): number {
  for (let i = 2; i < bytes.length - 8;) {
    const marker = bytes[i + 1];
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker >= 0xc0 && marker <= 0xc2) return (bytes[i + 7] << 8) | bytes[i + 8];
    i += 2 + length;
  }
  return -1;
}

Deno.test("media: HEAD, CORS on errors too, and FastAPI's 404/405 around the routes", async () => {
  const server = await startApp({ env: ENV });
  try {
    const { url } = await (await uploadMedia(server, await djangoToken(), tinyPng(5))).json();
    const head = await server.fetch(url, { method: "HEAD" });
    assertEquals([head.status, head.headers.get("content-length")], [
      200,
      String(tinyPng(5).length),
    ]);
    const form = new FormData();
    form.append("file", new Blob([tinyPng() as BlobPart]), "a.png");
    const refused = await server.fetch(`${server.url}upload?token=bad`, {
      method: "POST",
      body: form,
      headers: { origin: "https://app.example" },
    });
    assertEquals(refused.headers.get("access-control-allow-origin"), "*", "readable cross-origin");
    assertEquals(await refused.json(), { detail: "Malformed token." });
    const preflight = await server.fetch(url, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "DELETE" },
    });
    await preflight.body?.cancel();
    assertMatch(preflight.headers.get("access-control-allow-methods") ?? "", /DELETE/);
    const answers: [string, string, number, unknown][] = [
      ["GET", "upload", 405, { detail: "Method Not Allowed" }],
      ["POST", "media/abc.png", 405, { detail: "Method Not Allowed" }],
      ["GET", "media/a/b", 404, { detail: "Not Found" }],
    ];
    for (const [method, path, status, body] of answers) {
      const response = await server.fetch(`${server.url}${path}`, { method });
      assertEquals([response.status, await response.json()], [status, body], `${method} ${path}`);
    }
  } finally {
    await server.close();
  }
});

Deno.test("media: GET / is the Media Server's health check for scripts, the home page for browsers", async () => {
  const server = await startApp({ env: ENV });
  try {
    for (const accept of [undefined, "application/json", "*/*"]) {
      const health = await api(server, "GET", "", { headers: accept ? { accept } : {} });
      assertEquals([health.status, health.body], [200, { status: "ok", service: "Media Server" }]);
    }
    const page = await server.fetch(server.url, { headers: { accept: "text/html" } });
    assertMatch(page.headers.get("content-type") ?? "", /^text\/html/);
    await page.body?.cancel();
    assertEquals((await api(server, "GET", "healthz")).body, { status: "ok", service: "Roomcast" });
    const list = await api(server, "GET", "media");
    assertEquals([list.status, list.body.count, list.body.total, list.body.images], [
      200,
      0,
      0,
      [],
    ]);
  } finally {
    await server.close();
  }
});
