// Stream rooms end to end: the real server with its RTMP listener, ffmpeg publishing, HLS out.
import { join } from "node:path";
import { concatBytes } from "../../bytes.ts";
import { assert, assertEquals, assertMatch } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { ADMIN_TOKEN, api, followSse, hook, probe, publishRtmp } from "../../tests/_streams.ts";

const env = { SERVER_ADMIN_TOKEN: ADMIN_TOKEN };

async function rtmpPort(server: TestServer): Promise<number> {
  return Number((await server.waitForLog(/^RTMP listening$/)).port);
}

async function until<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** The playlist's first whole segment, with its init segment in front when it is fMP4. */
async function firstSegment(playlist: string, base: string): Promise<Uint8Array> {
  const get = async (uri: string) =>
    new Uint8Array(await (await fetch(new URL(uri, base))).arrayBuffer());
  const segment = playlist.split("\n").find((line) => /^[^#].*\.(ts|m4s)$/.test(line))!;
  const map = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
  return map ? concatBytes([await get(map), await get(segment)]) : await get(segment);
}

const publishToEnd = (packager: string) => async () => {
  const server = await startServer({ env: { ...env, STREAM_PACKAGER: packager } });
  const port = await rtmpPort(server);
  const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Live" } });
  assertEquals(room.rtmpUrl, `rtmp://127.0.0.1:${port}/live`);
  const topic = await followSse(`${server.url}api/rooms/live/events`);
  const publisher = publishRtmp(port, room.streamKey, 7);
  try {
    await topic.waitFor((e) => e.event === "live" && e.json.data.isLive === true, 15_000);
    const listed = (await api(server.url, "GET", "api/rooms")).body[0];
    assertEquals(listed.isLive, true);

    // The playlist is served from /hls/<playbackId>/, never under the key.
    const playlist = await until("a playlist with a segment", async () => {
      const response = await fetch(room.hlsUrl);
      const text = await response.text();
      return response.ok && /#EXTINF/.test(text) ? text : null;
    });
    assertMatch(playlist, /^#EXTM3U/);
    assert(!playlist.includes(room.streamKey), "the key appears nowhere in the playlist");
    const file = await Deno.makeTempFile({ suffix: packager === "ffmpeg" ? ".ts" : ".mp4" });
    await Deno.writeFile(file, await firstSegment(playlist, room.hlsUrl));
    const probed = await probe(file);
    await Deno.remove(file);
    assert(probed.ok, `ffprobe decodes the segment: ${probed.errors}`);
    assertEquals(probed.errors, "", "no decode errors");
    const kinds = probed.streams.map((s) => s.split(",").slice(0, 2).join(","));
    assertEquals(kinds.sort(), ["aac,audio", "h264,video"]);
    assert(probed.streams.every((s) => Number(s.split(",")[2]) > 0), "frames decoded");

    // While it is live: a wrong key, a second publisher and an nginx hook are all refused.
    const wrong = await publishRtmp(port, "not-a-key", 2).done;
    assert(wrong.code !== 0, "a wrong key is refused");
    const second = await publishRtmp(port, room.streamKey, 2).done;
    assert(second.code !== 0, "a second publisher on a live key is refused");
    assertEquals((await hook(server.url, "publish", room.streamKey)).status, 409);

    const first = await publisher.done;
    assertEquals(first.code, 0, `the first publisher ran to its end: ${first.stderr}`);
    await topic.waitFor((e) => e.event === "offline", 15_000);
    assertEquals((await api(server.url, "GET", "api/rooms/live")).body.isLive, false);
    const ended = await (await fetch(room.hlsUrl)).text();
    assertMatch(ended, /#EXT-X-ENDLIST/);
  } finally {
    await publisher.stop();
    await topic.close();
    await server.close();
  }
};
// Our packager (the default: fMP4 from memory) and ffmpeg's HLS muxer (MPEG-TS files).
for (const packager of ["roomcast", "ffmpeg"]) {
  Deno.test(
    `RTMP publish (${packager}): playlist appears, segments decode, live then offline with ENDLIST`,
    publishToEnd(packager),
  );
}

Deno.test("RTMP publish: rotating the key drops the live publisher and refuses the old key", async () => {
  const server = await startServer({ env });
  const port = await rtmpPort(server);
  const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Rot" } });
  const topic = await followSse(`${server.url}api/rooms/rot/events`);
  const publisher = publishRtmp(port, room.streamKey, 30);
  try {
    await topic.waitFor((e) => e.event === "live", 15_000);
    const started = Date.now();
    const rotated = await api(server.url, "POST", "api/rooms/rot/rotate");
    assertEquals(rotated.status, 200);
    const kicked = await publisher.done;
    assert(Date.now() - started < 10_000, "the publisher is dropped at once");
    assert(kicked.code !== 0, "ffmpeg saw its connection dropped");
    await topic.waitFor((e) => e.event === "offline", 15_000);

    const old = await publishRtmp(port, room.streamKey, 2).done;
    assert(old.code !== 0, "the old key is refused");
    const fresh = publishRtmp(port, rotated.body.streamKey, 4);
    const before = topic.events.length;
    await topic.waitFor((e) => topic.events.indexOf(e) >= before && e.event === "live", 15_000);
    // The studio's health counts the drop, and the publisher's return as a reconnect.
    const { body: studio } = await api(server.url, "GET", "api/studio/rooms/rot");
    assertEquals(
      [studio.health.drops, studio.health.lastDropReason, studio.health.reconnects],
      [1, "kicked", 1],
    );
    assertEquals((await fresh.done).code, 0, "the new key publishes");
  } finally {
    await publisher.stop();
    await topic.close();
    await server.close();
  }
});

Deno.test("RTMP: deleting a live room drops its publisher and removes its HLS folder", async () => {
  const server = await startServer({ env });
  const port = await rtmpPort(server);
  const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Del" } });
  const home = await followSse(`${server.url}api/rooms/events`);
  const publisher = publishRtmp(port, room.streamKey, 30);
  try {
    await home.waitFor((e) => e.event === "live", 15_000);
    assertEquals((await api(server.url, "DELETE", "api/rooms/del")).status, 200);
    assert((await publisher.done).code !== 0, "the publisher is dropped");
    await home.waitFor((e) => e.event === "deleted");
    assertEquals((await fetch(room.hlsUrl)).status, 404);
    const folder = join(server.dataDir, "hls", room.playbackId);
    await until("the HLS folder to go", () => Deno.stat(folder).then(() => null, () => true));
  } finally {
    await publisher.stop();
    await home.close();
    await server.close();
  }
});

Deno.test("RTMP: without ffmpeg the server starts, says streaming is off, refuses publishers", async () => {
  const server = await startServer({ env: { ...env, FFMPEG_PATH: "/nonexistent/ffmpeg" } });
  try {
    const port = await rtmpPort(server);
    await server.waitForLog(/streaming is off/i);
    const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Off" } });
    const refused = await publishRtmp(port, room.streamKey, 2).done;
    assert(refused.code !== 0, "the publisher is refused");
    assertEquals((await api(server.url, "GET", "api/rooms/off")).body.isLive, false);
  } finally {
    await server.close();
  }
});

Deno.test("RTMP: a taken port leaves the rooms working without our listener", async () => {
  // Someone else (nginx-rtmp, say) holds the port: the rooms keep a do-nothing ingest.
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  const server = await startServer({ env: { ...env, RTMP_PORT: String(port) } });
  try {
    const refused = await server.waitForLog(/^Cannot start the RTMP listener: streaming is off$/);
    assertEquals(refused.port, port);
    const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Hooked" } });
    assertMatch(room.rtmpUrl, new RegExp(`:${port}/live$`));
    // nginx-rtmp's hooks take the room live: nothing of ours claims it.
    assertEquals((await hook(server.url, "publish", room.streamKey)).status, 200);
    assertEquals((await api(server.url, "GET", "api/rooms/hooked")).body.isLive, true);
    assertEquals((await api(server.url, "POST", "api/rooms/hooked/rotate")).status, 200);
    assertEquals((await api(server.url, "GET", "api/rooms/hooked")).body.isLive, false);
  } finally {
    await server.close();
    taken.close();
  }
});
