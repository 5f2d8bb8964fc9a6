// The shared field rules, alone and at every route that takes a name from a client.
import { assert, assertEquals } from "../tests/_assert.ts";
import { startServer } from "../tests/_server.ts";
import { ADMIN_TOKEN, api as streamsApi } from "../tests/_streams.ts";
import { api, signupUser } from "../tests/_workspaces.ts";
import { hasControlCharacters, longerThan, parseId } from "./fields.ts";

/** Bidi embeddings, overrides, isolates and marks: each makes a name display as something else. */
const BIDI = [
  ..."\u202A\u202B\u202C\u202D\u202E",
  ..."\u2066\u2067\u2068\u2069",
  ..."\u200E\u200F\u061C",
];

Deno.test("hasControlCharacters() refuses bidi controls, Cc and Cf, and keeps real names", () => {
  for (const ch of BIDI) {
    const hex = ch.codePointAt(0)!.toString(16);
    assert(hasControlCharacters(`ad${ch}min`), `U+${hex}`);
  }
  for (const ch of ["\u0000", "\n", "\t", "\u007f", "\u0085", "\u200B", "\uFEFF", "\u2028"]) {
    assert(hasControlCharacters(`a${ch}b`), `U+${ch.codePointAt(0)!.toString(16)}`);
  }
  for (const name of ["Ada Lovelace", "Zoë 🎉", "مرحبا", "日本語チャンネル", "o'brien-2"]) {
    assert(!hasControlCharacters(name), name);
  }
});

Deno.test("longerThan() counts code points in place, even in a huge string", () => {
  assertEquals(longerThan("🎉".repeat(2000), 2000), false, "2000 emoji are 4000 UTF-16 units");
  assertEquals(longerThan("🎉".repeat(2001), 2000), true);
  assertEquals(longerThan("x".repeat(2000), 2000), false);
  assertEquals(longerThan("\uD800x", 1), true, "a lone surrogate is one code point");
  // Spreading this into an array ("invalid array length") used to end the process.
  assertEquals(longerThan("x".repeat(120 * 1024 * 1024), 2000), true);
});

Deno.test("parseId() takes positive safe integers, as numbers or decimal text", () => {
  assertEquals([parseId(7), parseId("42"), parseId("9007199254740991")], [7, 42, 9007199254740991]);
  for (const bad of [0, -1, 1.5, "0", "01", "1e3", " 1", "9007199254740993", null, {}, 1e300]) {
    assertEquals(parseId(bad), null, JSON.stringify(bad));
  }
});

Deno.test("names: every route refuses bidi controls and format characters; messages keep newlines", async () => {
  const server = await startServer({
    env: { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, RTMP_ENABLED: "false" },
  });
  try {
    const evil = (ch: string) => `admin${ch}txt.exe`;
    const user = await signupUser(server, "namer");
    const created = await api(server, user, "POST", "api/servers", { name: "Names" });
    const serverId = (created.body.server as { id: number }).id;
    const channelId = (created.body.channels as { id: number }[])[0].id;
    const room = await streamsApi(server.url, "POST", "api/rooms", { body: { name: "Names" } });
    const session = await fetch(`${server.url}api/v1/sessions/anon`, {
      method: "POST",
      body: JSON.stringify({ creator_token: "names-token", display_name: "Names" }),
    }).then((r) => r.json());
    const code = `api/v1/sessions/anon/${session.session_code}`;

    const json = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const asUser = { cookie: user.cookie, origin: server.origin };
    const kinds: [string, (name: string) => Promise<{ status: number }>][] = [
      ["account display name", (name) =>
        json("api/auth/signup", {
          email: `n${Math.random()}@example.test`,
          display_name: name,
          password: "long enough",
        })],
      ["server name", (name) => json("api/servers", { name }, asUser)],
      ["channel name", (name) => json(`api/servers/${serverId}`, { name, kind: "text" }, asUser)],
      ["stream room name", (name) => json("api/rooms", { name }, { "x-admin-token": ADMIN_TOKEN })],
      ["stream nickname", (name) => json(`api/rooms/${room.body.slug}/join`, { nickname: name })],
      [
        "code session display name",
        (name) => json("api/v1/sessions/anon", { creator_token: "t", display_name: name }),
      ],
      ["code participant name", (name) => json(`${code}/join`, { display_name: name })],
      [
        "code snippet file name",
        (name) =>
          json(`${code}/snippets`, { file_name: name, content: "x" }, {
            authorization: "names-token",
          }),
      ],
    ];
    for (const [kind, post] of kinds) {
      assertEquals((await post(evil("\u202E"))).status, 400, `${kind} with U+202E`);
      assertEquals((await post(evil("\u2066"))).status, 400, `${kind} with U+2066`);
      assertEquals((await post(evil("\u200B"))).status, 400, `${kind} with U+200B`);
      const fine = await post(`Zoë ${kind.length} 🎉`);
      assert(fine.status === 200 || fine.status === 201, `${kind}: a real name (${fine.status})`);
    }
    for (const ch of BIDI) {
      const status = (await kinds[4][1](`nick${ch}`)).status;
      assertEquals(status, 400, `nickname with U+${ch.codePointAt(0)!.toString(16)}`);
    }

    const message = await api(server, user, "POST", `api/channels/${channelId}/messages`, {
      content: "first line\nsecond line",
    });
    assertEquals(message.status, 201);
    assertEquals(message.body.content, "first line\nsecond line");
  } finally {
    await server.close();
  }
});
