// The RTMP origin across instances: recorded in the database, other instances proxy its /hls/.
import { Hono } from "hono";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startPostgres } from "../../tests/_postgres.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { ADMIN_TOKEN, api, publishRtmp } from "../../tests/_streams.ts";
import { silentLogger } from "../../log.ts";
import { openDb } from "../../storage/db.ts";
import { sqliteSql } from "../../storage/sql_sqlite.ts";
import { createStreamsStore } from "../../storage/streams_store.ts";
import { PROXIED_HEADER, streamOriginRoutes } from "./stream_origin.ts";
import { streamHlsRoutes } from "./stream_hls.ts";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function until<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

Deno.test("streamOriginRoutes() answers 502 for an origin that is down or stalls past its deadline", async () => {
  const sql = sqliteSql(openDb(":memory:"));
  const hlsDir = await Deno.makeTempDir();
  // An origin that takes the connection and never answers.
  const stalled = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of stalled) held.push(conn);
  })();
  try {
    const store = createStreamsStore(sql);
    const me = "http://127.0.0.1:1/";
    const rooms = {
      down: (await store.create("Down")).room,
      stalls: (await store.create("Stalls")).room,
      mine: (await store.create("Mine")).room,
      none: (await store.create("None")).room,
    };
    await store.setLive("down", "rtmp", `http://127.0.0.1:${freePort()}/`);
    await store.setLive("stalls", "rtmp", `http://127.0.0.1:${stalled.addr.port}/`);
    await store.setLive("mine", "rtmp", me);
    const canView = () => Promise.resolve(true);
    const app = new Hono();
    app.route(
      "/",
      streamOriginRoutes({ store, canView, instanceUrl: me, log: silentLogger, timeoutMs: 300 }),
    );
    app.route("/", streamHlsRoutes({ store, hlsDir, canView }));
    const get = (room: { playbackId: string }, headers: Record<string, string> = {}) =>
      app.request(`/hls/${room.playbackId}/index.m3u8`, { headers });

    const down = await get(rooms.down);
    assertEquals([down.status, await down.json()], [502, { error: "Stream origin unreachable" }]);
    assertEquals(down.headers.get("access-control-allow-origin"), "*");
    const asked = Date.now();
    const stalls = await get(rooms.stalls);
    const waited = Date.now() - asked;
    assertEquals(stalls.status, 502);
    await stalls.body?.cancel();
    assert(waited >= 250 && waited < 2000, `held ${waited} ms`);
    // Its own rooms, rooms with no origin and requests another instance proxied are served here.
    for (const response of [await get(rooms.mine), await get(rooms.none)]) {
      assertEquals([response.status, await response.json()], [404, { error: "Not found" }]);
    }
    const proxied = await get(rooms.down, { [PROXIED_HEADER]: "1" });
    assertEquals(proxied.status, 404, "a proxied request is never proxied again");
    await proxied.body?.cancel();
  } finally {
    stalled.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
    await sql.close();
    await Deno.remove(hlsDir, { recursive: true });
  }
});

/** Two servers on one Postgres, each with its own DATA_DIR and INSTANCE_URL. */
async function twoInstances(databaseUrl: string, env: Record<string, string> = {}) {
  const start = (port: number) =>
    startServer({
      env: {
        SERVER_ADMIN_TOKEN: ADMIN_TOKEN,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        INSTANCE_URL: `http://127.0.0.1:${port}/`,
        ...env,
      },
    });
  const [a, b] = await Promise.all([start(freePort()), start(freePort())]);
  return { a, b };
}

/** A file through B must be A's own answer: same status, body, type and cache headers. */
async function sameThroughB(a: TestServer, b: TestServer, path: string, headers = {}) {
  const [direct, proxied] = await Promise.all([
    fetch(`${a.url}${path}`, { headers }),
    fetch(`${b.url}${path}`, { headers }),
  ]);
  const bytes = async (r: Response) => new Uint8Array(await r.arrayBuffer());
  const [d, p] = [await bytes(direct), await bytes(proxied)];
  assertEquals(proxied.status, direct.status, path);
  for (const name of ["content-type", "cache-control", "etag", "content-range"]) {
    assertEquals(proxied.headers.get(name), direct.headers.get(name), `${path} ${name}`);
  }
  return { status: proxied.status, direct: d, proxied: p, headers: proxied.headers };
}

