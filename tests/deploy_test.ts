// Deno Deploy's shape (issue 13): RTMP off, PostgreSQL, Redis and object storage set, no ffmpeg,
// and a DATA_DIR (and /tmp) the kernel keeps read-only: every non-RTMP feature still works.
import { join } from "node:path";
import { htpasswdLine } from "../storage/htpasswd.ts";
import { assert, assertEquals } from "./_assert.ts";
import { call as codeCall, createSession } from "./_code_client.ts";
import { tinyPng } from "./_images.ts";
import { djangoToken, SECRET as MEDIA_SECRET } from "./_media.ts";
import { startPostgres } from "./_postgres.ts";
import { startRedis } from "./_redis.ts";
import { startS3 } from "./_s3.ts";
import { basic, startServer } from "./_server.ts";
import { sseReader } from "./_sse.ts";
import { ADMIN_TOKEN, api as streamApi, joinChat, postChat } from "./_streams.ts";
import { openSocket } from "./_ws.ts";
import { api, signupUser } from "./_workspaces.ts";

/** Every file under `dir` with its size and mtime: what "nothing written" is compared by. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string) => {
    for await (const entry of Deno.readDir(at)) {
      const path = join(at, entry.name);
      const info = await Deno.stat(path);
      out.push(`${path} ${info.size} ${info.mtime?.getTime()}`);
      if (entry.isDirectory) await walk(path);
    }
  };
  await walk(dir);
  return out.sort();
}

/** Child processes of `pid` (all its threads'), from /proc. */
async function children(pid: number): Promise<string[]> {
  const found: string[] = [];
  for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
    const text = await Deno.readTextFile(`/proc/${pid}/task/${task.name}/children`).catch(() => "");
    found.push(...text.split(" ").filter(Boolean));
  }
  return found;
}

