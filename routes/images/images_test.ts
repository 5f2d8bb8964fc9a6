// Image rooms: imgcast's contract and Roomcast's checks, on the real server and (API shapes) in process.
import { blobsOnDisk } from "../../tests/_engines.ts";
import { assert, assertEquals, assertMatch } from "../../tests/_assert.ts";
import { basic, startServer } from "../../tests/_server.ts";
import { startApp } from "../../tests/_app.ts";
import { api, type ApiTarget } from "../../tests/_api.ts";
import { tinyGif, tinyPng } from "../../tests/_images.ts";
import { htpasswdLine } from "../../storage/htpasswd.ts";
import { readSse } from "../../tests/_sse.ts";
import { join } from "node:path";

function upload(
  server: ApiTarget,
  room: string,
  body: Uint8Array,
  auth?: string,
  field = "image",
) {
  const form = new FormData();
  form.append(field, new Blob([body as BlobPart]), "myimage.png");
  return (server.fetch ?? fetch)(
    new Request(`${server.url}${room}/upload`, {
      method: "POST",
      body: form,
      headers: auth ? { authorization: auth } : {},
    }),
  );
}

async function curl(args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command("curl", { args: ["-sS", ...args] })
    .output();
  return { code, out: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

Deno.test("image rooms: the seed's curl commands work verbatim", async () => {
  const server = await startServer({ admins: { admin: "yourpassword" } });
  try {
    const image = await Deno.makeTempFile({ suffix: ".jpg" });
    await Deno.writeFile(image, tinyPng(1));
    const created = await curl([
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "-F",
      `image=@${image}`,
      "-u",
      "admin:yourpassword",
      `${server.url}myroom/upload`,
    ]);
    assertEquals(created.out, "200");

    const live = await fetch(`${server.url}myroom/live`);
    assertEquals(live.status, 200);
    assertEquals(live.headers.get("content-type"), "image/png");
    assertEquals(live.headers.get("cache-control"), "no-cache, no-store, must-revalidate");
    assertEquals(new Uint8Array(await live.arrayBuffer()), tinyPng(1));

    // htpasswd -nbB alice alicepass >> var/rooms/team-alpha/.htpasswd
    await curl([
      "-o",
      "/dev/null",
      "-F",
      `image=@${image}`,
      "-u",
      "admin:yourpassword",
      `${server.url}team-alpha/upload`,
    ]);
    const line = htpasswdLine("alice", "alicepass", 5);
    await Deno.writeTextFile(join(server.dataDir, "rooms/team-alpha/.htpasswd"), line + "\n", {
      append: true,
    });
    const alice = await curl([
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "-F",
      `image=@${image}`,
      "-u",
      "alice:alicepass",
      `${server.url}team-alpha/upload`,
    ]);
    assertEquals(alice.out, "200", "alice can upload once added by hand, without a restart");

    const viewer = await fetch(`${server.url}myroom`, { headers: { accept: "text/html" } });
    assertEquals(viewer.status, 200);
    assertMatch(await viewer.text(), /image_room\.js/);
    await Deno.remove(image);
  } finally {
    await server.close();
  }
});

Deno.test("image rooms: authentication rules", async () => {
  const server = await startServer();
  try {
    const noAuth = await upload(server, "demo", tinyPng());
    assertEquals(noAuth.status, 401);
    assertEquals(noAuth.headers.get("www-authenticate"), 'Basic realm="Room Upload"');
    assertEquals((await noAuth.json()).error, "Authentication required");

    const wrong = await upload(server, "demo", tinyPng(), basic("admin", "nope"));
    assertEquals(wrong.status, 401);
    await wrong.body?.cancel();
    const unknown = await upload(server, "demo", tinyPng(), basic("ghost", "adminpw"));
    assertEquals(unknown.status, 401);
    await unknown.body?.cancel();
    assertEquals((await fetch(`${server.url}demo/live`)).status, 404, "no room was created");

    assertEquals((await upload(server, "demo", tinyPng(), basic("admin", "adminpw"))).status, 200);
    const roomFile = await Deno.readTextFile(join(server.dataDir, "rooms/demo/.htpasswd"));
    assertMatch(roomFile, /^admin:\$2[aby]\$/, "the room starts with its creator's line");

    // Only the room's file counts once the room exists: a second admin is not in it.
    await Deno.writeTextFile(
      join(server.dataDir, ".htpasswd"),
      htpasswdLine("boss", "bosspw", 4) + "\n",
      { append: true },
    );
    const outsider = await upload(server, "demo", tinyPng(), basic("boss", "bosspw"));
    assertEquals(outsider.status, 401);
    await outsider.body?.cancel();

    // A non-admin room user cannot create a new room.
    await Deno.writeTextFile(
      join(server.dataDir, "rooms/demo/.htpasswd"),
      htpasswdLine("carol", "carolpw", 4) + "\n",
      { append: true },
    );
    assertEquals((await upload(server, "demo", tinyPng(2), basic("carol", "carolpw"))).status, 200);
    const create = await upload(server, "carols-room", tinyPng(), basic("carol", "carolpw"));
    assertEquals(create.status, 401);
    await create.body?.cancel();

    // Non-bcrypt hashes are refused, with a logged reason.
    await Deno.writeTextFile(
      join(server.dataDir, "rooms/demo/.htpasswd"),
      "md5user:$apr1$abc$0123456789abcdefghijk\n",
      { append: true },
    );
    const md5 = await upload(server, "demo", tinyPng(), basic("md5user", "x"));
    assertEquals(md5.status, 401);
    await md5.body?.cancel();
    await server.waitForLog(/only bcrypt/);
  } finally {
    await server.close();
  }
});

Deno.test("image rooms: bad input gets a 4xx and leaves the previous image intact", async () => {
  const server = await startServer({ env: { MAX_UPLOAD_BYTES: "4096" } });
  const admin = basic("admin", "adminpw");
  try {
    assertEquals((await upload(server, "keep", tinyPng(7), admin)).status, 200);
    const cases: [string, Promise<Response>, number][] = [
      ["invalid name", upload(server, "bad!room", tinyPng(), admin), 400],
      ["reserved name", upload(server, "api", tinyPng(), admin), 400],
      [
        "not an image",
        upload(server, "keep", new TextEncoder().encode("<html>hi</html>".repeat(10)), admin),
        415,
      ],
      ["missing field", upload(server, "keep", tinyPng(), admin, "photo"), 400],
      ["oversize", upload(server, "keep", new Uint8Array(8192).fill(0xff), admin), 413],
      [
        "oversize, streamed",
        fetch(`${server.url}keep/upload`, {
          method: "POST",
          headers: { authorization: admin, "content-type": "multipart/form-data; boundary=XX" },
          body: new ReadableStream({
            start(c) {
              c.enqueue(
                new TextEncoder().encode(
                  '--XX\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n',
                ),
              );
              c.enqueue(tinyPng());
              for (let i = 0; i < 16; i++) c.enqueue(new Uint8Array(1024));
              c.close();
            },
          }),
        }),
        413,
      ],
      [
        "not multipart",
        fetch(`${server.url}keep/upload`, {
          method: "POST",
          headers: { authorization: admin },
          body: "x",
        }),
        400,
      ],
    ];
    for (const [name, pending, status] of cases) {
      const response = await pending;
      assertEquals(response.status, status, name);
      const body = await response.json();
      assert(typeof body.error === "string" && body.error.length > 0, `${name}: JSON error`);
    }
    const live = await fetch(`${server.url}keep/live`);
    assertEquals(new Uint8Array(await live.arrayBuffer()), tinyPng(7));
    if (blobsOnDisk()) {
      const leftovers = [...Deno.readDirSync(join(server.dataDir, "rooms/keep/images"))];
      assertEquals(leftovers.length, 1, "no temp or partial file is left behind");
    }
    assertEquals((await fetch(`${server.url}bad!room/live`)).status, 400);
  } finally {
    await server.close();
  }
});

Deno.test("image rooms: a refused upload creates no room; the first stored image does", async () => {
  const server = await startServer({ env: { MAX_UPLOAD_BYTES: "4096" } });
  const admin = basic("admin", "adminpw");
  const listed = async () =>
    ((await (await fetch(`${server.url}api/image-rooms`)).json()).rooms as { room: string }[])
      .map((r) => r.room);
  try {
    const refused: [string, Promise<Response>, number][] = [
      [
        "not an image",
        upload(server, "fresh", new TextEncoder().encode("<html>hi</html>"), admin),
        415,
      ],
      ["oversize", upload(server, "fresh", new Uint8Array(8192).fill(0xff), admin), 413],
      ["missing field", upload(server, "fresh", tinyPng(), admin, "photo"), 400],
    ];
    for (const [name, pending, status] of refused) {
      const response = await pending;
      assertEquals(response.status, status, name);
      await response.body?.cancel();
    }
    assertEquals(await listed(), []);
    const events = await fetch(`${server.url}fresh/events`);
    assertEquals(events.status, 404, "a room that was never made has no stream");
    await events.body?.cancel();
    if (blobsOnDisk()) {
      assertEquals([...Deno.readDirSync(join(server.dataDir, "rooms"))].map((e) => e.name), []);
    }

    const stored = await upload(server, "fresh", tinyPng(1), admin);
    assertEquals([stored.status, (await stored.json()).created], [200, true]);
    assertEquals(await listed(), ["fresh"]);
    const again = await upload(server, "fresh", tinyPng(2), admin);
    assertEquals((await again.json()).created, false);
  } finally {
    await server.close();
  }
});

Deno.test("image rooms: temp files a crash left are removed at start, images are kept", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomcast-test-" });
  const images = join(dataDir, "rooms", "wall", "images");
  await Deno.mkdir(images, { recursive: true });
  await Deno.writeFile(join(images, ".tmp-0b1c6f9e"), new Uint8Array(100));
  await Deno.writeFile(join(dataDir, "rooms", ".tmp-upload-77ad"), new Uint8Array(100));
  await Deno.writeFile(join(images, "1700000000000-abcd1234.png"), tinyPng(1));
  // An uploaders edit (rooms page) and a thumbnail cut short.
  await Deno.writeTextFile(join(dataDir, "rooms", "wall", ".tmp-htpasswd-5e1f"), "half");
  await Deno.mkdir(join(dataDir, "rooms", ".thumbs"));
  await Deno.writeFile(join(dataDir, "rooms", ".thumbs", ".tmp-9a2b"), new Uint8Array(10));
  const server = await startServer({ dataDir });
  try {
    assertEquals([...Deno.readDirSync(images)].map((e) => e.name), ["1700000000000-abcd1234.png"]);
    const rooms = [...Deno.readDirSync(join(dataDir, "rooms"))].map((e) => e.name).sort();
    assertEquals(rooms, [".thumbs", "wall"]);
    assertEquals([...Deno.readDirSync(join(dataDir, "rooms", "wall"))].map((e) => e.name), [
      "images",
    ]);
    assertEquals([...Deno.readDirSync(join(dataDir, "rooms", ".thumbs"))].length, 0);
    assertEquals((await server.waitForLog(/^Removed unfinished image uploads$/)).files, 4);
  } finally {
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("image rooms: /live has validators, 304s and the real type", async () => {
  const server = await startApp();
  try {
    await upload(server, "gifs", tinyGif(), basic("admin", "adminpw"));
    const first = await server.fetch(`${server.url}gifs/live`);
    await first.body?.cancel();
    assertEquals(first.headers.get("content-type"), "image/gif");
    const etag = first.headers.get("etag")!;
    assert(etag && first.headers.get("last-modified"));
    const again = await server.fetch(`${server.url}gifs/live`, {
      headers: { "if-none-match": etag },
    });
    assertEquals(again.status, 304);
    await upload(server, "gifs", tinyPng(), basic("admin", "adminpw"));
    const changed = await server.fetch(`${server.url}gifs/live`, {
      headers: { "if-none-match": etag },
    });
    assertEquals(changed.status, 200);
    assertEquals(changed.headers.get("content-type"), "image/png");
    await changed.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("image rooms: /live, /meta and /events of a room that does not exist are 404s", async () => {
  const server = await startApp();
  // Internal topics (the community removal relay) are there from the start.
  const topicsBefore = server.hub.stats().topics;
  try {
    const answers: [string, number, unknown][] = [
      ["nowhere/live", 404, { error: "No image in this room yet" }],
      ["nowhere/events", 404, { error: "Room not found" }],
      ["nowhere/images/1", 404, { error: "No such image" }],
    ];
    for (const [path, status, body] of answers) {
      const response = await api(server, "GET", path);
      assertEquals([response.status, response.body], [status, body], path);
      assertMatch(response.headers.get("content-type") ?? "", /^application\/json/, path);
    }
    // The viewer tells "no such room" from "no image yet" by this 404.
    const meta = await api(server, "GET", "nowhere/meta");
    assertEquals([meta.status, meta.body], [404, { error: "No such room" }]);
    assertEquals(server.hub.stats().topics, topicsBefore, "no topic for a room nobody made");
  } finally {
    await server.close();
  }
});

Deno.test("image rooms: SSE says connected, then updated, and resumes with Last-Event-ID", async () => {
  const server = await startServer();
  const admin = basic("admin", "adminpw");
  try {
    // No room, no stream (and no hub topic for a name anyone can make up).
    const early = await fetch(`${server.url}live-room/events`);
    const body = early.status === 404 ? await early.json() : await early.body?.cancel();
    assertEquals([early.status, body], [404, { error: "Room not found" }]);
    assertEquals((await upload(server, "live-room", tinyPng(1), admin)).status, 200);

    const stream = await fetch(`${server.url}live-room/events`);
    assertEquals(stream.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assertEquals(stream.headers.get("x-accel-buffering"), "no");
    // The stream subscribes before its headers are sent: the upload below reaches it.
    const reading = readSse(stream, 2);
    assertEquals((await upload(server, "live-room", tinyPng(2), admin)).status, 200);
    const frames = await reading;
    assertEquals(frames.map((f) => f.data), ["connected", "updated"]);
    const lastId = frames[1].id!;
    assertEquals(lastId, "2");

    // While disconnected, two uploads happen; the resumed stream gets both, in order.
    await upload(server, "live-room", tinyPng(3), admin);
    await upload(server, "live-room", tinyPng(4), admin);
    const resumed = await fetch(`${server.url}live-room/events`, {
      headers: { "last-event-id": lastId },
    });
    const missed = await readSse(resumed, 3);
    assertEquals(missed.map((f) => [f.id, f.data]), [[undefined, "connected"], ["3", "updated"], [
      "4",
      "updated",
    ]]);
  } finally {
    await server.close();
  }
});

Deno.test("image rooms: BASE_PATH=/imgcast/ prefixes every route, including room imgcastfoo", async () => {
  const server = await startServer({ env: { BASE_PATH: "/imgcast/" } });
  try {
    assertMatch(server.url, /\/imgcast\/$/);
    assertEquals(
      (await upload(server, "imgcastfoo", tinyPng(4), basic("admin", "adminpw"))).status,
      200,
    );
    const live = await fetch(`${server.url}imgcastfoo/live`);
    assertEquals(new Uint8Array(await live.arrayBuffer()), tinyPng(4));
    const page = await fetch(`${server.url}imgcastfoo`, { headers: { accept: "text/html" } });
    assertMatch(await page.text(), /\/imgcast\/assets\/image_room\.js/);
    const outside = await fetch(`${server.origin}/imgcastfoo/live`);
    assertEquals(outside.status, 404);
    await outside.body?.cancel();
    const meta = await (await fetch(`${server.url}imgcastfoo/meta`)).json();
    assertEquals(meta.current.url, "/imgcast/imgcastfoo/images/1");
  } finally {
    await server.close();
  }
});
