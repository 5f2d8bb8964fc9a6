// HLS stills: one JPEG frame of a stream's newest segment, written atomically (ffmpeg.ts runs it).
import { runFfmpeg } from "../ffmpeg.ts";
import { ffmpegThumbnailArgs } from "./ffmpeg_args.ts";

export type LogFn = (
  level: "debug" | "info" | "warn" | "error",
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/** Write one JPEG frame of `segmentPath` to `outPath` atomically (temp file, then rename). */
export async function grabThumbnail(
  ffmpegPath: string,
  segmentPath: string,
  outPath: string,
): Promise<boolean> {
  const tmp = `${outPath}.tmp`;
  try {
    const out = await runFfmpeg(ffmpegPath, ffmpegThumbnailArgs(segmentPath, tmp));
    if (!out.success) return false;
    await Deno.rename(tmp, outPath);
    return true;
  } catch {
    await Deno.remove(tmp).catch(() => {});
    return false;
  }
}
