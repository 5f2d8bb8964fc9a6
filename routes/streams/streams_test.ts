// Stream rooms API against the real server process: StreamCircle's contract, hooks, HLS serving.
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { ADMIN_TOKEN, api, followSse, hook, nextMatching } from "../../tests/_streams.ts";
import { openSocket } from "../../tests/_ws.ts";

const env = { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, RTMP_ENABLED: "false" };

Deno.test("stream rooms: the seed's curl commands work, and keys never leak", async () => {
  const server = await startServer({ env });
  try {
    const created = await api(server.url, "POST", "api/rooms", { body: { name: "Soirée séries" } });
    assertEquals(created.status, 201);
    const room = created.body;
    assertEquals(room.slug, "soiree-series");
    assertEquals(room.name, "Soirée séries");
    assertMatch(room.streamKey, /^[A-Za-z0-9_-]{43}$/);
    assertEquals(room.rtmpUrl, "rtmp://127.0.0.1:1935/live");
    assertEquals(room.hlsUrl, `${server.url}hls/${room.playbackId}/index.m3u8`);
    assert(!room.hlsUrl.includes(room.streamKey), "the HLS link is not the stream key");
    assertEquals(room.isLive, false);

    // curl http://<host>:4000/api/rooms
    const curl = await new Deno.Command("curl", { args: ["-sS", `${server.url}api/rooms`] })
      .output();
    const list = JSON.parse(new TextDecoder().decode(curl.stdout));
    assertEquals(list.length, 1);
    assertEquals(list[0].slug, "soiree-series");
    assertEquals(list[0].viewers, 0);
    assertEquals(list[0].streamKey, undefined);
    assert(!JSON.stringify(list).includes(room.streamKey), "the list never has the key");

    const one = await api(server.url, "GET", "api/rooms/soiree-series", { admin: false });
    assertEquals(one.body.playbackId, room.playbackId);
    assertEquals(one.body.streamKey, undefined);

    const rotated = await api(server.url, "POST", "api/rooms/soiree-series/rotate");
    assertEquals(rotated.status, 200);
    assert(rotated.body.streamKey !== room.streamKey);
    assertEquals(rotated.body.playbackId, room.playbackId, "viewers keep their link");
    assertEquals((await hook(server.url, "publish", room.streamKey)).status, 403);
    assertEquals((await hook(server.url, "publish", rotated.body.streamKey)).status, 200);

    const messages = await api(server.url, "GET", "api/rooms/soiree-series/messages");
    assertEquals(messages, { status: 200, body: [] });
    const joined = await api(server.url, "POST", "api/rooms/soiree-series/join", {
      body: { nickname: " alice " },
      admin: false,
    });
    assertEquals(joined.status, 201);
    assertEquals(joined.body.nickname, "alice");
    assertMatch(joined.body.token, /^[A-Za-z0-9_-]{43}$/);

    const second = await api(server.url, "POST", "api/rooms", { body: { name: "soiree series" } });
    assertEquals(second.body.slug, "soiree-series-2");
    const deleted = await api(server.url, "DELETE", "api/rooms/soiree-series-2");
    assertEquals(deleted, { status: 200, body: { deleted: "soiree-series-2" } });
    assertEquals((await api(server.url, "GET", "api/rooms/soiree-series-2")).status, 404);
  } finally {
    await server.close();
  }
});

