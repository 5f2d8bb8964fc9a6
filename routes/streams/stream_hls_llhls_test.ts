// LL-HLS over HTTP from our packager (STREAM_PACKAGER=roomcast): blocking reload, parts, refusals.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { ADMIN_TOKEN, api, probe, publishRtmp } from "../../tests/_streams.ts";

const env = { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, STREAM_PACKAGER: "roomcast" };

async function until<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

const hint = (text: string) => /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p(\d+)_(\d+)\.m4s"/.exec(text);

Deno.test("LL-HLS from memory: a blocking reload returns when its part exists; far future is 400", async () => {
  const server = await startServer({ env });
  const port = Number((await server.waitForLog(/^RTMP listening$/)).port);
  const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Low" } });
  const publisher = publishRtmp(port, room.streamKey, 8);
  try {
    const first = await until("a playlist with parts", async () => {
      const r = await fetch(room.hlsUrl);
      const text = await r.text();
      return r.ok && text.includes("#EXT-X-PART:") && text.includes("#EXTINF") ? text : null;
    });
    assert(first.includes("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK="), first);

    // Ask for the hinted part: the answer waits for it and then lists it.
    const [, msn, part] = hint(first)!.map(Number);
    const wanted = `URI="p${msn}_${part}.m4s"`;
    const asked = Date.now();
    const blocked = await fetch(`${room.hlsUrl}?_HLS_msn=${msn}&_HLS_part=${part}`);
    const waited = Date.now() - asked;
    const text = await blocked.text();
    assertEquals(blocked.status, 200);
    assert(
      new RegExp(`#EXT-X-PART:DURATION=[\\d.]+,${wanted}`).test(text) ||
        text.includes(`s${msn}.m4s`),
      text,
    );
    assert(waited < 3000, `held ${waited} ms`);
    console.log(`blocking reload held ${waited} ms until its part was written`);

    // The hinted next part: its request is held until the part exists, then served.
    const [, nMsn, nPart] = hint(text)!.map(Number);
    const partResponse = await fetch(new URL(`p${nMsn}_${nPart}.m4s`, room.hlsUrl));
    assertEquals(partResponse.status, 200);
    const bytes = new Uint8Array(await partResponse.arrayBuffer());
    assertEquals(new TextDecoder().decode(bytes.subarray(4, 8)), "moof");

    // Refusals: too far ahead, a part without its segment, not a number.
    const far = await fetch(`${room.hlsUrl}?_HLS_msn=${msn + 3}&_HLS_part=0`);
    assertEquals(far.status, 400);
    assertEquals((await far.json()).error, "_HLS_msn is too far ahead");
    assertEquals((await fetch(`${room.hlsUrl}?_HLS_part=1`)).status, 400);
    assertEquals((await fetch(`${room.hlsUrl}?_HLS_msn=x`)).status, 400);
    assertEquals((await fetch(new URL("p999999_0.m4s", room.hlsUrl))).status, 404);

    // The init segment and a segment over HTTP decode as H.264 + AAC.
    const init = /#EXT-X-MAP:URI="(init\d+\.mp4)"/.exec(text)![1];
    const seg = text.split("\n").filter((l) => /^s\d+\.m4s$/.test(l)).at(-1)!;
    const get = async (f: string) =>
      new Uint8Array(await (await fetch(new URL(f, room.hlsUrl))).arrayBuffer());
    const file = await Deno.makeTempFile({ suffix: ".mp4" });
    await Deno.writeFile(file, new Uint8Array([...await get(init), ...await get(seg)]));
    const probed = await probe(file);
    await Deno.remove(file);
    assertEquals(probed.errors, "");
    assertEquals(probed.streams.map((s) => s.split(",").slice(0, 2).join(",")).sort(), [
      "aac,audio",
      "h264,video",
    ]);
    assertEquals((await publisher.done).code, 0);
    const ended = await until("the end of the playlist", async () => {
      const t = await (await fetch(room.hlsUrl)).text();
      return t.includes("#EXT-X-ENDLIST") ? t : null;
    });
    assert(!hint(ended), "no preload hint after the end");
  } finally {
    await publisher.stop();
    await server.close();
  }
});

/** ffmpeg children of process `pid` now (Linux /proc). */
function ffmpegChildren(pid: number): number {
  let n = 0;
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    const kids = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`).trim();
    for (const kid of kids ? kids.split(" ") : []) {
      try {
        if (Deno.readTextFileSync(`/proc/${kid}/comm`).trim() === "ffmpeg") n++;
      } catch { /* gone meanwhile */ }
    }
  }
  return n;
}

/** The most ffmpeg children seen, sampled every 20 ms until stop() (short runs are caught). */
function watchFfmpeg(pid: number) {
  let most = 0;
  const timer = setInterval(() => (most = Math.max(most, ffmpegChildren(pid))), 20);
  return {
    get most() {
      return most;
    },
    stop: () => clearInterval(timer),
  };
}

Deno.test("LL-HLS thumbnails: no ffmpeg while nobody asks; a request gets a real JPEG, one run", async () => {
  const server = await startServer({ env });
  const port = Number((await server.waitForLog(/^RTMP listening$/)).port);
  const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Still" } });
  const publisher = publishRtmp(port, room.streamKey, 8);
  const watch = watchFfmpeg(server.pid);
  try {
    await until("the room live", async () => {
      const { body } = await api(server.url, "GET", `api/rooms/${room.slug}`);
      return body.isLive ? body : null;
    });
    await new Promise((r) => setTimeout(r, 2500)); // live, and nobody looks
    assertEquals(watch.most, 0, "an ffmpeg ran for a stream nobody looked at");

    const { body: listed } = await api(server.url, "GET", `api/rooms/${room.slug}`);
    const asked = await Promise.all([1, 2, 3, 4].map(() => fetch(listed.thumbnailUrl)));
    const jpegs = await Promise.all(asked.map(async (r) => new Uint8Array(await r.arrayBuffer())));
    for (const r of asked) {
      assertEquals([r.status, r.headers.get("content-type")], [200, "image/jpeg"]);
    }
    const file = await Deno.makeTempFile({ suffix: ".jpg" });
    await Deno.writeFile(file, jpegs[0]);
    const probed = await probe(file);
    await Deno.remove(file);
    assertEquals([probed.errors, probed.streams[0]?.split(",").slice(0, 2).join(",")], [
      "",
      "mjpeg,video",
    ]);
    assert(watch.most <= 1, `four requests at once, ${watch.most} ffmpeg at once`);
    assert(jpegs.every((j) => j.length === jpegs[0].length));
  } finally {
    watch.stop();
    await publisher.stop();
    await server.close();
  }
});
