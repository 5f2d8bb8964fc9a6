// The one module that starts ffmpeg (HLS ingest, stream and media thumbnails): an argument array,
// never a shell; stderr kept as a bounded tail; a process past its time or its owner's close killed.
import { concatBytes } from "./bytes.ts";

/** Lines of stderr kept by default: enough to say why ffmpeg failed, never a whole log. */
const STDERR_LINES = 20;
// A "line" with no end (a progress bar) is cut to this, so the tail stays bounded.
const MAX_LINE = 4096;

/** Collects the last `keep` non-empty lines of `stream` into `tail`; settles at its end. */
async function readTail(stream: ReadableStream<BufferSource>, tail: string[], keep: number) {
  let partial = "";
  const push = (line: string) => {
    if (line.trim() === "") return;
    tail.push(line);
    if (tail.length > keep) tail.shift();
  };
  try {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (partial + text).split(/\r?\n|\r/);
      partial = lines.pop() ?? "";
      lines.forEach(push);
      if (partial.length > MAX_LINE) partial = partial.slice(-MAX_LINE);
    }
  } catch { /* stream errors end the tail */ }
  push(partial);
}

export interface FfmpegRunOptions {
  /** Kills ffmpeg when it aborts (the owner closed). */
  signal?: AbortSignal;
  /** Kills ffmpeg after this long. */
  timeoutMs?: number;
  /** Lines of stderr kept. @default 20 */
  stderrLines?: number;
}

/**
 * Runs `ffmpeg args` to its end with no stdin or stdout. Throws only when it cannot start (e.g.
 * `Deno.errors.NotFound` for a missing binary); a killed run is an exit with its signal.
 */
export async function runFfmpeg(
  ffmpegPath: string,
  args: string[],
  options: FfmpegRunOptions = {},
): Promise<FfmpegExit & { success: boolean }> {
  const signals = [options.signal, options.timeoutMs && AbortSignal.timeout(options.timeoutMs)]
    .filter((s): s is AbortSignal => !!s);
  const child = new Deno.Command(ffmpegPath, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
  }).spawn();
  const tail: string[] = [];
  const [status] = await Promise.all([
    child.status,
    readTail(child.stderr, tail, options.stderrLines ?? STDERR_LINES),
  ]);
  return { success: status.success, code: status.code, signal: status.signal, stderrTail: tail };
}

/** Bytes kept from stdout by default: runFfmpegBytes is for small outputs (a still). */
const MAX_OUTPUT = 1024 * 1024;

/**
 * Runs `ffmpeg args` with `input` on stdin and returns what it wrote to stdout (at most
 * `maxOutputBytes`; a run that writes more is killed and fails), so a still needs no temp files.
 * Throws only when it cannot start.
 */
export async function runFfmpegBytes(
  ffmpegPath: string,
  args: string[],
  input: Uint8Array,
  options: FfmpegRunOptions & { maxOutputBytes?: number } = {},
): Promise<FfmpegExit & { success: boolean; output: Uint8Array }> {
  const kill = new AbortController();
  const signals = [
    kill.signal,
    options.signal,
    options.timeoutMs && AbortSignal.timeout(options.timeoutMs),
  ]
    .filter((s): s is AbortSignal => !!s);
  const child = new Deno.Command(ffmpegPath, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.any(signals),
  }).spawn();
  const max = options.maxOutputBytes ?? MAX_OUTPUT;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const readOut = (async () => {
    for await (const chunk of child.stdout) {
      size += chunk.length;
      if (size > max) {
        kill.abort(); // past the bound: not the small output it was meant to be
        break; // stops reading (a child's child could keep the pipe open)
      }
      chunks.push(chunk);
    }
  })().catch(() => {});
  // ffmpeg may stop reading early (it has its frame): a closed stdin is not an error here
  const writeIn = (async () => {
    const writer = child.stdin.getWriter();
    await writer.write(input);
    await writer.close();
  })().catch(() => {});
  const tail: string[] = [];
  const [status] = await Promise.all([
    child.status,
    readTail(child.stderr, tail, options.stderrLines ?? STDERR_LINES),
    readOut,
    writeIn,
  ]);
  const output = size > max ? new Uint8Array(0) : concatBytes(chunks);
  return {
    success: status.success && size <= max,
    code: status.code,
    signal: status.signal,
    stderrTail: tail,
    output,
  };
}

/** True when `path -version` runs and exits 0. */
export async function ffmpegAvailable(path: string): Promise<boolean> {
  try {
    return (await runFfmpeg(path, ["-hide_banner", "-version"])).success;
  } catch {
    return false; // not found or not allowed to run
  }
}

