// GET /media's search, sort and paging, and the names and dimensions uploads keep (real server).
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { tinyPng } from "../../tests/_images.ts";
import { djangoToken, rawExchange, SECRET, uploadMedia } from "../../tests/_media.ts";
import type { MediaItem, MediaList } from "./wire.ts";

const ENV = { MEDIA_SERVER_SECRET: SECRET };

/** A valid PNG `extra` bytes longer than the last (browsers ignore data after IEND). */
function paddedPng(seed: number, extra: number): Uint8Array {
  const png = tinyPng(seed);
  const out = new Uint8Array(png.length + extra);
  out.set(png);
  return out;
}

async function upload(server: TestServer, body: Uint8Array, name: string): Promise<string> {
  const response = await uploadMedia(server, await djangoToken(), body, name);
  assertEquals(response.status, 200, name);
  return (await response.json()).filename;
}

async function list(server: TestServer, query: string): Promise<MediaList> {
  const response = await fetch(`${server.url}media?${query}`);
  assertEquals(response.status, 200, query);
  return await response.json();
}

const names = (l: MediaList) => l.images.map((i) => i.original_name);

Deno.test("GET /media?q= finds files by original name, case-insensitively, and by stored name", async () => {
  const server = await startServer({ env: ENV });
  try {
    const holiday = await upload(server, tinyPng(1), "Holiday ÉTÉ 2024.png");
    await upload(server, tinyPng(2), "receipt_100%.png");
    await upload(server, tinyPng(3), "receipt-1000.png");
    assertEquals(names(await list(server, "q=holiday")), ["Holiday ÉTÉ 2024.png"]);
    assertEquals(names(await list(server, `q=${encodeURIComponent("été")}`)), [
      "Holiday ÉTÉ 2024.png",
    ]);
    assertEquals(names(await list(server, `q=${holiday.slice(0, 12)}`)), ["Holiday ÉTÉ 2024.png"]);
    // `%` and `_` are the user's text, not LIKE wildcards.
    assertEquals(names(await list(server, `q=${encodeURIComponent("100%")}`)), [
      "receipt_100%.png",
    ]);
    assertEquals(names(await list(server, "q=t_1")), ["receipt_100%.png"]);
    const none = await list(server, "q=nothing-like-this");
    assertEquals([none.count, none.total, none.images], [0, 0, []]);

    // The seed's shape is still all there, with the new fields beside it.
    const all = await list(server, "");
    assertEquals([all.count, all.total, all.q, all.sort], [3, 3, "", "newest"]);
    const item = all.images.find((i) => i.filename === holiday)!;
    assertEquals(item.url, `${server.url}media/${holiday}`);
    assertEquals([item.width, item.height, item.content_type], [1, 1, "image/png"]);
  } finally {
    await server.close();
  }
});

Deno.test("GET /media pages through 120 files in each sort order, each file exactly once", async () => {
  const server = await startServer({ env: ENV });
  try {
    // Shuffled names and sizes, so no order follows from another.
    const order = Array.from({ length: 120 }, (_, i) => (i * 47) % 120);
    for (let start = 0; start < order.length; start += 8) {
      await Promise.all(
        order.slice(start, start + 8).map((n) =>
          upload(
            server,
            paddedPng(n, ((n * 31) % 120) * 5),
            `file-${String(n).padStart(3, "0")}.png`,
          )
        ),
      );
    }
    for (const sort of ["newest", "name", "size"] as const) {
      const seen: MediaItem[] = [];
      for (let offset = 0; offset < 120; offset += 50) {
        const page = await list(server, `sort=${sort}&limit=50&offset=${offset}`);
        assertEquals(page.total, 120);
        assertEquals(page.count, Math.min(50, 120 - offset));
        seen.push(...page.images);
      }
      assertEquals(new Set(seen.map((i) => i.filename)).size, 120, sort);
      for (let i = 1; i < seen.length; i++) {
        const [a, b] = [seen[i - 1], seen[i]];
        if (sort === "newest") assert(a.created_at >= b.created_at, `${sort} at ${i}`);
        if (sort === "name") assert(a.original_name! < b.original_name!, `${sort} at ${i}`);
        if (sort === "size") assert(a.size > b.size, `${sort} at ${i}`);
      }
    }
    // A search pages too: file-01x and file-1xx are 10 + 20... only the "file-0" ones here.
    const first = await list(server, "q=file-0&sort=name&limit=40");
    assertEquals([first.total, first.count], [100, 40]);
    assertEquals(first.images[0].original_name, "file-000.png");
    const last = await list(server, "q=file-0&sort=name&limit=40&offset=80");
    assertEquals(names(last).at(-1), "file-099.png");
  } finally {
    await server.close();
  }
});

