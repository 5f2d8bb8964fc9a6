// The media library's fixes over the Media Server, against the real server process.
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { tinyGif, tinyPng } from "../../tests/_images.ts";
import { waitFor } from "../../tests/_wait.ts";
import {
  djangoToken,
  filesUnder,
  memoryOf,
  multipartHead,
  multipartTail,
  rawExchange,
  sampleRss,
  SECRET,
  uploadMedia,
} from "../../tests/_media.ts";

const ENV = { MEDIA_SERVER_SECRET: SECRET };
const text = (s: string) => new TextEncoder().encode(s);
const MiB = 1024 * 1024;

Deno.test("media: content must match the extension; script-bearing SVGs are refused", async () => {
  const server = await startServer({ env: ENV });
  try {
    const refuse = async (body: Uint8Array, name: string, detail: RegExp) => {
      const response = await uploadMedia(server, await djangoToken(), body, name);
      const json = await response.json();
      assertEquals(response.status, 400, name);
      assertMatch(json.detail, detail, name);
    };
    await refuse(tinyPng(), "renamed.jpg", /does not match its extension: it is a PNG image/);
    await refuse(text("<!doctype html><script>alert(1)</script>"), "page.png", /not a \.png/);
    await refuse(text("<html><body>hi</body></html>"), "page.svg", /Root element is <html>/);
    await refuse(
      text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'),
      "evil.svg",
      /SVG files with scripts, event handlers or external references are not accepted/,
    );
    await refuse(text('<svg onload="alert(1)"/>'), "evil2.svg", /not accepted/);
    await refuse(
      text(
        '<svg><a><animate attributeName="href" values="https://x;javascript:alert(1)"/></a></svg>',
      ),
      "animate.svg",
      /not accepted: SVG contains a script URL in values\.$/,
    );
    await refuse(
      text(
        '<svg xmlns="http://www.w3.org/2000/svg"><use href="http://evil.example/s.svg#i"/></svg>',
      ),
      "use.svg",
      /not accepted: SVG refers to an external resource in href\.$/,
    );
    await refuse(
      text("<svg><style>rect { fill: url(https://evil.example/x) }</style></svg>"),
      "css.svg",
      /external references are not accepted/,
    );
    await refuse(tinyPng(), "notes.txt", /^File type '\.txt' is not allowed\. Allowed: \.jpg, /);
    await refuse(tinyPng(), "noextension", /^File type '' is not allowed/);
    assertEquals(await filesUnder(join(server.dataDir, "media")), [], "nothing refused was kept");

    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect/></svg>';
    const ok = await uploadMedia(server, await djangoToken(), text(svg), "Logo.SVG");
    const { url, filename } = await ok.json();
    assertMatch(filename, /^[0-9a-f]{32}\.svg$/);
    const served = await fetch(url);
    assertEquals(await served.text(), svg);
    assertEquals(served.headers.get("content-type"), "image/svg+xml");
    assertEquals(served.headers.get("x-content-type-options"), "nosniff");
    assertEquals(
      served.headers.get("content-security-policy"),
      "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    );
    const gif = await uploadMedia(server, await djangoToken(), tinyGif(), "a.jpeg");
    assertEquals(gif.status, 400, "a GIF is not a .jpeg");
    await gif.body?.cancel();
    assertEquals((await uploadMedia(server, await djangoToken(), tinyGif(), "a.gif")).status, 200);
  } finally {
    await server.close();
  }
});

Deno.test("media: traversal names never reach the filesystem", async () => {
  const server = await startServer({ env: ENV });
  try {
    const secret = "top secret content";
    await Deno.writeTextFile(join(server.dataDir, "secret.png"), secret);
    await Deno.writeTextFile(join(server.dataDir, "media-secret.png"), secret);
    const token = await djangoToken();
    const names = [
      "..%2fsecret.png",
      "%2e%2e%2fsecret.png",
      "%2e%2e%2f.htpasswd",
      "..%5csecret.png",
      "%2fetc%2fpasswd",
      "%2Fetc%2Fpasswd",
      ".thumbs",
      "ABCDEF0123456789ABCDEF0123456789.png",
      "0123456789abcdef0123456789abcdef.png.txt",
      "0123456789abcdef0123456789abcdef.exe",
    ];
    for (const name of names) {
      const got = await fetch(`${server.url}media/${name}`);
      const body = await got.text();
      assert(got.status === 404 || got.status === 400, `GET ${name}: ${got.status}`);
      assert(!body.includes(secret) && !body.includes("root:"), `GET ${name} leaked`);
      const del = await fetch(`${server.url}media/${name}?token=${token}`, { method: "DELETE" });
      assert(del.status === 404 || del.status === 400, `DELETE ${name}: ${del.status}`);
      await del.body?.cancel();
    }
    // Raw paths a browser or fetch() would normalise first.
    for (
      const path of [
        "/media/../secret.png",
        "/media/..%2f..%2fsecret.png",
        "//etc/passwd",
        "/media//etc/passwd",
        "/media/./../media-secret.png",
      ]
    ) {
      for (const method of ["GET", "DELETE"]) {
        const answer = await rawExchange(
          server.port,
          `${method} ${path}?token=${token} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          [],
        );
        assert(answer.status > 0, `${method} ${path} answered`);
        assert(
          !answer.body.includes(secret) && !answer.body.includes("root:"),
          `${method} ${path}`,
        );
      }
    }
    assertEquals(await Deno.readTextFile(join(server.dataDir, "secret.png")), secret);
    assert((await Deno.stat(join(server.dataDir, ".htpasswd"))).isFile, ".htpasswd is still there");
  } finally {
    await server.close();
  }
});

Deno.test("media: a client that disconnects mid-upload leaves no file behind", async () => {
  const server = await startServer({ env: ENV });
  try {
    const token = await djangoToken();
    const boundary = "----roomcast-disconnect";
    const head = multipartHead(boundary, "big.png");
    const body = new Uint8Array(4 * MiB).fill(7);
    body.set(tinyPng(), 0);
    const length = head.length + body.length + multipartTail(boundary).length;
    await rawExchange(
      server.port,
      `POST /upload?token=${token} HTTP/1.1\r\nHost: x\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n\r\n`,
      [head, body.subarray(0, 2 * MiB)],
      { closeAfterWrite: true },
    );
    const media = join(server.dataDir, "media");
    await waitFor(async () => (await filesUnder(media)).length === 0, {
      what: "the temp file to be removed",
    });
    assertEquals((await (await fetch(`${server.url}media`)).json()).count, 0);
    assertEquals((await uploadMedia(server, await djangoToken(), tinyPng(), "a.png")).status, 200);
  } finally {
    await server.close();
  }
});

Deno.test("media: an oversize upload is refused without the server holding it in memory", async () => {
  const server = await startServer({ env: ENV });
  try {
    const token = () => djangoToken();
    // Declared too large: refused before a byte of the body is read.
    const declared = await rawExchange(
      server.port,
      `POST /upload?token=${await token()} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
        `Content-Type: multipart/form-data; boundary=B\r\nContent-Length: ${64 * MiB}\r\n\r\n`,
      [],
    );
    assertEquals(declared.status, 413);
    assertEquals(JSON.parse(declared.body), { detail: "File too large. Maximum size is 10 MB." });

    // Chunked, no length: the limit is enforced as bytes arrive.
    const send = async () => {
      const boundary = "B";
      const chunk = new Uint8Array(256 * 1024).fill(1);
      const frame = (
        bytes: Uint8Array,
      ) => [text(bytes.length.toString(16) + "\r\n"), bytes, text("\r\n")];
      const chunks = function* () {
        const first = new Uint8Array(chunk);
        first.set(tinyPng());
        yield* frame(new Uint8Array([...multipartHead(boundary, "huge.png"), ...first]));
        for (let sent = chunk.length; sent < 100 * MiB; sent += chunk.length) yield* frame(chunk);
        yield* frame(multipartTail(boundary));
        yield text("0\r\n\r\n");
      };
      return await rawExchange(
        server.port,
        `POST /upload?token=${await token()} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\n\r\n`,
        chunks(),
      );
    };
    await send(); // warms up the code paths once
    const before = (await memoryOf(server.pid)).rssKb;
    const sampler = sampleRss(server.pid);
    const answer = await send();
    const peak = await sampler.stop();
    assertEquals(answer.status, 413);
    assertEquals(JSON.parse(answer.body), { detail: "File too large. Maximum size is 10 MB." });
    // The server reads the first 10 MB, refuses, and discards the rest unread. Garbage from those
    // 10 MB may wait for V8's next collection, but nothing grows with the file's 100 MB.
    const growthMb = (peak - before) / 1024;
    console.log(`RSS ${before} kB before, ${peak} kB at most during a 100 MB upload`);
    assert(growthMb < 40, `memory grew by ${growthMb.toFixed(1)} MB for a 100 MB upload`);
    // The refused upload's temp file goes once its stream is torn down, which may follow the 413.
    const media = join(server.dataDir, "media");
    await waitFor(async () => (await filesUnder(media)).length === 0, {
      what: "the refused upload's temp file to be removed",
    });
  } finally {
    await server.close();
  }
});

Deno.test("media: MEDIA_TOKEN_SINGLE_USE=1 accepts each token once", async () => {
  const server = await startServer({ env: { ...ENV, MEDIA_TOKEN_SINGLE_USE: "1" } });
  try {
    const token = await djangoToken();
    const first = await uploadMedia(server, token, tinyPng(1));
    assertEquals(first.status, 200);
    const { filename } = await first.json();
    const again = await uploadMedia(server, token, tinyPng(2));
    assertEquals([again.status, await again.json()], [401, {
      detail: "Token has already been used.",
    }]);
    const del = await fetch(`${server.url}media/${filename}?token=${token}`, { method: "DELETE" });
    assertEquals(del.status, 401, "a used token cannot delete either");
    await del.body?.cancel();
    const fresh = await djangoToken(SECRET, -30); // another second, so another token
    const ok = await fetch(`${server.url}media/${filename}?token=${fresh}`, { method: "DELETE" });
    assertEquals(await ok.json(), { detail: `Deleted ${filename}` });
  } finally {
    await server.close();
  }
});

Deno.test("media: MEDIA_TOKEN_SINGLE_USE=1 spends a token once under 25 concurrent uploads", async () => {
  const server = await startServer({ env: { ...ENV, MEDIA_TOKEN_SINGLE_USE: "1" } });
  try {
    const token = await djangoToken();
    const answers = await Promise.all(
      Array.from({ length: 25 }, async (_, i) => {
        const response = await uploadMedia(server, token, tinyPng(i));
        return { status: response.status, body: await response.json() };
      }),
    );
    assertEquals(answers.filter((a) => a.status === 200).length, 1);
    for (const refused of answers.filter((a) => a.status !== 200)) {
      assertEquals(refused, { status: 401, body: { detail: "Token has already been used." } });
    }
    const listed = await fetch(`${server.url}media`);
    assertEquals((await listed.json()).total, 1, "one upload stored");
  } finally {
    await server.close();
  }
});
