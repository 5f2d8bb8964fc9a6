// Exact-array tests for the ffmpeg argument builders.
// deno-fmt-ignore-file
import { assertEquals } from "../tests/_assert.ts";
import { ffmpegHlsArgs, ffmpegThumbnailArgs, hlsLayout } from "./ffmpeg_args.ts";

const INPUT = [
  "-hide_banner", "-loglevel", "warning", "-fflags", "+genpts", "-probesize", "500000",
  "-analyzeduration", "1000000", "-f", "flv", "-i", "pipe:0",
];
const HLS = [
  "-f", "hls", "-hls_time", "1", "-hls_list_size", "6",
  "-hls_flags", "delete_segments+independent_segments+program_date_time+temp_file+append_list",
  "-hls_segment_type", "mpegts",
];
const X264 = [
  "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
  "-g", "30", "-keyint_min", "30", "-sc_threshold", "0",
];
const AAC = ["-c:a", "aac", "-b:a", "128k", "-ac", "2"];

Deno.test("ffmpegHlsArgs() copies by default into 1 s segments", () => {
  assertEquals(ffmpegHlsArgs({ hlsDir: "/d/hls", playbackId: "pb1" }), [
    ...INPUT,
    "-map", "0:v?", "-map", "0:a?", "-c", "copy",
    ...HLS,
    "-hls_segment_filename", "/d/hls/pb1/seg_%05d.ts",
    "/d/hls/pb1/index.m3u8",
  ]);
});

Deno.test("ffmpegHlsArgs() honours segment length and list size", () => {
  const args = ffmpegHlsArgs({ hlsDir: "h", playbackId: "p", segmentSeconds: 2, listSize: 10 });
  assertEquals(args.slice(args.indexOf("-hls_time"), args.indexOf("-hls_time") + 4), [
    "-hls_time", "2", "-hls_list_size", "10",
  ]);
});

Deno.test("ffmpegHlsArgs() transcodes to 720p30 with x264 and AAC", () => {
  assertEquals(ffmpegHlsArgs({ hlsDir: "h", playbackId: "p", transcode: "720p30" }), [
    ...INPUT,
    "-map", "0:v?", "-map", "0:a?", "-vf", "scale=-2:720,fps=30",
    ...X264,
    "-b:v", "2800k", "-maxrate", "3000k", "-bufsize", "3000k",
    ...AAC,
    ...HLS,
    "-hls_segment_filename", "h/p/seg_%05d.ts",
    "h/p/index.m3u8",
  ]);
});

Deno.test("ffmpegHlsArgs() builds a 720p+360p ladder with a master index.m3u8", () => {
  assertEquals(ffmpegHlsArgs({ hlsDir: "h", playbackId: "p", transcode: "abr" }), [
    ...INPUT,
    "-filter_complex",
    "[0:v]split=2[a][b];[a]scale=-2:720,fps=30[v720];[b]scale=-2:360,fps=30[v360]",
    "-map", "[v720]", "-map", "0:a", "-map", "[v360]", "-map", "0:a",
    ...X264,
    "-b:v:0", "2800k", "-maxrate:v:0", "3000k", "-bufsize:v:0", "3000k",
    "-b:v:1", "800k", "-maxrate:v:1", "900k", "-bufsize:v:1", "900k",
    ...AAC,
    ...HLS,
    "-var_stream_map", "v:0,a:0,name:720p v:1,a:1,name:360p",
    "-master_pl_name", "index.m3u8",
    "-hls_segment_filename", "h/p/%v_%05d.ts",
    "h/p/%v.m3u8",
  ]);
  assertEquals(hlsLayout("abr"), { entry: "index.m3u8", media: ["720p.m3u8", "360p.m3u8"] });
  assertEquals(hlsLayout("copy"), { entry: "index.m3u8", media: ["index.m3u8"] });
});

Deno.test("ffmpegThumbnailArgs() grabs one scaled JPEG frame", () => {
  assertEquals(ffmpegThumbnailArgs("/h/p/seg_00003.ts", "/h/p/thumb.jpg.tmp"), [
    "-hide_banner", "-loglevel", "error", "-y", "-i", "/h/p/seg_00003.ts",
    "-frames:v", "1", "-vf", "scale=320:-2", "-q:v", "5",
    "-f", "image2", "-c:v", "mjpeg", "-update", "1", "/h/p/thumb.jpg.tmp",
  ]);
});