Deno.test("GET /media refuses a huge or control-character q and an unknown sort with 400 {detail}", async () => {
  const server = await startServer({ env: ENV });
  try {
    const cases: [string, string][] = [
      [`q=${"a".repeat(201)}`, "q must be at most 200 characters."],
      [`q=${"a".repeat(60_000)}`, "q must be at most 200 characters."],
      [`q=${encodeURIComponent("cat\u0007")}`, "q must not contain control characters."],
      [`q=${encodeURIComponent("\u202Egnp")}`, "q must not contain control characters."],
      ["sort=bogus", "sort must be one of: newest, name, size."],
      ["sort=NAME", "sort must be one of: newest, name, size."],
      ["sort=", "sort must be one of: newest, name, size."],
    ];
    for (const [query, detail] of cases) {
      const response = await fetch(`${server.url}media?${query}`);
      assertEquals(response.status, 400, query.slice(0, 40));
      assertEquals(await response.json(), { detail });
    }
    // Past 64 KiB of URL, Deno's HTTP parser answers before any route, and the server stays up.
    const huge = await rawExchange(
      server.port,
      `GET /media?q=${"a".repeat(1_000_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      [],
    );
    assertEquals(huge.status, 400);
    // 200 characters is allowed; the limit's own error is FastAPI's 422, as before.
    assertEquals((await fetch(`${server.url}media?q=${"é".repeat(200)}`)).status, 200);
    assertEquals((await fetch(`${server.url}media?limit=0`)).status, 422);
  } finally {
    await server.close();
  }
});

Deno.test("POST /upload keeps a cleaned original name: no controls or folders, 200 characters at most", async () => {
  const server = await startServer({ env: ENV });
  try {
    const cases: [string, string | null][] = [
      // Busboy refuses raw C0 controls but tab in a part header; C1 and bidi controls come as UTF-8.
      ["cat\t\u202Egnp\u0085.png", "catgnp.png"],
      ["\u2066Ünïcode\u2069 ☃.png", "Ünïcode ☃.png"],
      ["C:\\Users\\ann\\photo.png", "photo.png"],
      ["../../etc/passwd.png", "passwd.png"],
      ["  spaced  .png", "spaced  .png"],
      [`${"x".repeat(300)}.png`, `${"x".repeat(195)}….png`],
      [`${"😀".repeat(300)}.png`, `${"😀".repeat(195)}….png`],
    ];
    for (const [sent, kept] of cases) {
      const filename = await upload(server, tinyPng(), sent);
      const found = (await list(server, "")).images.find((i) => i.filename === filename)!;
      assertEquals(found.original_name, kept, sent.slice(0, 30));
      assert([...found.original_name!].length <= 200);
    }
  } finally {
    await server.close();
  }
});

Deno.test("POST /upload records dimensions from the header, an SVG's from its viewBox", async () => {
  const server = await startServer({ env: ENV });
  try {
    const svg = new TextEncoder().encode(
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 48"><rect width="9" height="9"/></svg>`,
    );
    const { stdout } = await new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x180", "-frames:v", "1"]
        .concat(["-f", "mjpeg", "pipe:1"]),
      stdout: "piped",
    }).output();
    const jpg = await upload(server, stdout, "frame.jpg");
    const drawn = await upload(server, svg, "logo.svg");
    const images = (await list(server, "")).images;
    const dims = (name: string) => {
      const item = images.find((i) => i.filename === name)!;
      return [item.width, item.height];
    };
    assertEquals(dims(jpg), [320, 180]);
    assertEquals(dims(drawn), [64, 48]);
  } finally {
    await server.close();
  }
});
