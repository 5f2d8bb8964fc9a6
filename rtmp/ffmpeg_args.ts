// Pure builders of ffmpeg argument arrays (HLS from FLV on stdin; thumbnails). No I/O here.

export type Transcode = "copy" | "720p30" | "abr";

export interface HlsArgsOptions {
  /** Parent folder; the output goes to `<hlsDir>/<playbackId>/`. */
  hlsDir: string;
  playbackId: string;
  /** @default "copy" */
  transcode?: Transcode;
  /** Target segment length in seconds. @default 1 */
  segmentSeconds?: number;
  /** Segments kept in the live playlist. @default 6 */
  listSize?: number;
}

/** Which playlists a transcode mode writes, relative to the playback folder. */
export interface HlsLayout {
  /** What players load: `index.m3u8` in every mode (a master playlist for "abr"). */
  entry: string;
  /** Media playlists: the ones with segments, that get `#EXT-X-ENDLIST`. */
  media: string[];
}

export function hlsLayout(transcode: Transcode): HlsLayout {
  return transcode === "abr"
    ? { entry: "index.m3u8", media: ["720p.m3u8", "360p.m3u8"] }
    : { entry: "index.m3u8", media: ["index.m3u8"] };
}

/** x264 settings shared by the transcoding modes. */
function x264(segmentSeconds: number): string[] {
  const gop = String(30 * segmentSeconds);
  return [
    "-c:v",
    "libx264",
    "-preset",
    "veryfast", // live-safe CPU cost on small servers
    "-tune",
    "zerolatency", // no lookahead or B-frame delay: lower glass-to-glass latency
    "-pix_fmt",
    "yuv420p", // the only chroma format every browser decodes
    "-g",
    gop, // a keyframe per segment, so segments are exactly segmentSeconds long
    "-keyint_min",
    gop, // ...and no extra keyframes that would shorten them
    "-sc_threshold",
    "0", // no scene-cut keyframes: keeps segment boundaries regular
  ];
}

const AAC = [
  "-c:a",
  "aac", // the audio codec HLS players support everywhere
  "-b:a",
  "128k", // good stereo quality at a small share of the bitrate
  "-ac",
  "2", // stereo: mono and 5.1 sources become what browsers expect
];

