// Integration tests: a real server on port 0, real ffmpeg and GStreamer publishers, real HLS.
import { assert, assertEquals } from "../tests/_assert.ts";
import {
  ffmpegPublish,
  finished,
  gstPublish,
  probe,
  readText,
  ROOMS,
  startTestServer,
} from "./test_server.ts";
import { waitFor } from "../tests/_wait.ts";
import { lastSegment } from "./hls_files.ts";
import type { IngestRooms } from "./ingest.ts";

// These check the files of ffmpeg's HLS muxer (STREAM_PACKAGER=ffmpeg); the packager's own
// counterparts, from memory, are in llhls_publish_test.ts.
const FFMPEG_FILES = { packager: "ffmpeg" } as const;

Deno.test("startRtmpServer() turns an ffmpeg publish into HLS, live then offline", async () => {
  const t = await startTestServer(FFMPEG_FILES);
  try {
    const started = Date.now();
    const pub = ffmpegPublish(t.url("key-a"), 5);
    await waitFor(() => t.events.includes("live room-a pb-a"), { what: "onLive" });
    const firstPlaylistMs = Date.now() - started;
    assert(t.server.isLive("room-a"), "isLive while publishing");
    const playlist = `${t.hlsDir}/pb-a/index.m3u8`;
    const seg = lastSegment(await readText(playlist))!;
    assertEquals(await probe(`${t.hlsDir}/pb-a/${seg}`), ["aac", "h264"]);
    const { code, err } = await finished(pub);
    assertEquals(code, 0, err);
    await waitFor(() => t.events.includes("offline room-a pb-a"), { what: "onOffline" });
    assertEquals(t.events, ["live room-a pb-a", "offline room-a pb-a"]);
    assert(!t.server.isLive("room-a"), "not live after");
    const text = await readText(playlist);
    assert(text.trimEnd().endsWith("#EXT-X-ENDLIST"), text);
    const segs = text.split("\n").filter((l) => l.endsWith(".ts"));
    assert(segs.length >= 3, `segments: ${segs}`);
    for (const s of segs.slice(-2)) {
      assertEquals(await probe(`${t.hlsDir}/pb-a/${s}`), ["aac", "h264"]);
    }
    console.log(`publish start → first playable playlist: ${firstPlaylistMs} ms`);
  } finally {
    await t.close();
  }
});

Deno.test("startRtmpServer() refuses an unknown key", async () => {
  const t = await startTestServer();
  try {
    const { code, err } = await finished(ffmpegPublish(t.url("nope"), 2));
    assert(code !== 0, "ffmpeg should fail");
    assert(/BadName|error/i.test(err), err);
    assertEquals(t.events, []);
  } finally {
    await t.close();
  }
});

Deno.test("startRtmpServer() refuses a second publisher on a live key; the first continues", async () => {
  const t = await startTestServer(FFMPEG_FILES);
  try {
    const first = ffmpegPublish(t.url("key-a"), 5);
    await waitFor(() => t.events.includes("live room-a pb-a"), { what: "onLive" });
    const second = await finished(ffmpegPublish(t.url("key-a?x=1"), 2));
    assert(second.code !== 0, "second publisher must be refused");
    const before = await readText(`${t.hlsDir}/pb-a/index.m3u8`);
    await waitFor(async () => {
      const now = await readText(`${t.hlsDir}/pb-a/index.m3u8`);
      return lastSegment(now) !== lastSegment(before);
    }, { what: "more segments" });
    assertEquals((await finished(first)).code, 0);
    await waitFor(() => t.events.includes("offline room-a pb-a"), { what: "onOffline" });
  } finally {
    await t.close();
  }
});

