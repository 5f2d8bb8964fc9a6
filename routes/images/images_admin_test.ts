// Image room management, captions and thumbnails against the real server process.
import { blobsOnDisk } from "../../tests/_engines.ts";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { basic, startServer } from "../../tests/_server.ts";
import { join } from "node:path";
import { ADMIN, manage, noiseJpeg, postImage, uploadOk } from "./_image_client.ts";

async function curlUpload(url: string, file: string, credentials: string): Promise<string> {
  const args = ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-F", `image=@${file}`];
  const { stdout } = await new Deno.Command("curl", { args: [...args, "-u", credentials, url] })
    .output();
  return new TextDecoder().decode(stdout);
}

Deno.test("image rooms admin: add and remove an uploader, who then uploads by curl", async () => {
  const server = await startServer();
  try {
    await uploadOk(server, "team");
    const image = join(server.dataDir, "photo.jpg");
    await noiseJpeg(image);
    const uploadUrl = `${server.url}team/upload`;
    assertEquals(await curlUpload(uploadUrl, image, "bob:bobpass"), "401");

    const added = await manage(server, "POST", "team/uploaders", {
      user: "bob",
      password: "bobpass",
    });
    assertEquals(added.status, 200);
    assertEquals((await added.json()).uploaders.map((u: { user: string }) => u.user), [
      "admin",
      "bob",
    ]);
    // The same file a hand edit changes: bcrypt, `$2y$`, one line per user.
    const file = await Deno.readTextFile(join(server.dataDir, "rooms/team/.htpasswd"));
    assert(/^bob:\$2y\$10\$/m.test(file), file);
    assertEquals(await curlUpload(uploadUrl, image, "bob:bobpass"), "200");

    // A hand edit is seen by the API, and the API keeps the hand-written comment.
    await Deno.writeTextFile(
      join(server.dataDir, "rooms/team/.htpasswd"),
      "# carol by hand\n",
      { append: true },
    );
    const changed = await manage(server, "POST", "team/uploaders", {
      user: "bob",
      password: "new",
    });
    assertEquals(changed.status, 200);
    const after = await Deno.readTextFile(join(server.dataDir, "rooms/team/.htpasswd"));
    assert(after.includes("# carol by hand"), after);
    assertEquals(after.match(/^bob:/gm)?.length, 1);
    assertEquals(await curlUpload(uploadUrl, image, "bob:bobpass"), "401");
    assertEquals(await curlUpload(uploadUrl, image, "bob:new"), "200");

    assertEquals((await manage(server, "DELETE", "team/uploaders/bob")).status, 200);
    assertEquals(await curlUpload(uploadUrl, image, "bob:new"), "401");
    assertEquals((await manage(server, "DELETE", "team/uploaders/bob")).status, 404);
  } finally {
    await server.close();
  }
});

Deno.test("image rooms admin: clear empties the history, delete removes the room", async () => {
  const server = await startServer();
  try {
    await uploadOk(server, "wall");
    const second = await uploadOk(server, "wall");
    const listed = await (await manage(server, "GET", "manage")).json();
    assertEquals(listed.rooms[0].room, "wall");
    assertEquals(listed.rooms[0].images, 2);

    const cleared = await manage(server, "POST", "wall/clear");
    assertEquals((await cleared.json()).removed, 2);
    assertEquals((await fetch(`${server.url}wall/live`)).status, 404);
    assertEquals((await fetch(`${server.url}wall/images/${second}`)).status, 404);
    const meta = await (await fetch(`${server.url}wall/meta`)).json();
    assertEquals([meta.current, meta.recent], [null, []]);
    // The room and its uploaders stay: the admin in it can still upload.
    await uploadOk(server, "wall");

    assertEquals((await manage(server, "DELETE", "wall")).status, 200);
    assertEquals((await fetch(`${server.url}wall/meta`)).status, 404);
    assertEquals((await fetch(`${server.url}wall/events`)).status, 404);
    assertEquals((await fetch(`${server.url}wall`)).status, 404);
    assertEquals((await manage(server, "DELETE", "wall")).status, 404);
    const rest = [...Deno.readDirSync(join(server.dataDir, "rooms"))].map((e) => e.name);
    assert(!rest.includes("wall"), rest.join());
  } finally {
    await server.close();
  }
});