Deno.test("stream rooms: admin routes need SERVER_ADMIN_TOKEN, checked exactly", async () => {
  const off = await startServer({ env: { RTMP_ENABLED: "false" } });
  try {
    const disabled = await api(off.url, "POST", "api/rooms", { body: { name: "x" } });
    assertEquals(disabled.status, 503);
    assertEquals(disabled.body.error, "Admin API is disabled: SERVER_ADMIN_TOKEN is not set");
    assertEquals((await api(off.url, "GET", "api/rooms")).body, []);
  } finally {
    await off.close();
  }
  const server = await startServer({ env });
  try {
    const cases: [string, Parameters<typeof api>[3], number][] = [
      ["no token", { body: { name: "x" }, admin: false }, 401],
      ["wrong token", { body: { name: "x" }, admin: "nope" }, 403],
      ["prefix of the token", { body: { name: "x" }, admin: ADMIN_TOKEN.slice(0, -1) }, 403],
    ];
    for (const [name, options, status] of cases) {
      const response = await api(server.url, "POST", "api/rooms", options);
      assertEquals(response.status, status, name);
      assert(typeof response.body.error === "string", `${name}: JSON error`);
    }
    await api(server.url, "POST", "api/rooms", { body: { name: "Keep" } });
    for (
      const [method, path] of [["POST", "api/rooms/keep/rotate"], ["DELETE", "api/rooms/keep"]]
    ) {
      assertEquals((await api(server.url, method, path, { admin: "nope" })).status, 403, path);
    }
    assertEquals((await api(server.url, "GET", "api/rooms/keep")).status, 200, "still there");
  } finally {
    await server.close();
  }
});

Deno.test("stream rooms: bad input gets a clear 4xx JSON error", async () => {
  const server = await startServer({ env });
  try {
    await api(server.url, "POST", "api/rooms", { body: { name: "Room" } });
    const cases: [string, string, string, unknown, number][] = [
      ["no name", "POST", "api/rooms", {}, 400],
      ["empty name", "POST", "api/rooms", { name: "   " }, 400],
      ["name not a string", "POST", "api/rooms", { name: 42 }, 400],
      ["name too long", "POST", "api/rooms", { name: "x".repeat(101) }, 400],
      ["control characters", "POST", "api/rooms", { name: "a\nb" }, 400],
      ["not JSON", "POST", "api/rooms", "{nope", 400],
      ["JSON array", "POST", "api/rooms", "[1]", 400],
      ["huge body", "POST", "api/rooms", { name: "x".repeat(20_000) }, 413],
      ["bad slug", "GET", "api/rooms/Bad_Slug!", undefined, 400],
      ["unknown slug", "GET", "api/rooms/nope", undefined, 404],
      ["rotate unknown", "POST", "api/rooms/nope/rotate", undefined, 404],
      ["delete unknown", "DELETE", "api/rooms/nope", undefined, 404],
      ["messages unknown", "GET", "api/rooms/nope/messages", undefined, 404],
      ["join without nickname", "POST", "api/rooms/room/join", {}, 400],
      ["join, long nickname", "POST", "api/rooms/room/join", { nickname: "n".repeat(33) }, 400],
      ["join unknown room", "POST", "api/rooms/nope/join", { nickname: "a" }, 404],
    ];
    for (const [name, method, path, body, status] of cases) {
      const response = await api(server.url, method, path, { body });
      assertEquals(response.status, status, name);
      assert(typeof response.body.error === "string" && response.body.error, `${name}: JSON error`);
    }
    assertEquals((await api(server.url, "GET", "api/rooms")).body.length, 1, "nothing half-made");
  } finally {
    await server.close();
  }
});

