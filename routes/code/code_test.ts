// Code sessions: CodeCast's shapes in process (tests/_app.ts), limits and refusals on the real server.
import { assert, assertEquals, assertMatch } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { startApp } from "../../tests/_app.ts";
import { api, call, createSession } from "../../tests/_code_client.ts";
import { queryServer, rowsOf } from "./_rows.ts";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

Deno.test("code sessions: the whole CodeCast flow with the original's shapes", async () => {
  const server = await startApp();
  try {
    const created = await call(server, "POST", "", {
      body: { creator_token: "my-creator-token", display_name: "Live demo" },
    });
    assertEquals(created.status, 201);
    assertEquals(Object.keys(created.body).sort(), [
      "created_at",
      "display_name",
      "id",
      "is_active",
      "session_code",
    ]);
    const { id, session_code: code } = created.body as Record<string, string>;
    assertMatch(id, UUID);
    assertMatch(code, /^[2-9A-HJKMNP-Z]{10}$/);
    assertEquals(created.body.display_name, "Live demo");
    assertEquals(created.body.is_active, true);
    assertMatch(String(created.body.created_at), ISO);

    const joined = await call(server, "POST", `/${code}/join`, { body: { display_name: "Ana" } });
    assertEquals(joined.status, 201);
    assertEquals(Object.keys(joined.body).sort(), [
      "display_name",
      "id",
      "joined_at",
      "session_id",
    ]);
    assertEquals([joined.body.session_id, joined.body.display_name], [id, "Ana"]);
    assertMatch(String(joined.body.joined_at), ISO);
    const anonymous = await call(server, "POST", `/${code}/join`);
    assertEquals(anonymous.status, 201, "a join without a body gets a generated name");
    assertMatch(String(anonymous.body.display_name), /^Guest \d+$/);

    const none = await call(server, "GET", `/${code}/snippets`);
    assertEquals([none.status, none.body], [404, { error: "No snippets found" }]);

    const raw = await call(server, "POST", `/${code}/snippets`, {
      auth: "my-creator-token",
      body: { file_name: "main.go", content: "package main\n" },
    });
    assertEquals(raw.status, 201);
    assertEquals(Object.keys(raw.body).sort(), [
      "content",
      "file_name",
      "id",
      "pushed_at",
      "session_id",
    ]);
    assertEquals([raw.body.session_id, raw.body.file_name, raw.body.content], [
      id,
      "main.go",
      "package main\n",
    ]);
    const bearer = await call(server, "POST", `/${code}/snippets`, {
      auth: "Bearer my-creator-token",
      body: { file_name: "main.go", content: "package main\n\nfunc main() {}\n" },
    });
    assertEquals(bearer.status, 201);

    // Codes are read case-insensitively and with or without the grouping dashes.
    const grouped = `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`.toLowerCase();
    const latest = await call(server, "GET", `/${grouped}/snippets`);
    assertEquals([latest.status, latest.body], [200, bearer.body]);

    for (let i = 0; i < 3; i++) {
      await call(server, "POST", `/${code}/snippets`, {
        auth: "my-creator-token",
        body: { file_name: `f${i}.py`, content: `print(${i})` },
      });
    }
    const page1 = await call(server, "GET", `/${code}/snippets/history?limit=2`);
    assertEquals((page1.body.snippets as { file_name: string }[]).map((s) => s.file_name), [
      "f2.py",
      "f1.py",
    ]);
    const page2 = await call(
      server,
      "GET",
      `/${code}/snippets/history?limit=2&before=${page1.body.next_before}`,
    );
    const page3 = await call(
      server,
      "GET",
      `/${code}/snippets/history?limit=2&before=${page2.body.next_before}`,
    );
    assertEquals((page2.body.snippets as { id: string }[]).map((s) => s.id)[1], bearer.body.id);
    assertEquals((page3.body.snippets as { id: string }[]).map((s) => s.id), [raw.body.id]);
    assertEquals(page3.body.next_before, null);

    const info = await call(server, "GET", `/${code}`);
    assertEquals([info.body.participant_count, info.body.session_code], [2, code]);
    assertEquals(await rowsOf(server, id), [1, 2, 5]);

    const ended = await call(server, "POST", `/${code}/end`, { auth: "Bearer my-creator-token" });
    assertEquals(ended.status, 200);
    assertEquals(await rowsOf(server, id), [0, 0, 0], "every row of the session is gone");
    for (
      const [method, path, auth] of [
        ["GET", `/${code}`],
        ["GET", `/${code}/snippets`],
        ["GET", `/${code}/snippets/history`],
        ["POST", `/${code}/join`],
        ["POST", `/${code}/snippets`, "my-creator-token"],
        ["POST", `/${code}/end`, "my-creator-token"],
        ["GET", `/${code}/events`],
      ]
    ) {
      const after = await call(server, method!, path!, {
        auth,
        body: method === "POST" ? { file_name: "a", content: "b" } : undefined,
      });
      assertEquals([after.status, after.body], [404, { error: "Session not found" }], path);
    }
  } finally {
    await server.close();
  }
});