/** The argument array for `ffmpeg`, reading FLV from stdin and writing HLS. */
export function ffmpegHlsArgs(options: HlsArgsOptions): string[] {
  const transcode = options.transcode ?? "copy";
  const seconds = options.segmentSeconds ?? 1;
  const dir = `${options.hlsDir}/${options.playbackId}`;
  // deno-fmt-ignore
  const input = [
    "-hide_banner", // the banner would crowd out the stderr tail we log on exit
    "-loglevel", "warning", // warnings and errors only: what the exit log needs
    "-fflags", "+genpts", // tolerate frames without pts from odd encoders
    "-probesize", "500000", // codec info is in the sequence headers: no need to read 5 MB first
    "-analyzeduration", "1000000", // 1 s instead of 5 s before the first segment starts
    "-f", "flv", // the server writes FLV; never let ffmpeg guess from a pipe
    "-i", "pipe:0", // FLV arrives on stdin
  ];
  // deno-fmt-ignore
  const hls = [
    "-f", "hls",
    "-hls_time", String(seconds), // cut at the first keyframe after this: follows the source's GOP
    "-hls_list_size", String(options.listSize ?? 6), // short live window: low latency, small files
    "-hls_flags", [
      "delete_segments", // remove segments that left the playlist: bounded disk use
      "independent_segments", // each segment starts on a keyframe: tells players they can start anywhere
      "program_date_time", // wall-clock tags: lets the player show its latency
      "temp_file", // write to .tmp then rename: no reader ever sees a partial playlist or segment
      // a publisher back within the grace period continues the same playlist; ffmpeg marks its
      // first new segment with #EXT-X-DISCONTINUITY, so players keep going without a reload
      "append_list",
    ].join("+"),
    "-hls_segment_type", "mpegts", // MPEG-TS plays in hls.js and Safari alike
  ];
  if (transcode === "abr") {
    // deno-fmt-ignore
    return [
      ...input,
      // one decode, two scaled copies at a fixed 30 fps
      "-filter_complex", "[0:v]split=2[a][b];[a]scale=-2:720,fps=30[v720];[b]scale=-2:360,fps=30[v360]",
      "-map", "[v720]", "-map", "0:a", // variant 0: 720p with audio
      "-map", "[v360]", "-map", "0:a", // variant 1: 360p with audio
      ...x264(seconds),
      "-b:v:0", "2800k", "-maxrate:v:0", "3000k", "-bufsize:v:0", "3000k", // 720p rung
      "-b:v:1", "800k", "-maxrate:v:1", "900k", "-bufsize:v:1", "900k", // 360p rung
      ...AAC,
      ...hls,
      "-var_stream_map", "v:0,a:0,name:720p v:1,a:1,name:360p", // pairs streams into variants
      "-master_pl_name", "index.m3u8", // the master playlist players load, beside the variants
      "-hls_segment_filename", `${dir}/%v_%05d.ts`, // per-variant numbered segments
      `${dir}/%v.m3u8`, // variant playlists: 720p.m3u8 and 360p.m3u8
    ];
  }
  // deno-fmt-ignore
  const codecs = transcode === "720p30"
    ? [
      "-map", "0:v?", "-map", "0:a?", // audio-only or video-only publishers still work
      "-vf", "scale=-2:720,fps=30", // 720 lines (1280x720 for 16:9), 30 fps whatever the source
      ...x264(seconds),
      "-b:v", "2800k", "-maxrate", "3000k", "-bufsize", "3000k", // capped rate: steady segment sizes
      ...AAC,
    ]
    : [
      "-map", "0:v?", "-map", "0:a?", // audio-only or video-only publishers still work
      "-c", "copy", // passthrough: no decode or encode, a few % of a core per stream
    ];
  // deno-fmt-ignore
  return [
    ...input,
    ...codecs,
    ...hls,
    "-hls_segment_filename", `${dir}/seg_%05d.ts`, // numbered, so append_list continues the count
    `${dir}/index.m3u8`,
  ];
}

/** Grab one frame of `segmentPath` as a small JPEG at `outPath` (the caller renames it in place). */
export function ffmpegThumbnailArgs(segmentPath: string, outPath: string): string[] {
  // deno-fmt-ignore
  return [
    "-hide_banner", // keep stderr to the error, if any
    "-loglevel", "error", // a thumbnail failure is logged, nothing else is
    "-y", // the temp file of a previous failed attempt may remain
    "-i", segmentPath, // the newest complete segment
    "-frames:v", "1", // one picture; segments start on a keyframe so the first decodes cleanly
    "-vf", "scale=320:-2", // room-list size; -2 keeps the aspect ratio with an even height
    "-q:v", "5", // JPEG quality: small files, fine for a preview
    "-f", "image2", // a still image, whatever the temp file's name
    "-c:v", "mjpeg", // JPEG, whatever the temp file's name
    "-update", "1", // one file, not a numbered sequence
    outPath,
  ];
}

/**
 * One frame of the fMP4 (init + a keyframe part) on stdin as a small JPEG on stdout: a live
 * still made on request, with no files.
 */
export function ffmpegStillArgs(): string[] {
  // deno-fmt-ignore
  return [
    "-hide_banner", // keep stderr to the error, if any
    "-loglevel", "error", // a failure is logged, nothing else is
    "-f", "mp4", // a pipe has no name to guess the format from
    "-i", "pipe:0", // the init segment and the newest keyframe part
    "-an", // the picture only
    "-frames:v", "1", // one picture: the part starts on a keyframe, so the first decodes cleanly
    "-vf", "scale=320:-2", // room-list size; -2 keeps the aspect ratio with an even height
    "-q:v", "5", // JPEG quality: small files, fine for a preview
    "-f", "image2pipe", // a still image, to stdout
    "-c:v", "mjpeg", // JPEG
    "pipe:1",
  ];
}