Deno.test("stream rooms: nginx-rtmp hooks flip live state and viewer counts on SSE; bad keys refused", async () => {
  const server = await startServer({ env });
  const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Movie" } });
  const home = await followSse(`${server.url}api/rooms/events`);
  const topic = await followSse(`${server.url}api/rooms/movie/events`);
  try {
    const greeting = await home.waitFor((e) => e.json.type === "rooms");
    assertEquals((greeting.json.data as unknown as { slug: string }[])[0].slug, "movie");
    await topic.waitFor((e) => e.json.type === "status" && e.json.data.isLive === false);
    await topic.waitFor((e) => e.event === "viewers" && e.json.data.viewers === 1);

    assertEquals((await hook(server.url, "publish", "wrong-key")).status, 403);
    const badForm = await fetch(`${server.url}hooks/rtmp/publish`, { method: "POST" });
    assertEquals(badForm.status, 400);
    assert((await badForm.json()).error);

    assertEquals((await hook(server.url, "publish", room.streamKey)).status, 200);
    await topic.waitFor((e) => e.event === "live" && e.json.data.isLive === true);
    await home.waitFor((e) => e.event === "live" && e.json.data.slug === "movie");
    const listed = (await api(server.url, "GET", "api/rooms")).body[0];
    assertEquals([listed.isLive, listed.viewers], [true, 1]);
    assertEquals(listed.thumbnailUrl, `${server.url}hls/${room.playbackId}/thumb.jpg`);

    assertEquals((await hook(server.url, "done", "wrong-key")).status, 404);
    assertEquals((await hook(server.url, "done", room.streamKey)).status, 200);
    await topic.waitFor((e) => e.event === "offline");
    await home.waitFor((e) => e.event === "offline" && e.json.data.slug === "movie");
    assertEquals((await api(server.url, "GET", "api/rooms/movie")).body.isLive, false);

    // Rotating a key that nginx publishes with ends the room's live state at once.
    assertEquals((await hook(server.url, "publish", room.streamKey)).status, 200);
    await api(server.url, "POST", "api/rooms/movie/rotate");
    assertEquals((await api(server.url, "GET", "api/rooms/movie")).body.isLive, false);

    // A second viewer is counted, and counted out when it leaves.
    const other = await followSse(`${server.url}api/rooms/movie/events`);
    await topic.waitFor((e) => e.event === "viewers" && e.json.data.viewers === 2);
    await other.close();
    const before = topic.events.length;
    await topic.waitFor((e) =>
      topic.events.indexOf(e) >= before && e.event === "viewers" && e.json.data.viewers === 1
    );

    await api(server.url, "DELETE", "api/rooms/movie");
    await home.waitFor((e) => e.event === "deleted" && e.json.data.slug === "movie");
  } finally {
    await home.close();
    await topic.close();
    await server.close();
  }
});

Deno.test("stream rooms: /hls serves only known rooms' files, with types, caching and CORS", async () => {
  const server = await startServer({ env });
  try {
    const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "H" } });
    const folder = join(server.dataDir, "hls", room.playbackId);
    await Deno.mkdir(join(folder, "720p"), { recursive: true });
    await Deno.writeTextFile(join(folder, "index.m3u8"), "#EXTM3U\n");
    await Deno.writeFile(join(folder, "index12.ts"), new Uint8Array(188).fill(0x47));
    await Deno.writeFile(join(folder, "720p", "seg1.m4s"), new Uint8Array(8));
    await Deno.writeFile(join(folder, "thumb.jpg"), new Uint8Array([0xff, 0xd8, 0xff]));
    const keyDir = join(server.dataDir, "hls", room.streamKey);
    await Deno.mkdir(keyDir);
    await Deno.writeTextFile(join(keyDir, "index.m3u8"), "#EXTM3U\n");

    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, { headers });
    const playlist = await get(`hls/${room.playbackId}/index.m3u8`);
    assertEquals(playlist.status, 200);
    assertEquals(playlist.headers.get("content-type"), "application/vnd.apple.mpegurl");
    assertEquals(playlist.headers.get("cache-control"), "no-cache");
    assertEquals(playlist.headers.get("access-control-allow-origin"), "*");
    assertEquals(await playlist.text(), "#EXTM3U\n");
    const again = await get(`hls/${room.playbackId}/index.m3u8`, {
      "if-none-match": playlist.headers.get("etag")!,
    });
    assertEquals(again.status, 304);

    const expected: [string, string][] = [
      ["index12.ts", "video/mp2t"],
      ["720p/seg1.m4s", "video/iso.segment"],
      ["thumb.jpg", "image/jpeg"],
    ];
    for (const [file, type] of expected) {
      const response = await get(`hls/${room.playbackId}/${file}`);
      assertEquals([response.status, response.headers.get("content-type")], [200, type], file);
      await response.body?.cancel();
    }
    assertEquals(
      (await get(`hls/${room.playbackId}/index12.ts`)).headers.get("cache-control"),
      "public, max-age=30",
    );
    const refused = [
      `hls/${room.streamKey}/index.m3u8`,
      `hls/${room.playbackId}/..%2F..%2Froomcast.db`,
      `hls/${room.playbackId}/../../roomcast.db`,
      `hls/${room.playbackId}/.hidden.ts`,
      `hls/${room.playbackId}/index.m3u8.bak`,
      `hls/${room.playbackId}/missing.ts`,
      `hls/${room.playbackId}/a/b/c.ts`,
      `hls/..%2F/roomcast.db`,
    ];
    for (const path of refused) {
      const response = await get(path);
      // `../` is resolved by the client, so that request reaches a route outside /hls.
      assert([400, 404].includes(response.status), `${path}: got ${response.status}`);
      assert((await response.json()).error, `${path}: JSON error`);
    }
    const preflight = await fetch(`${server.url}hls/${room.playbackId}/index.m3u8`, {
      method: "OPTIONS",
    });
    assertEquals(preflight.status, 204);
    assertEquals(preflight.headers.get("access-control-allow-origin"), "*");

    await api(server.url, "DELETE", `api/rooms/${room.slug}`);
    assertEquals((await get(`hls/${room.playbackId}/index.m3u8`)).status, 404);
    const gone = await Deno.stat(folder).then(() => false, () => true);
    assert(gone, "the room's HLS folder is removed with it");
  } finally {
    await server.close();
  }
});