Deno.test("code sessions: 25 concurrent joins yield exactly 20 participants", async () => {
  const server = await startApp();
  try {
    const { code, id } = await createSession(server);
    const results = await Promise.all(
      Array.from(
        { length: 25 },
        (_, i) => call(server, "POST", `/${code}/join`, { body: { display_name: `p${i}` } }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    assertEquals(statuses, [...Array(20).fill(201), ...Array(5).fill(403)]);
    for (const refused of results.filter((r) => r.status === 403)) {
      assertEquals(refused.body, { error: "Max amount of participants" });
    }
    assertEquals((await call(server, "GET", `/${code}`)).body.participant_count, 20);
    assertEquals((await rowsOf(server, id))[1], 20);
  } finally {
    await server.close();
  }
});

Deno.test("code sessions: a generated creator token is returned once and stored only hashed", async () => {
  const server = await startApp();
  try {
    const created = await call(server, "POST", "", { body: { display_name: "No token" } });
    assertEquals(created.status, 201);
    const token = String(created.body.creator_token);
    assertMatch(token, /^[0-9a-f]{64}$/);
    const code = String(created.body.session_code);
    const push = await call(server, "POST", `/${code}/snippets`, {
      auth: `Bearer ${token}`,
      body: { file_name: "a.ts", content: "let a = 1;" },
    });
    assertEquals(push.status, 201);
    const info = await call(server, "GET", `/${code}`);
    assertEquals(info.body.creator_token, undefined, "the token is never shown again");

    const [row] = await queryServer(
      server,
      "SELECT creator_token_hash FROM code_sessions WHERE id = ?",
      [String(created.body.id)],
    ) as { creator_token_hash: string }[];
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    assertEquals(row.creator_token_hash, hex);
    assert(!row.creator_token_hash.includes(token));
  } finally {
    await server.close();
  }
});

Deno.test("code sessions: wrong tokens, bad bodies and oversize snippets are refused", async () => {
  const server = await startServer({ env: { MAX_SNIPPET_BYTES: "2048" } });
  try {
    const { code, id, token } = await createSession(server);
    const push = (auth: string | undefined, body: unknown, raw?: BodyInit) =>
      call(server, "POST", `/${code}/snippets`, { auth, body, raw });
    const ok = { file_name: "x.js", content: "1" };
    const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>, number][] = [
      ["no token", push(undefined, ok), 401],
      ["empty token", push("", ok), 401],
      ["wrong token", push("not-the-token", ok), 403],
      ["wrong Bearer token", push("Bearer nope", ok), 403],
      ["token of Basic", push(`Basic ${token}`, ok), 403],
      [
        "unknown session",
        call(server, "POST", "/ABCDEFGHJK/snippets", { auth: token, body: ok }),
        404,
      ],
      ["not JSON", push(token, undefined, "{nope"), 400],
      ["array body", push(token, [1, 2]), 400],
      ["no body", push(token, undefined), 400],
      ["missing file_name", push(token, { content: "x" }), 400],
      ["blank file_name", push(token, { file_name: "  ", content: "x" }), 400],
      ["file_name with newline", push(token, { file_name: "a\nb", content: "x" }), 400],
      ["long file_name", push(token, { file_name: "a".repeat(300), content: "x" }), 400],
      ["content not a string", push(token, { file_name: "a", content: 5 }), 400],
      ["oversize content", push(token, { file_name: "a", content: "é".repeat(1025) }), 413],
      ["oversize body", push(token, { file_name: "a", content: "x".repeat(50_000) }), 413],
      [
        "oversize, streamed without a length",
        push(
          token,
          undefined,
          new ReadableStream({
            start(c) {
              c.enqueue(new TextEncoder().encode('{"file_name":"a","content":"'));
              for (let i = 0; i < 64; i++) c.enqueue(new TextEncoder().encode("y".repeat(1024)));
              c.enqueue(new TextEncoder().encode('"}'));
              c.close();
            },
          }),
        ),
        413,
      ],
      ["wrong token to end", call(server, "POST", `/${code}/end`, { auth: "nope" }), 403],
      ["no token to end", call(server, "POST", `/${code}/end`), 401],
      ["bad display_name", call(server, "POST", "", { body: { display_name: 5 } }), 400],
      ["bad creator_token", call(server, "POST", "", { body: { creator_token: "" } }), 400],
      ["bad history limit", call(server, "GET", `/${code}/snippets/history?limit=0`), 400],
      ["unknown before", call(server, "GET", `/${code}/snippets/history?before=zz`), 400],
      ["malformed code", call(server, "GET", "/not-a-code!/snippets"), 404],
      [
        "long join name",
        call(server, "POST", `/${code}/join`, { body: { display_name: "n".repeat(65) } }),
        400,
      ],
    ];
    for (const [name, pending, status] of cases) {
      const response = await pending;
      assertEquals(response.status, status, name);
      assert(
        typeof response.body.error === "string" && response.body.error.length > 0,
        `${name}: JSON error`,
      );
    }
    assertEquals((await push(undefined, ok)).body.error, "Missing creator token");
    assertEquals((await push("nope", ok)).body.error, "Invalid creator token");
    assertEquals(
      (await push(token, { file_name: "a", content: "é".repeat(1025) })).body.error,
      "Snippet is larger than 2048 bytes",
    );
    // Exactly at the limit is fine, and nothing refused above was stored.
    assertEquals((await push(token, { file_name: "a", content: "é".repeat(1024) })).status, 201);
    assertEquals(await rowsOf(server, id), [1, 0, 1]);
    const raw = await fetch(api(server, `/${code}/snippets`));
    assertEquals(raw.headers.get("content-type"), "application/json");
    await raw.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("code sessions: pages and API live under BASE_PATH", async () => {
  const server = await startServer({ env: { BASE_PATH: "/cc/" } });
  try {
    const { code } = await createSession(server);
    assertMatch(api(server), /\/cc\/api\/v1\/sessions\/anon$/);
    const page = await fetch(`${server.url}code/${code}`);
    assertEquals(page.status, 200);
    const html = await page.text();
    assertMatch(html, /\/cc\/assets\/code\.js/);
    assertMatch(html, /\/cc\/assets\/code\.css/);
    assertMatch(html, /\/cc\/assets\/code_theme\.css/);
    const missing = await fetch(`${server.url}code/ABCDEFGHJK`);
    assertEquals(missing.status, 404, "an unknown code still gets the page, saying so");
    assertMatch(await missing.text(), /"found":false/);
    const present = await fetch(`${server.url}present`);
    assertMatch(await present.text(), /\/cc\/assets\/present\.js/);
    const bare = await fetch(`${server.url}code`);
    assertEquals(bare.url, `${server.url}present`, "/code without a code leads to /present");
    const css = await fetch(`${server.url}assets/code_theme.css`);
    assertEquals(css.status, 200);
    assertMatch(await css.text(), /\.hljs-keyword/);
  } finally {
    await server.close();
  }
});

Deno.test("code sessions: curl -d without a JSON content type works, as CodeCast clients send it", async () => {
  const server = await startServer();
  const curl = async (...args: string[]) => {
    const { stdout } = await new Deno.Command("curl", { args: ["-sS", ...args] }).output();
    return JSON.parse(new TextDecoder().decode(stdout));
  };
  try {
    const created = await curl(
      "-X",
      "POST",
      api(server),
      "-d",
      '{"creator_token":"my-token","display_name":"Friday review"}',
    );
    const code = created.session_code;
    assertEquals(created.display_name, "Friday review");
    const pushed = await curl(
      "-X",
      "POST",
      api(server, `/${code}/snippets`),
      "-H",
      "Authorization: my-token",
      "-d",
      '{"file_name":"main.go","content":"package main"}',
    );
    assertEquals(pushed.content, "package main");
    assertEquals((await curl(api(server, `/${code}/snippets`))).id, pushed.id);
  } finally {
    await server.close();
  }
});
