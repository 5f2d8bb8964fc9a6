// Bench helper: ffmpeg publishers — a live one with a wall clock burned in, and cheap copy loops.

/** Bits of the burned clock: hundredths of a second, modulo 2^20 (about 2.9 hours). */
export const CLOCK_BITS = 20;
/** Side of one bit's square, in pixels, along the top-left edge of a 640x360 picture. */
export const CLOCK_BLOCK = 16;

/**
 * A filter that burns the wall clock (`time(0)`, evaluated as each frame passes, which with `-re`
 * is when the frame is made) as 20 black/white squares. drawtext would need OCR to read back;
 * squares survive H.264 and are read from a single pixel each.
 */
export function clockFilter(): string {
  const boxes = [
    `drawbox=x=0:y=0:w=${CLOCK_BITS * CLOCK_BLOCK}:h=${CLOCK_BLOCK}:color=black:t=fill`,
  ];
  for (let i = 0; i < CLOCK_BITS; i++) {
    boxes.push(
      `drawbox=x=${i * CLOCK_BLOCK}:y=0:w=${CLOCK_BLOCK}:h=${CLOCK_BLOCK}:color=white:t=fill:` +
        `enable='eq(mod(floor(floor(time(0)*100)/pow(2\\,${i}))\\,2)\\,1)'`,
    );
  }
  return boxes.join(",");
}

/** Seconds between a clock value read from a frame and `nowMs`. */
export function clockAge(value: number, nowMs: number): number {
  const modulo = 2 ** CLOCK_BITS;
  const now = Math.floor(nowMs / 10) % modulo;
  return ((now - value + modulo) % modulo) / 100;
}

export interface Running {
  pid: number;
  done: Promise<number>;
  stop(): Promise<void>;
}

function run(args: string[]): Running {
  const child = new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", "-nostdin", ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const done = child.status.then((s) => s.code);
  return {
    pid: child.pid,
    done,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await done;
    },
  };
}

/** One live 640x360 encode with the clock burned in, sent to every URL at once (tee muxer). */
export function clockPublisher(urls: string[], seconds: number): Running {
  return run([
    "-re",
    ...["-f", "lavfi", "-i", `testsrc2=size=640x360:rate=30:duration=${seconds}`],
    ...["-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`],
    ...["-vf", clockFilter(), "-map", "0:v", "-map", "1:a"],
    ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30"],
    ...["-b:v", "1500k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k"],
    // tee writes FLV itself, so the encoders must put their headers in extradata.
    ...["-flags", "+global_header"],
    ...["-f", "tee", urls.map((url) => `[f=flv:onfail=ignore]${url}`).join("|")],
  ]);
}

/** A 1280x720, 30 fps, ~3 Mbit/s H.264 + AAC clip (noise keeps x264 at the target rate). */
export async function encodeClip(path: string, seconds: number): Promise<void> {
  const code = await run([
    ...["-f", "lavfi", "-i", `testsrc2=size=1280x720:rate=30:duration=${seconds}`],
    ...["-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`],
    ...["-vf", "noise=alls=12:allf=t", "-c:v", "libx264", "-preset", "veryfast", "-g", "30"],
    ...["-b:v", "2900k", "-maxrate", "3000k", "-bufsize", "3000k", "-pix_fmt", "yuv420p"],
    ...["-c:a", "aac", "-b:a", "128k", "-y", "-f", "flv", path],
  ]).done;
  if (code !== 0) throw new Error(`Cannot encode the bench clip: ffmpeg exited with ${code}`);
}

/** A publisher looping `clip` without re-encoding: costs the bench almost nothing. */
export function copyPublisher(clip: string, url: string): Running {
  return run(["-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "flv", url]);
}