Deno.test("image rooms admin: room users, wrong passwords and no credentials are refused", async () => {
  const server = await startServer();
  try {
    await uploadOk(server, "team");
    await manage(server, "POST", "team/uploaders", { user: "alice", password: "alicepass" });
    const alice = basic("alice", "alicepass");
    for (
      const [method, path] of [
        ["GET", "manage"],
        ["POST", "team/clear"],
        ["DELETE", "team"],
        ["POST", "team/uploaders"],
        ["DELETE", "team/uploaders/alice"],
      ]
    ) {
      const body = method === "POST" ? { user: "eve", password: "x" } : undefined;
      const asAlice = await manage(server, method, path, body, alice);
      assertEquals(asAlice.status, 403, `${method} ${path} as a room user`);
      await asAlice.body?.cancel();
      const none = await manage(server, method, path, undefined, null);
      assertEquals(none.status, 401);
      await none.body?.cancel();
      assertEquals(none.headers.get("www-authenticate"), 'Basic realm="Roomcast admin"');
    }
    // Each refusal above counted against the client's failures; a wrong admin password too.
    const wrong = await manage(server, "GET", "manage", undefined, basic("admin", "nope"));
    assertEquals(wrong.status, 403);
    await wrong.body?.cancel();
    assertEquals((await fetch(`${server.url}rooms`)).status, 401);
    const page = await fetch(`${server.url}rooms`, { headers: { authorization: ADMIN } });
    assertEquals(page.status, 200);
    await page.body?.cancel();
    // Nothing changed.
    const meta = await (await fetch(`${server.url}team/meta`)).json();
    assertEquals(meta.recent.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("image rooms admin: uploader names and passwords are checked", async () => {
  const server = await startServer();
  try {
    await uploadOk(server, "team");
    for (
      const body of [
        { user: "a:b", password: "x" },
        { user: "line\nbreak", password: "x" },
        { user: "bidi\u202e", password: "x" },
        { user: "x".repeat(65), password: "x" },
        { user: "ok" },
        { user: "ok", password: "é".repeat(37) },
        { password: "x" },
      ]
    ) {
      const response = await manage(server, "POST", "team/uploaders", body);
      assertEquals(response.status, 400, JSON.stringify(body));
      await response.body?.cancel();
    }
    const file = await Deno.readTextFile(join(server.dataDir, "rooms/team/.htpasswd"));
    assertEquals(file.trim().split("\n").length, 1);
    assertEquals(
      (await manage(server, "POST", "nosuch/uploaders", { user: "a", password: "b" })).status,
      404,
    );
  } finally {
    await server.close();
  }
});

Deno.test("image rooms: captions are kept, shown in meta, and checked", async () => {
  const server = await startServer();
  try {
    const id = await uploadOk(server, "wall", { caption: "  Team photo 🎉  " });
    const meta = await (await fetch(`${server.url}wall/meta`)).json();
    assertEquals(meta.current.id, id);
    assertEquals(meta.current.caption, "Team photo 🎉");
    const plain = await uploadOk(server, "wall");
    assertEquals((await (await fetch(`${server.url}wall/meta`)).json()).current.caption, null);

    for (const caption of ["x".repeat(281), "bell\u0007", "two\nlines", "rtl\u202eoverride"]) {
      const response = await postImage(server, "wall", { caption });
      assertEquals(response.status, 400, JSON.stringify(caption));
      assert((await response.json()).error.includes('"caption"'));
    }
    // A caption after the image in the form is checked too, and its image is not kept.
    const form = new FormData();
    form.append(
      "image",
      new Blob([new Uint8Array(await Deno.readFile(await makeImage()))]),
      "a.jpg",
    );
    form.append("caption", "y".repeat(300));
    const late = await fetch(`${server.url}wall/upload`, {
      method: "POST",
      body: form,
      headers: { authorization: ADMIN },
    });
    assertEquals(late.status, 400);
    await late.body?.cancel();
    assertEquals((await (await fetch(`${server.url}wall/meta`)).json()).current.id, plain);
    const staged = [...Deno.readDirSync(join(server.dataDir, "rooms"))].filter((e) =>
      e.name.startsWith(".tmp-")
    );
    assertEquals(staged.length, 0, "no staged file is left behind");
    // 280 characters, counted as characters (emoji are one each).
    await uploadOk(server, "wall", { caption: "🎉".repeat(280) });
  } finally {
    await server.close();
  }
});

async function makeImage(): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".jpg" });
  await noiseJpeg(path);
  return path;
}

Deno.test("image rooms: the strip's thumbnail is small, made once, and forgotten with its image", async () => {
  const server = await startServer({ env: { IMAGE_HISTORY: "2" } });
  try {
    const original = await Deno.readFile(await makeImage());
    const id = await uploadOk(server, "wall", { body: original });
    const meta = await (await fetch(`${server.url}wall/meta`)).json();
    assertEquals(meta.current.thumbUrl, `/wall/thumb/${id}`);
    const thumb = await fetch(`${server.url}wall/thumb/${id}`);
    assertEquals(thumb.headers.get("content-type"), "image/jpeg");
    const bytes = new Uint8Array(await thumb.arrayBuffer());
    assert(bytes.length * 10 < original.length, `${bytes.length} vs ${original.length} bytes`);
    const thumbs = join(server.dataDir, "rooms/.thumbs");
    const onDisk = blobsOnDisk();
    const made = onDisk ? [...Deno.readDirSync(thumbs)] : [];
    if (onDisk) assertEquals(made.length, 1);
    const mtime = onDisk ? Deno.statSync(join(thumbs, made[0].name)).mtime?.getTime() : 0;
    await (await fetch(`${server.url}wall/thumb/${id}`)).arrayBuffer();
    if (onDisk) {
      const again = Deno.statSync(join(thumbs, made[0].name)).mtime?.getTime();
      assertEquals(again, mtime, "made once");
    }
    assertEquals((await fetch(`${server.url}wall/thumb/999999`)).status, 404);
    // Two more uploads push the first out of a history of 2: its thumbnail goes with it.
    await uploadOk(server, "wall");
    await uploadOk(server, "wall");
    if (onDisk) assertEquals([...Deno.readDirSync(thumbs)].length, 0);
  } finally {
    await server.close();
  }
});