export interface FfmpegExit {
  code: number;
  signal: string | null;
  /** The last lines ffmpeg wrote to stderr. */
  stderrTail: string[];
}

export interface FfmpegFeedOptions {
  /** Bytes queued for stdin before write() refuses (ffmpeg is not keeping up). @default 8 MiB */
  maxQueueBytes?: number;
  /** A queue that has not moved for this long counts as stalled. @default 10000 */
  stallMs?: number;
  /** How long finish() waits for ffmpeg to exit before killing it. @default 10000 */
  exitTimeoutMs?: number;
  /** Lines of stderr kept for the exit log. @default 20 */
  stderrLines?: number;
}

/** A running ffmpeg whose stdin takes bytes through a bounded queue. */
export interface FfmpegFeed {
  /** Queue bytes for stdin. False when the bound is hit, ffmpeg stalled or exited: drop the source. */
  write(bytes: Uint8Array): boolean;
  /** Flush, close stdin, wait for ffmpeg to exit (killing it after a timeout). */
  finish(): Promise<FfmpegExit>;
  /** Settles when ffmpeg exits, for whatever reason. */
  readonly exited: Promise<FfmpegExit>;
}

/** Spawn `ffmpeg args` with stdin piped. Never throws: a spawn failure is an exit with code -1. */
export function spawnFfmpegFeed(
  ffmpegPath: string,
  args: string[],
  options: FfmpegFeedOptions = {},
): FfmpegFeed {
  const exitTimeoutMs = options.exitTimeoutMs ?? 10_000;
  const tail: string[] = [];
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(ffmpegPath, { args, stdin: "piped", stdout: "null", stderr: "piped" })
      .spawn();
  } catch (e) {
    const exit = { code: -1, signal: null, stderrTail: [`spawn failed: ${e}`] };
    return {
      write: () => false,
      finish: () => Promise.resolve(exit),
      exited: Promise.resolve(exit),
    };
  }
  const stdin = child.stdin.getWriter();
  const queue = createWriteQueue(
    stdin,
    options.maxQueueBytes ?? 8 * 1024 * 1024,
    options.stallMs ?? 10_000,
  );
  const stderrDone = readTail(child.stderr, tail, options.stderrLines ?? STDERR_LINES);
  const exited = (async (): Promise<FfmpegExit> => {
    const status = await child.status;
    queue.stop();
    await stderrDone;
    return { code: status.code, signal: status.signal, stderrTail: [...tail] };
  })();

  let finishing: Promise<FfmpegExit> | null = null;
  function finish(): Promise<FfmpegExit> {
    finishing ??= (async () => {
      const timer = setTimeout(() => {
        queue.stop();
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, exitTimeoutMs);
      try {
        await queue.flushed();
        await stdin.close().catch(() => {});
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    })();
    return finishing;
  }

  return { write: queue.write, finish, exited };
}

/**
 * A bounded queue of chunks in front of `writer`, written one at a time. `write` refuses a chunk
 * past `maxBytes` queued, when the queue has not moved for `stallMs`, or once stopped (the writer
 * failed, or its owner called `stop`); what is still queued then is dropped.
 */
function createWriteQueue(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  maxBytes: number,
  stallMs: number,
) {
  const queue: Uint8Array[] = [];
  let queued = 0;
  let lastProgress = Date.now();
  let broken = false;
  let pumping: Promise<void> | null = null;

  async function pump(): Promise<void> {
    while (queue.length > 0 && !broken) {
      const chunk = queue[0];
      try {
        await writer.write(chunk);
      } catch {
        broken = true; // ffmpeg closed stdin (exited); exited tells why
      }
      queue.shift();
      queued -= chunk.length;
      lastProgress = Date.now();
    }
    queue.length = 0;
    queued = 0;
    pumping = null;
  }

  return {
    write(bytes: Uint8Array): boolean {
      if (broken) return false;
      if (queued > 0 && Date.now() - lastProgress > stallMs) return false;
      if (queued + bytes.length > maxBytes) return false;
      if (queued === 0) lastProgress = Date.now();
      queue.push(bytes);
      queued += bytes.length;
      pumping ??= pump();
      return true;
    },
    stop(): void {
      broken = true;
    },
    /** Settles once the chunk being written is done and the rest written or dropped. */
    flushed(): Promise<void> {
      return pumping ?? Promise.resolve();
    },
  };
}
