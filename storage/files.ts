// File helpers: durable atomic writes (temp file + fsync + rename + directory fsync) with an
// optional streaming size limit.
import { dirname, join } from "node:path";
import { concatBytes } from "../bytes.ts";

/** Thrown by `writeFileAtomic` when the data passes `maxBytes`; nothing is left on disk. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Cannot write file: larger than ${limit} bytes`);
    this.name = "TooLargeError";
  }
}

export interface WriteAtomicOptions {
  /** Stop and fail once more than this many bytes arrived. */
  maxBytes?: number;
  /** Looks at the first bytes (at least `peekBytes` of them, or all if fewer) and may throw to refuse. */
  check?(head: Uint8Array): void;
  /** @default 64 */
  peekBytes?: number;
  /** Fsync the folder after the rename, so the new name survives a power failure. @default true */
  syncDir?: boolean;
}

/**
 * Writes `data` to a temp file beside `path`, then renames it into place, so a reader sees the old
 * file or the new one, never a part; the file and then its folder are fsynced, so once this
 * resolves the file is there after a power failure too. With `{dir, name}`, `name` is called once,
 * after the data is written. On any failure the temp file is removed. Returns bytes written.
 */
export async function writeFileAtomic(
  path: string | { dir: string; name: () => string },
  data: Uint8Array | ReadableStream<Uint8Array>,
  options: WriteAtomicOptions = {},
): Promise<number> {
  // `{dir, name}` names the file once its content is known (e.g. by its detected type).
  const dir = typeof path === "string" ? dirname(path) : path.dir;
  const target = typeof path === "string" ? () => path : () => join(path.dir, path.name());
  const temp = join(dir, `.tmp-${crypto.randomUUID()}`);
  const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o644 });
  let closed = false;
  try {
    const chunks = data instanceof Uint8Array ? once(data) : data;
    const written = await copyLimited(chunks, file, options);
    await file.sync();
    file.close();
    closed = true;
    await Deno.rename(temp, target());
    if (options.syncDir ?? true) await syncDir(dir);
    return written;
  } catch (error) {
    if (!closed) file.close();
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function copyLimited(
  chunks: AsyncIterable<Uint8Array>,
  file: Deno.FsFile,
  { maxBytes = Infinity, check, peekBytes = 64 }: WriteAtomicOptions,
): Promise<number> {
  let written = 0;
  let head: Uint8Array | undefined = check ? new Uint8Array(0) : undefined;
  for await (const chunk of chunks) {
    written += chunk.byteLength;
    if (written > maxBytes) throw new TooLargeError(maxBytes);
    if (head && check) {
      head = concatBytes([head, chunk.subarray(0, peekBytes - head.length)]);
      if (head.length >= peekBytes) {
        check(head);
        head = undefined;
      }
    }
    await writeAll(file, chunk);
  }
  if (head && check) check(head);
  return written;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}

/**
 * Fsyncs a folder, which makes the names created, renamed or removed in it durable: fsyncing a
 * file alone does not (Linux `rename(2)`/`fsync(2)`). On Linux a folder opens read-only.
 */
export async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a folder as a file; NTFS journals its names itself.
  if (Deno.build.os === "windows") return;
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}

/** Renames a file and fsyncs the target's folder (and the source's, when it is another one). */
export async function renameDurably(from: string, to: string): Promise<void> {
  await Deno.rename(from, to);
  await syncDir(dirname(to));
  if (dirname(from) !== dirname(to)) await syncDir(dirname(from));
}

/** Removes a file, ignoring one that is already gone. */
export async function removeIfExists(path: string): Promise<void> {
  await Deno.remove(path).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}
