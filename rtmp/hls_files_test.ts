// Tests for the playback-folder chores.
import { assertEquals } from "../tests/_assert.ts";
import {
  ensureEndlist,
  lastSegment,
  newestSegment,
  playlistIsLive,
  removeSegments,
} from "./hls_files.ts";

const LIVE =
  "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nseg_00001.ts\n#EXTINF:1.0,\nseg_00002.ts\n";

Deno.test("ensureEndlist() appends the end tag once, atomically, and only to a playlist", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const p = `${dir}/index.m3u8`;
    assertEquals(await ensureEndlist(p), false);
    await Deno.writeTextFile(p, LIVE);
    assertEquals(await playlistIsLive(p), true);
    assertEquals(await ensureEndlist(p), true);
    assertEquals(await ensureEndlist(p), true);
    assertEquals(await Deno.readTextFile(p), LIVE + "#EXT-X-ENDLIST\n");
    assertEquals(await playlistIsLive(p), false);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["index.m3u8"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lastSegment() and newestSegment() find the newest segment, refusing odd names", async () => {
  assertEquals(lastSegment(LIVE), "seg_00002.ts");
  assertEquals(lastSegment("#EXTM3U\n"), null);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/index.m3u8`, LIVE);
    assertEquals(await newestSegment(dir, "index.m3u8"), `${dir}/seg_00002.ts`);
    await Deno.writeTextFile(`${dir}/evil.m3u8`, "#EXTINF:1,\n../../etc/passwd\n");
    assertEquals(await newestSegment(dir, "evil.m3u8"), null);
    assertEquals(await newestSegment(dir, "missing.m3u8"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("removeSegments() keeps only the thumbnail", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const f of ["index.m3u8", "seg_00001.ts", "thumb.jpg"]) {
      await Deno.writeTextFile(`${dir}/${f}`, "x");
    }
    await removeSegments(dir);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["thumb.jpg"]);
    await removeSegments(`${dir}/missing`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
