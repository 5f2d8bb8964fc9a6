import { assertEquals, assertRejects } from "../tests/_assert.ts";
import { TooLargeError, writeFileAtomic } from "./files.ts";
import { join } from "node:path";

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