Deno.test("a stream published over RTMP to A plays through B's /hls/; its origin goes with it", async () => {
  const pg = await startPostgres();
  // ffmpeg's HLS files (MPEG-TS segments, byte ranges); the packager's parts are the next test's.
  const { a, b } = await twoInstances(await pg.createDatabase(), { STREAM_PACKAGER: "ffmpeg" });
  let publisher: ReturnType<typeof publishRtmp> | undefined;
  try {
    const rtmpPort = Number((await a.waitForLog(/^RTMP listening$/)).port);
    const { body: room } = await api(a.url, "POST", "api/rooms", { body: { name: "Film" } });
    const path = `hls/${room.playbackId}/index.m3u8`;
    publisher = publishRtmp(rtmpPort, room.streamKey, 8);
    const playlist = await until("B's playlist with a segment", async () => {
      const r = await fetch(`${b.url}${path}`);
      const text = await r.text();
      return r.ok && text.includes("#EXTINF") ? text : null;
    });
    const viewOnB = (await api(b.url, "GET", `api/rooms/${room.slug}`)).body;
    assertEquals(viewOnB.isLive, true, "B sees A's room live");

    const list = await sameThroughB(a, b, path);
    assertEquals(list.headers.get("content-type"), "application/vnd.apple.mpegurl");
    assertEquals(list.headers.get("cache-control"), "no-cache");
    const segment = playlist.split("\n").find((line) => /^[A-Za-z0-9_-]+\.ts$/.test(line))!;
    const whole = await sameThroughB(a, b, `hls/${room.playbackId}/${segment}`);
    assertEquals(whole.status, 200);
    assertEquals(whole.proxied, whole.direct, "the segment's bytes, as A serves them");
    assert(whole.proxied.length > 1000 && whole.proxied[0] === 0x47, "MPEG-TS sync byte");
    const ranged = await sameThroughB(a, b, `hls/${room.playbackId}/${segment}`, {
      range: "bytes=0-187",
    });
    assertEquals([ranged.status, ranged.proxied.length], [206, 188]);
    const etag = whole.headers.get("etag")!;
    const cached = await sameThroughB(a, b, `hls/${room.playbackId}/${segment}`, {
      "if-none-match": etag,
    });
    assertEquals(cached.status, 304, "revalidation passes through");

    assertEquals((await publisher.done).code, 0);
    await until("the room offline on B", async () => {
      const view = (await api(b.url, "GET", `api/rooms/${room.slug}`)).body;
      return view.isLive ? null : view;
    });
    // The publish ended: no origin is recorded, so B answers from its own (empty) folder.
    const after = await fetch(`${b.url}${path}`);
    assertEquals([after.status, await after.json()], [404, { error: "Not found" }]);
  } finally {
    await publisher?.stop();
    await Promise.all([a.close(), b.close()]);
    await pg.stop();
  }
});

Deno.test("B passes LL-HLS blocking reloads to A, and answers 502 once A is gone", async () => {
  const pg = await startPostgres();
  const { a, b } = await twoInstances(await pg.createDatabase(), { STREAM_PACKAGER: "roomcast" });
  let publisher: ReturnType<typeof publishRtmp> | undefined;
  try {
    const rtmpPort = Number((await a.waitForLog(/^RTMP listening$/)).port);
    const { body: room } = await api(a.url, "POST", "api/rooms", { body: { name: "Low" } });
    const playlistUrl = `${b.url}hls/${room.playbackId}/index.m3u8`;
    publisher = publishRtmp(rtmpPort, room.streamKey, 10);
    const first = await until("B's playlist with parts", async () => {
      const r = await fetch(playlistUrl);
      const text = await r.text();
      return r.ok && text.includes("#EXT-X-PART:") ? text : null;
    });
    const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p(\d+)_(\d+)\.m4s"/.exec(first)!;
    const [msn, part] = [Number(hint[1]), Number(hint[2])];
    const blocked = await fetch(`${playlistUrl}?_HLS_msn=${msn}&_HLS_part=${part}`);
    const text = await blocked.text();
    assertEquals(blocked.status, 200);
    assert(text.includes(`p${msn}_${part}.m4s`) || text.includes(`s${msn}.m4s`), text);
    const far = await fetch(`${playlistUrl}?_HLS_msn=${msn + 3}&_HLS_part=0`);
    assertEquals([far.status, await far.json()], [400, { error: "_HLS_msn is too far ahead" }]);

    // A dies with its publish (kill -9: nothing clears its origin): B answers 502, not a hang.
    Deno.kill(a.pid, "SIGKILL");
    await until("A gone", () => Promise.resolve(a.running() ? null : true));
    const gone = await fetch(playlistUrl);
    assertEquals([gone.status, await gone.json()], [502, { error: "Stream origin unreachable" }]);
  } finally {
    await publisher?.stop();
    await Promise.all([a.close(), b.close()]);
    await pg.stop();
  }
});
