// Integration tests for a misbehaving ffmpeg: stalled or dead, the publisher is dropped and logged.
import { assert } from "../tests/_assert.ts";
import { ffmpegPublish, finished, startTestServer } from "./test_server.ts";
import { waitFor } from "../tests/_wait.ts";

/** A stand-in "ffmpeg": answers -version, otherwise runs `body` (a POSIX sh script). */
async function fakeFfmpeg(body: string): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "fake_ffmpeg_" });
  await Deno.writeTextFile(path, `#!/bin/sh\nif [ "$2" = "-version" ]; then exit 0; fi\n${body}\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("startRtmpServer() drops the publisher when ffmpeg stops reading, and logs it", async () => {
  const ffmpegPath = await fakeFfmpeg("echo 'fake ffmpeg is stuck' >&2\nsleep 3");
  const t = await startTestServer({ ffmpegPath, maxQueueBytes: 200_000, packager: "ffmpeg" });
  try {
    const started = Date.now();
    const { code } = await finished(ffmpegPublish(t.url("key-a"), 8));
    assert(code !== 0, "publisher dropped");
    assert(Date.now() - started < 7000, "dropped before its end");
    assert(t.logs.some((l) => l.includes("not keeping up")), t.logs.join("\n"));
    await waitFor(() => t.logs.some((l) => l.includes("ffmpeg exited")), {
      what: "ffmpeg exit logged",
    });
    const exitLine = t.logs.find((l) => l.includes("ffmpeg exited"))!;
    assert(exitLine.includes("fake ffmpeg is stuck"), exitLine);
    await waitFor(() => !t.server.isLive("room-a"), { what: "key free" });
  } finally {
    await t.close();
    await Deno.remove(ffmpegPath);
  }
});

Deno.test("startRtmpServer() drops the publisher when ffmpeg dies, logging its stderr tail", async () => {
  const ffmpegPath = await fakeFfmpeg(
    "head -c 20000 >/dev/null\necho 'boom: bad input' >&2\nexit 1",
  );
  const t = await startTestServer({ ffmpegPath, packager: "ffmpeg" });
  try {
    const { code } = await finished(ffmpegPublish(t.url("key-a"), 8));
    assert(code !== 0, "publisher dropped");
    const exitLine = t.logs.find((l) => l.startsWith("error ffmpeg exited"))!;
    assert(
      exitLine?.includes("boom: bad input") && exitLine.includes('"code":1'),
      t.logs.join("\n"),
    );
    assert(t.events.length === 0, "never live");
    await waitFor(() => !t.server.isLive("room-a"), { what: "key free" });
  } finally {
    await t.close();
    await Deno.remove(ffmpegPath);
  }
});