Deno.test("RtmpServer.kick() drops the publisher and the room goes offline", async () => {
  const t = await startTestServer(FFMPEG_FILES);
  try {
    const pub = ffmpegPublish(t.url("key-b"), 6);
    await waitFor(() => t.events.includes("live room-b pb-b"), { what: "onLive" });
    t.server.kick("room-b");
    const { code } = await finished(pub);
    assert(code !== 0, "kicked ffmpeg exits with an error");
    await waitFor(() => t.events.includes("offline room-b pb-b"), { what: "onOffline" });
    assert(!t.server.isLive("room-b"));
    const text = await readText(`${t.hlsDir}/pb-b/index.m3u8`);
    assert(text.trimEnd().endsWith("#EXT-X-ENDLIST"), text);
  } finally {
    await t.close();
  }
});

Deno.test("startRtmpServer() continues the playlist with a discontinuity on reconnect", async () => {
  const t = await startTestServer({ ...FFMPEG_FILES, graceMs: 20_000 });
  try {
    const playlist = `${t.hlsDir}/pb-c/index.m3u8`;
    assertEquals((await finished(ffmpegPublish(t.url("key-c"), 4))).code, 0);
    await waitFor(() => t.events.includes("offline room-c pb-c"), { what: "onOffline" });
    const firstRun = (await readText(playlist)).split("\n").filter((l) => l.endsWith(".ts"));
    const pub = ffmpegPublish(t.url("key-c"), 4);
    await waitFor(() => t.events.filter((e) => e.startsWith("live")).length === 2, {
      what: "live again",
    });
    const text = await readText(playlist);
    assert(!text.includes("#EXT-X-ENDLIST"), text);
    assert(text.includes(firstRun.at(-1)!), `earlier segments kept:\n${text}`);
    const afterOld = text.slice(text.indexOf(firstRun.at(-1)!));
    assert(afterOld.includes("#EXT-X-DISCONTINUITY"), text);
    assertEquals((await finished(pub)).code, 0);
    await waitFor(() => t.events.length === 4, { what: "offline again" });
  } finally {
    await t.close();
  }
});

Deno.test("startRtmpServer() takes a GStreamer rtmp2sink publisher", async () => {
  const t = await startTestServer(FFMPEG_FILES);
  try {
    const pub = gstPublish(t.url("key-a"));
    await waitFor(() => t.events.includes("live room-a pb-a"), { what: "onLive" });
    const seg = lastSegment(await readText(`${t.hlsDir}/pb-a/index.m3u8`))!;
    assertEquals(await probe(`${t.hlsDir}/pb-a/${seg}`), ["aac", "h264"]);
    const { code, err } = await finished(pub);
    assertEquals(code, 0, err);
    await waitFor(() => t.events.includes("offline room-a pb-a"), { what: "onOffline" });
  } finally {
    await t.close();
  }
});

Deno.test("startRtmpServer() without ffmpeg refuses publishers with a clear status", async () => {
  const t = await startTestServer({ ffmpegPath: "/nonexistent/ffmpeg" });
  try {
    assertEquals(t.server.streaming, false);
    assert(t.logs.some((l) => l.includes("streaming is off")), t.logs.join("\n"));
    const { code, err } = await finished(ffmpegPublish(t.url("key-a"), 2));
    assert(code !== 0, "refused");
    assert(/Streaming is off|Failed|error/i.test(err), err);
  } finally {
    await t.close();
  }
});

Deno.test("startRtmpServer() transcodes to an ABR ladder with a master playlist", async () => {
  const t = await startTestServer({ transcode: "abr" });
  try {
    const pub = ffmpegPublish(t.url("key-a"), 4);
    await waitFor(() => t.events.includes("live room-a pb-a"), {
      what: "onLive",
      timeoutMs: 20_000,
    });
    const master = await readText(`${t.hlsDir}/pb-a/index.m3u8`);
    assert(master.includes("720p.m3u8") && master.includes("360p.m3u8"), master);
    assertEquals((await finished(pub)).code, 0);
    await waitFor(() => t.events.includes("offline room-a pb-a"), {
      what: "onOffline",
      timeoutMs: 20_000,
    });
    for (const v of ["720p", "360p"]) {
      const text = await readText(`${t.hlsDir}/pb-a/${v}.m3u8`);
      assert(text.trimEnd().endsWith("#EXT-X-ENDLIST"), text);
      const seg = text.split("\n").filter((l) => l.endsWith(".ts")).at(-1)!;
      assertEquals(await probe(`${t.hlsDir}/pb-a/${seg}`), ["aac", "h264"]);
    }
    assert(!(await readText(`${t.hlsDir}/pb-a/index.m3u8`)).includes("#EXT-X-ENDLIST"));
  } finally {
    await t.close();
  }
});

