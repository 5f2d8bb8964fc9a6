// The default blob store: files under DATA_DIR, written as storage/files.ts writes (temp, fsync, rename).
import { dirname, join } from "node:path";
import { type BlobEntry, type BlobInfo, type BlobStore, checkKey } from "./blobs.ts";
import { removeIfExists, renameDurably, writeFileAtomic } from "./files.ts";

/** Blobs as files: key `media/<name>` is `<root>/media/<name>`, exactly the layout of before. */
export function createFileBlobs(root: string): BlobStore {
  const pathOf = (key: string) => join(root, checkKey(key));
  const stat = async (path: string): Promise<BlobInfo | null> => {
    try {
      const info = await Deno.stat(path);
      if (!info.isFile) return null;
      const mtime = info.mtime?.getTime() ?? 0;
      return { size: info.size, mtime, etag: `"${info.size.toString(16)}-${mtime.toString(16)}"` };
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  };

  return {
    async put(key, data, options = {}) {
      const path = pathOf(key);
      await Deno.mkdir(dirname(path), { recursive: true });
      return await writeFileAtomic(path, data, options);
    },

    async open(key, range) {
      let file: Deno.FsFile;
      try {
        file = await Deno.open(pathOf(key), { read: true });
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
      if (!range) return file.readable;
      await file.seek(range.start, Deno.SeekMode.Start);
      return limitStream(file.readable, range.end - range.start + 1);
    },

    stat: (key) => stat(pathOf(key)),

    async move(from, to) {
      const target = pathOf(to);
      await Deno.mkdir(dirname(target), { recursive: true });
      await renameDurably(pathOf(from), target);
    },

    delete: (key) => removeIfExists(pathOf(key)),

    async list(prefix) {
      if (!prefix.endsWith("/")) throw new Error(`Cannot list blobs: ${prefix} must end in "/"`);
      const dir = pathOf(prefix.slice(0, -1));
      const found: BlobEntry[] = [];
      try {
        for await (const entry of Deno.readDir(dir)) {
          if (!entry.isFile) continue;
          const info = await stat(join(dir, entry.name));
          if (info) found.push({ key: prefix + entry.name, ...info });
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },

    link: () => Promise.resolve(null),
    localPath: pathOf,
    close: () => {},
  };
}

/** The first `length` bytes of `source`, which is cancelled (closing the file) after them. */
export function limitStream(
  source: ReadableStream<Uint8Array>,
  length: number,
): ReadableStream<Uint8Array> {
  let left = length;
  const reader = source.getReader();
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done || left <= 0) {
        controller.close();
        await reader.cancel();
        return;
      }
      const chunk = value.subarray(0, left);
      left -= chunk.length;
      controller.enqueue(chunk);
      if (left <= 0) {
        controller.close();
        await reader.cancel();
      }
    },
    cancel: () => reader.cancel(),
  });
}
