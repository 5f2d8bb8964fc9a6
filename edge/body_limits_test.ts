// Oversize bodies against the real server: each is refused with a 413 at once, and memory stays flat.
import { assert, assertEquals } from "../tests/_assert.ts";
import { memoryOf, rawExchange, sampleRss } from "../tests/_media.ts";
import { startServer, type TestServer } from "../tests/_server.ts";
import { api, signupUser } from "../tests/_workspaces.ts";

const MiB = 1024 * 1024;
const encoder = new TextEncoder();

interface Sent {
  status: number;
  ms: number;
  /** Bytes the generator produced before the client stopped asking: the server stopped reading. */
  sentBytes: number;
}

/**
 * POSTs `head`, then `totalBytes` of `fill`, then `tail`, streamed from a generator one MiB at a
 * time, so neither side ever holds the body; resolves with the answer's status and timing.
 */
async function streamedPost(
  url: string,
  headers: Record<string, string>,
  parts: { head: string; fill: string; totalBytes: number; tail: string },
): Promise<Sent> {
  let sentBytes = 0;
  const chunk = encoder.encode(parts.fill.repeat(MiB / parts.fill.length));
  const body = ReadableStream.from((function* () {
    yield encoder.encode(parts.head);
    for (let sent = 0; sent < parts.totalBytes; sent += chunk.length) {
      sentBytes += chunk.length;
      yield chunk;
    }
    yield encoder.encode(parts.tail);
  })());
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers, body });
  await response.body?.cancel();
  return { status: response.status, ms: performance.now() - started, sentBytes };
}

const json = { "content-type": "application/json" };
const urlencoded = { "content-type": "application/x-www-form-urlencoded" };
const multipart = { "content-type": "multipart/form-data; boundary=XyZ" };
const multipartHead = (field: string) =>
  `--XyZ\r\nContent-Disposition: form-data; name="${field}"\r\n\r\n`;

/** The six parallel account-form attacks of the hardening issue, each `totalBytes` long. */
function accountAttacks(server: TestServer, totalBytes: number): Promise<Sent>[] {
  const at = (path: string) => `${server.url}${path}`;
  const a = "a";
  return [
    streamedPost(at("login"), urlencoded, {
      head: "email=x%40y.z&password=",
      fill: a,
      totalBytes,
      tail: "",
    }),
    streamedPost(at("signup"), multipart, {
      head: multipartHead("display_name"),
      fill: a,
      totalBytes,
      tail: "\r\n--XyZ--\r\n",
    }),
    streamedPost(at("api/auth/login"), json, {
      head: '{"email":"x@y.z","password":"',
      fill: a,
      totalBytes,
      tail: '"}',
    }),
    streamedPost(at("api/auth/signup"), json, {
      head: '{"email":"x@y.z","display_name":"',
      fill: a,
      totalBytes,
      tail: '"}',
    }),
    streamedPost(at("login"), multipart, {
      head: multipartHead("password"),
      fill: a,
      totalBytes,
      tail: "\r\n--XyZ--\r\n",
    }),
    streamedPost(at("signup"), urlencoded, {
      head: "display_name=",
      fill: a,
      totalBytes,
      tail: "",
    }),
  ];
}

function assertRefusedFast(results: Sent[], what: string): void {
  for (const [i, r] of results.entries()) {
    assertEquals(r.status, 413, `${what} #${i}`);
    assert(r.ms < 1000, `${what} #${i} answered in ${r.ms.toFixed(0)} ms`);
    assert(r.sentBytes < 100 * MiB, `${what} #${i}: the server read on (${r.sentBytes} bytes)`);
  }
}

Deno.test("bodies: 120 MiB messages, 250 MiB account forms, 200 MiB passwords → 413 in < 1 s, flat RSS", async () => {
  const server = await startServer();
  try {
    const user = await signupUser(server, "poster");
    const created = await api(server, user, "POST", "api/servers", { name: "Limits" });
    const channelId = (created.body.channels as { id: number }[])[0].id;
    const messages = `${server.url}api/channels/${channelId}/messages`;
    const asUser = { ...json, cookie: user.cookie, origin: server.origin };
    const message = (totalBytes: number) =>
      streamedPost(messages, asUser, { head: '{"content":"', fill: "x", totalBytes, tail: '"}' });

    // Warm-up: every code path once, so what follows measures the attack, not the first call.
    assertRefusedFast([await message(MiB)], "warm-up message");
    assertRefusedFast(await Promise.all(accountAttacks(server, MiB)), "warm-up forms");
    const small = await api(server, user, "POST", `api/channels/${channelId}/messages`, {
      content: "ok",
    });
    assertEquals(small.status, 201, "a normal message still posts");

    const before = (await memoryOf(server.pid)).rssKb;
    const sampler = sampleRss(server.pid);
    const attacks = [
      message(120 * MiB),
      ...accountAttacks(server, 250 * MiB),
      streamedPost(`${server.url}api/auth/login`, json, {
        head: '{"email":"poster@example.test","password":"',
        fill: "p",
        totalBytes: 200 * MiB,
        tail: '"}',
      }),
    ];
    const results = await Promise.all(attacks);
    const peak = await sampler.stop();
    assertRefusedFast(results, "attack");
    const slowest = Math.max(...results.map((r) => r.ms));
    const mostSent = Math.max(...results.map((r) => r.sentBytes)) / MiB;
    console.log(
      `slowest 413 after ${slowest.toFixed(0)} ms; at most ${mostSent} MiB left the client`,
    );
    const growthMiB = (peak - before) / 1024;
    console.log(`RSS ${before} kB before, ${peak} kB at most: +${growthMiB.toFixed(1)} MiB`);
    assert(growthMiB < 20, `RSS grew by ${growthMiB.toFixed(1)} MiB`);

    // A declared length past the limit is refused before a byte of the body is read.
    const declared = await rawExchange(
      server.port,
      `POST /api/channels/${channelId}/messages HTTP/1.1\r\nHost: x\r\nCookie: ${user.cookie}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${120 * MiB}\r\n\r\n`,
      [],
    );
    assertEquals(declared.status, 413);

    const health = await fetch(`${server.url}healthz`);
    assertEquals([health.status, (await health.json()).status], [200, "ok"], "still serving");
  } finally {
    await server.close();
  }
});

Deno.test("bodies: malformed multipart on /signup and /login is a 400, not a 500", async () => {
  const server = await startServer();
  try {
    const malformed: [string, string][] = [
      ["multipart/form-data; boundary=XyZ", "not multipart at all"],
      ["multipart/form-data", `${multipartHead("email")}a@b.c\r\n--XyZ--\r\n`],
    ];
    for (const path of ["signup", "login"]) {
      for (const [type, body] of malformed) {
        const response = await fetch(`${server.url}${path}`, {
          method: "POST",
          headers: { "content-type": type },
          body,
        });
        const answer = [response.status, (await response.json()).code];
        assertEquals(answer, [400, "bad_request"], `${path}, ${type}`);
      }
    }
    const login = await fetch(`${server.url}login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "multipart/form-data; boundary=XyZ" },
      body: `${multipartHead("email")}nobody@example.test\r\n${
        multipartHead("password")
      }wrong-password\r\n--XyZ--\r\n`,
    });
    assertEquals(login.status, 401, "a well-formed multipart login is still read");
    await login.body?.cancel();
  } finally {
    await server.close();
  }
});