Deno.test("startRtmpServer() transcodes to 720p30", async () => {
  const t = await startTestServer({ transcode: "720p30" });
  try {
    const pub = ffmpegPublish(t.url("key-b"), 4);
    await waitFor(() => t.events.includes("live room-b pb-b"), {
      what: "onLive",
      timeoutMs: 20_000,
    });
    assertEquals((await finished(pub)).code, 0);
    await waitFor(() => t.events.includes("offline room-b pb-b"), {
      what: "onOffline",
      timeoutMs: 20_000,
    });
    const seg = lastSegment(await readText(`${t.hlsDir}/pb-b/index.m3u8`))!;
    const out = await new Deno.Command("ffprobe", {
      // deno-fmt-ignore
      args: ["-v", "error", "-select_streams", "v", "-show_entries", "stream=width,height,r_frame_rate",
        "-of", "csv=p=0", `${t.hlsDir}/pb-b/${seg}`],
      stdout: "piped",
    }).output();
    const rows = new TextDecoder().decode(out.stdout).split("\n").filter(Boolean);
    assertEquals([...new Set(rows)], ["1280,720,30/1"]); // listed per program and per stream
  } finally {
    await t.close();
  }
});

/** The test rooms, writing what they are told (drops included) to `seen`. */
function recordingRooms(seen: string[]): IngestRooms {
  return {
    lookup: (key) => Promise.resolve(ROOMS[key] ?? null),
    onLive: (slug, pb) => seen.push(`live ${slug} ${pb}`),
    onOffline: (slug, pb) => seen.push(`offline ${slug} ${pb}`),
    onDrop: (slug, reason) => seen.push(`drop ${slug} ${reason}`),
  };
}

Deno.test("startRtmpServer() reports a publisher whose connection is lost as dropped", async () => {
  const seen: string[] = [];
  const t = await startTestServer({ rooms: recordingRooms(seen) });
  const drops = () => seen.filter((e) => e.startsWith("drop"));
  try {
    const pub = ffmpegPublish(t.url("key-a"), 30);
    await waitFor(() => seen.includes("live room-a pb-a"), { what: "onLive" });
    pub.kill("SIGKILL"); // a crashed OBS: no FCUnpublish, the TCP connection just ends
    await finished(pub);
    await waitFor(() => drops().length > 0, { what: "onDrop" });
    assertEquals(drops(), ["drop room-a connection lost"]);
    // A publisher that unpublishes itself is not a drop.
    const clean = await finished(ffmpegPublish(t.url("key-b"), 3));
    assertEquals(clean.code, 0, clean.err);
    await waitFor(() => seen.includes("offline room-b pb-b"), { what: "onOffline" });
    assertEquals(drops(), ["drop room-a connection lost"]);
  } finally {
    await t.close();
  }
});

Deno.test("startRtmpServer() counts a kicked publisher as one drop", async () => {
  const seen: string[] = [];
  const t = await startTestServer({ rooms: recordingRooms(seen) });
  try {
    const pub = ffmpegPublish(t.url("key-a"), 30);
    await waitFor(() => seen.includes("live room-a pb-a"), { what: "onLive" });
    t.server.kick("room-a"); // key rotated: the connection is closed under the publish
    await finished(pub);
    await waitFor(() => seen.includes("offline room-a pb-a"), { what: "onOffline" });
    // The kick is the drop; the publish ending under it is not a second one.
    assertEquals(seen.filter((e) => e.startsWith("drop")), ["drop room-a kicked"]);
  } finally {
    await t.close();
  }
});
