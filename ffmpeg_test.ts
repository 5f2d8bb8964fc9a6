// Tests for the one ffmpeg runner: a bounded stderr tail, a time limit and the owner's close kill it.
import { assert, assertEquals, assertRejects } from "./tests/_assert.ts";
import { runFfmpeg, runFfmpegBytes } from "./ffmpeg.ts";

// Small programs stand in for ffmpeg: the runner treats its command as opaque.

Deno.test("runFfmpeg() keeps only the last stderrLines lines, and a line without end bounded", async () => {
  const script =
    "for i in $(seq 1 500); do echo line $i >&2; done; head -c 100000 /dev/zero | tr '\\0' x >&2; exit 3";
  const run = await runFfmpeg("sh", ["-c", script], { stderrLines: 5 });
  assertEquals([run.success, run.code], [false, 3]);
  assertEquals(run.stderrTail.length, 5);
  assertEquals(run.stderrTail[3], "line 500");
  assert(run.stderrTail[4].length <= 8192, `last line ${run.stderrTail[4].length} chars`);
});

Deno.test("runFfmpeg() kills a run past timeoutMs", async () => {
  const started = Date.now();
  const run = await runFfmpeg("sleep", ["30"], { timeoutMs: 200 });
  assertEquals([run.success, run.signal], [false, "SIGTERM"]);
  assert(Date.now() - started < 5000);
});

Deno.test("runFfmpeg() kills a run when its owner's signal aborts", async () => {
  const owner = new AbortController();
  const pending = runFfmpeg("sleep", ["30"], { signal: owner.signal });
  setTimeout(() => owner.abort(), 100);
  assertEquals((await pending).signal, "SIGTERM");
});

Deno.test("runFfmpeg() throws NotFound for a missing binary, so callers can tell it from a failure", async () => {
  const error = await assertRejects(() => runFfmpeg("/nonexistent/ffmpeg", []));
  assert(error instanceof Deno.errors.NotFound, String(error));
});

Deno.test("runFfmpegBytes() returns stdout for stdin; past maxOutputBytes it is killed and fails", async () => {
  const input = new TextEncoder().encode("still bytes");
  const echo = await runFfmpegBytes("cat", [], input);
  assertEquals([echo.success, new TextDecoder().decode(echo.output)], [true, "still bytes"]);
  // a process that writes without end: killed at the bound, nothing kept
  const flood = await runFfmpegBytes("yes", [], input, { maxOutputBytes: 64 * 1024 });
  assertEquals([flood.success, flood.output.length, flood.signal], [false, 0, "SIGTERM"]);
  const slow = await runFfmpegBytes("sleep", ["30"], input, { timeoutMs: 200 });
  assertEquals([slow.success, slow.signal], [false, "SIGTERM"]);
});