Deno.test("stream rooms: the room page renders, and a missing room is a 404 page", async () => {
  const server = await startServer({ env });
  try {
    await api(server.url, "POST", "api/rooms", { body: { name: "Watch <me>" } });
    const page = await fetch(`${server.url}watch/watch-me`);
    assertEquals(page.status, 200);
    const html = await page.text();
    assertMatch(html, /assets\/stream_room\.js/);
    assertMatch(html, /<title>Watch &#60;me&#62; · Roomcast<\/title>/);
    assert(!html.includes("<me>"), "names are escaped");
    const missing = await fetch(`${server.url}watch/nope`);
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("stream rooms: a watch page's socket gets the live change made while the page loaded", async () => {
  const server = await startServer({ env });
  const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Late" } });
  const client = await openSocket(server.url.replace(/^http/, "ws") + "ws");
  try {
    const page = await (await fetch(`${server.url}watch/late`)).text();
    assert(page.includes('"isLive":false'), "rendered offline");
    const eventId = Number(/"eventId":(\d+)/.exec(page)?.[1]);
    assert(Number.isInteger(eventId), "the page carries the room topic's event id");
    // The stream starts after the page was made and before its socket enters the room.
    assertEquals((await hook(server.url, "publish", room.streamKey)).status, 200);
    client.send({ type: "stream:enter", topic: "stream:late", since: eventId });
    const live = await nextMatching(client, (m) => m.type === "live");
    assertEquals([live.isLive, live.slug, live.topic], [true, "late", "stream:late"]);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("stream rooms: /ws follows stream:<slug>, counts as a viewer, refuses unknown rooms", async () => {
  const server = await startServer({ env });
  const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Sock" } });
  const client = await openSocket(server.url.replace(/^http/, "ws") + "ws");
  try {
    client.send({ type: "subscribe", topic: "stream:nope" });
    const refused = await client.next();
    assertEquals([refused.type, refused.code], ["error", "forbidden"]);
    client.send({ type: "subscribe", topic: "stream:sock" });
    assertEquals((await client.next()).type, "subscribed");
    const counted = await client.next();
    assertEquals([counted.type, counted.topic, counted.viewers], ["viewers", "stream:sock", 1]);
    const presence = await client.next();
    assertEquals([presence.type, presence.anonymous, presence.nicknames], ["presence", 1, []]);
    assertEquals((await hook(server.url, "publish", room.streamKey)).status, 200);
    const live = await client.next();
    assertEquals([live.type, live.isLive, live.slug], ["live", true, "sock"]);
  } finally {
    await client.close();
    await server.close();
  }
});