Deno.test("Deno Deploy's shape: read-only DATA_DIR and /tmp, no ffmpeg, no RTMP; every other feature works", async () => {
  const [pg, redis, s3] = await Promise.all([startPostgres(), startRedis(), startS3()]);
  const dataDir = await Deno.makeTempDir({ prefix: "roomcast-deploy-" });
  // The operator's shared volume: the admin's and one room's htpasswd, edited by hand beforehand.
  await Deno.writeTextFile(join(dataDir, ".htpasswd"), htpasswdLine("admin", "adminpw", 4) + "\n");
  await Deno.mkdir(join(dataDir, "rooms/wall"), { recursive: true });
  await Deno.writeTextFile(
    join(dataDir, "rooms/wall/.htpasswd"),
    htpasswdLine("ann", "annpw", 4) + "\n",
  );
  const before = await snapshot(dataDir);
  const server = await startServer({
    dataDir,
    admins: null,
    readOnly: [dataDir, "/tmp"],
    env: {
      ...s3.env,
      DATABASE_URL: await pg.createDatabase(),
      REDIS_URL: redis.url,
      RTMP_ENABLED: "false",
      FFMPEG_PATH: "/nonexistent/ffmpeg",
      SERVER_ADMIN_TOKEN: ADMIN_TOKEN,
      MEDIA_SERVER_SECRET: MEDIA_SECRET,
    },
  });
  try {
    const ready = await fetch(`${server.url}readyz`);
    assertEquals(ready.status, 200, await ready.text());

    // Image rooms: an upload is stored in the bucket and pushed to a viewer.
    const viewer = sseReader(await fetch(`${server.url}wall/events`));
    assertEquals((await viewer.next())?.data, "connected");
    const form = new FormData();
    form.append("image", new Blob([tinyPng(1) as BlobPart]), "x.png");
    const uploaded = await fetch(`${server.url}wall/upload`, {
      method: "POST",
      body: form,
      headers: { authorization: basic("ann", "annpw") },
    });
    assertEquals(uploaded.status, 200, await uploaded.text());
    assertEquals((await viewer.next())?.data, "updated");
    await viewer.close();
    const live = await fetch(`${server.url}wall/live`);
    assertEquals(new Uint8Array(await live.arrayBuffer()), tinyPng(1));
    const meta = await (await fetch(`${server.url}wall/meta`)).json();
    const thumb = await fetch(`${server.url}wall/thumb/${meta.current.id}?w=320`);
    assertEquals(thumb.status, 200, "without ffmpeg the original stands in for the thumbnail");
    await thumb.body?.cancel();

    // Workspaces: sign-up, a message over REST, delivered on /ws.
    const ada = await signupUser(server, "ada");
    const channelId = Number((await api(server, ada, "GET", "api/bootstrap")).body.activeChannelId);
    const socket = await openSocket(server.url.replace(/^http/, "ws") + "ws", {
      cookie: ada.cookie,
      origin: server.origin,
    });
    socket.send({ type: "subscribe", channelId });
    for (let m = await socket.next(); m.type !== "subscribed"; m = await socket.next());
    const posted = await api(server, ada, "POST", `api/channels/${channelId}/messages`, {
      content: "from the edge",
    });
    assertEquals(posted.status, 201);
    let got = await socket.next();
    while (got.type !== "message") got = await socket.next();
    assertEquals((got.message as { content: string }).content, "from the edge");
    await socket.close();

    // The media library: a token upload, listed and served from the bucket.
    const media = new FormData();
    media.append("file", new Blob([tinyPng(2) as BlobPart]), "cat.png");
    const saved = await fetch(`${server.url}upload?token=${await djangoToken()}`, {
      method: "POST",
      body: media,
    });
    assertEquals(saved.status, 200, await saved.clone().text());
    const { filename } = await saved.json();
    const list = await (await fetch(`${server.url}media`)).json();
    assertEquals(list.images.map((i: { filename: string }) => i.filename), [filename]);
    const file = await fetch(`${server.url}media/${filename}`);
    assertEquals(new Uint8Array(await file.arrayBuffer()), tinyPng(2));

    // Code sessions: create, join, push, read.
    const session = await createSession(server);
    const joined = await codeCall(server, "POST", `/${session.code}/join`, {
      body: { display_name: "pat" },
    });
    assertEquals(joined.status, 201);
    const pushed = await codeCall(server, "POST", `/${session.code}/snippets`, {
      body: { file_name: "a.ts", content: "let x = 1;" },
      auth: session.token,
    });
    assertEquals(pushed.status, 201, JSON.stringify(pushed.body));
    const latest = await codeCall(server, "GET", `/${session.code}/snippets`);
    assertEquals(latest.body.content, "let x = 1;");

    // Stream rooms without RTMP: rooms and their chat work; nothing plays.
    const room = await streamApi(server.url, "POST", "api/rooms", { body: { name: "Talk" } });
    assertEquals(room.status, 201);
    const chat = await joinChat(server.url, room.body.slug, "viewer");
    assertEquals(chat.status, 201, JSON.stringify(chat.body));
    const said = await postChat(server.url, room.body.slug, chat.body.token, "hello");
    assertEquals(said.status, 201, JSON.stringify(said.body));

    // Creating a room writes its htpasswd: on a read-only DATA_DIR that is the operator's job.
    const made = await fetch(`${server.url}newroom/upload`, {
      method: "POST",
      body: (() => {
        const f = new FormData();
        f.append("image", new Blob([tinyPng(5) as BlobPart]), "x.png");
        return f;
      })(),
      headers: { authorization: basic("admin", "adminpw") },
    });
    assertEquals(made.status, 503);
    assertEquals((await made.json()).error.includes("read-only"), true);

    const health = await fetch(`${server.url}healthz`);
    assertEquals(health.status, 200, await health.text());
    assertEquals(await children(server.pid), [], "no subprocess was started");
    assert(server.running(), "the server is still up");
  } finally {
    await server.close();
    await Promise.all([pg.stop(), redis.stop(), s3.stop()]);
  }
  assertEquals(await snapshot(dataDir), before, "nothing in DATA_DIR changed");
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("a read-only DATA_DIR without an admin htpasswd starts, and says why image admin is off", async () => {
  const pg = await startPostgres();
  const dataDir = await Deno.makeTempDir({ prefix: "roomcast-deploy-" });
  try {
    const server = await startServer({
      dataDir,
      admins: null,
      readOnly: [dataDir],
      env: { DATABASE_URL: await pg.createDatabase(), RTMP_ENABLED: "false" },
    });
    try {
      await server.waitForLog(/^Cannot create the admin htpasswd: DATA_DIR is read-only$/);
      assertEquals((await fetch(`${server.url}healthz`)).status, 200);
    } finally {
      await server.close();
    }
    assertEquals(await snapshot(dataDir), [], "nothing written");
  } finally {
    await pg.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
