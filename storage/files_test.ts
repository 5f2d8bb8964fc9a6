import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import { TooLargeError, writeFileAtomic } from "./files.ts";
import { join } from "node:path";
import { hasStrace } from "../tests/_strace.ts";

function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

Deno.test("writeFileAtomic() replaces a file whole, leaving no temp file", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "live.bin");
  await Deno.writeFile(path, new Uint8Array([1]));
  const written = await writeFileAtomic(
    path,
    streamOf(new Uint8Array([2, 2]), new Uint8Array([3])),
  );
  assertEquals(written, 3);
  assertEquals(await Deno.readFile(path), new Uint8Array([2, 2, 3]));
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["live.bin"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeFileAtomic() stops at maxBytes and keeps the old file", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "live.bin");
  await Deno.writeFile(path, new Uint8Array([9]));
  const error = await assertRejects(() =>
    writeFileAtomic(path, streamOf(new Uint8Array(6), new Uint8Array(6)), { maxBytes: 10 })
  );
  assertEquals(error instanceof TooLargeError, true);
  assertEquals(await Deno.readFile(path), new Uint8Array([9]));
  assertEquals([...Deno.readDirSync(dir)].length, 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeFileAtomic() lets check() refuse by the first bytes, and names files late", async () => {
  const dir = await Deno.makeTempDir();
  await assertRejects(() =>
    writeFileAtomic(join(dir, "x"), new Uint8Array([0, 1, 2]), {
      check: (head) => {
        if (head[0] !== 0xff) throw new Error("not ours");
      },
    })
  );
  let seen = 0;
  await writeFileAtomic({ dir, name: () => `late-${seen}.bin` }, new Uint8Array([0xff, 1]), {
    peekBytes: 1,
    check: (head) => void (seen = head.length),
  });
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["late-1.bin"]);
  await Deno.remove(dir, { recursive: true });
});

// A finished fsync, or one strace -f shows as unfinished because another thread printed meanwhile.
const FSYNC_CALL = /fsync\((\d+)(?:\)\s+= 0| <unfinished)/;

/** The system calls of one writeFileAtomic() in a child process, as strace prints them. */
async function traceWrite(dir: string, syncDir: boolean): Promise<string[]> {
  const script = join(dir, "write.ts");
  await Deno.writeTextFile(
    script,
    `import { writeFileAtomic } from ${JSON.stringify(new URL("./files.ts", import.meta.url).href)};
     await writeFileAtomic(${JSON.stringify(join(dir, "out", "x.bin"))}, new Uint8Array(10),
       { syncDir: ${syncDir} });`,
  );
  await Deno.mkdir(join(dir, "out"));
  const { stderr, success } = await new Deno.Command("strace", {
    args: ["-f", "-qq", "-e", "trace=openat,fcntl,fsync,rename,renameat,renameat2", Deno.execPath()]
      .concat(["run", "-A", "--no-config", "--no-lock", script]),
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(success, true);
  return new TextDecoder().decode(stderr).split("\n");
}

Deno.test({
  name: "writeFileAtomic() fsyncs the file, renames it, then fsyncs its folder",
  ignore: !hasStrace,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const out = join(dir, "out");
      const lines = await traceWrite(dir, true);
      const renamed = lines.findIndex((l) => /rename/.test(l) && l.includes(`${out}/x.bin`));
      assert(renamed > 0, "the temp file is renamed into place");
      const fsyncs = (from: number, to: number) =>
        lines.slice(from, to).filter((l) => FSYNC_CALL.test(l)).length;
      assert(fsyncs(0, renamed) >= 1, "the file is fsynced before the rename");
      const opened = lines.slice(renamed).map((l) =>
        l.match(new RegExp(`openat\\(AT_FDCWD, "${out}", O_RDONLY[^)]*\\) = (\\d+)`))?.[1]
      ).find(Boolean);
      assert(opened, "the folder is opened after the rename");
      // Deno syncs a duplicate of the descriptor it opened (fcntl F_DUPFD_CLOEXEC).
      const fds = new Set([opened]);
      for (const l of lines.slice(renamed)) {
        const dup = l.match(/fcntl\((\d+), F_DUPFD_CLOEXEC, \d+\) = (\d+)/);
        if (dup && fds.has(dup[1])) fds.add(dup[2]);
      }
      const synced = lines.slice(renamed).some((l) => {
        const fd = l.match(FSYNC_CALL)?.[1];
        return fd !== undefined && fds.has(fd);
      });
      assert(synced, "and fsynced");
      await Deno.remove(out, { recursive: true });
      const plain = await traceWrite(dir, false);
      assert(!plain.some((l) => l.includes(`"${out}", O_RDONLY`)), "syncDir: false skips it");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
