// Live typing, open files, watcher counts and their limits, against the real server process.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { api, call, createSession, sseReader } from "../../tests/_code_client.ts";
import { openSocket } from "../../tests/_ws.ts";
import { queryServer } from "./_rows.ts";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function draftRows(server: TestServer, sessionId: string): Promise<number> {
  const [row] = await queryServer(
    server,
    "SELECT COUNT(*) AS n FROM code_drafts WHERE session_id = ?",
    [sessionId],
  );
  return Number(row.n);
}

Deno.test("code sessions: live typing reaches a viewer as fleeting events; drafts and per-file history are listed", async () => {
  const server = await startServer();
  try {
    const { code, token, id } = await createSession(server);
    const viewer = sseReader(await fetch(api(server, `/${code}/events`)));
    await pause(100);
    const live = (body: unknown) => call(server, "POST", `/${code}/live`, { auth: token, body });

    const typed = await live({ file_name: "main.ts", content: "let a = 1;\nlet b", caret_line: 9 });
    assertEquals(typed.status, 200);
    assertEquals(typed.body, { file_name: "main.ts", rev: 1, caret_line: 2 }, "caret clamped");
    let frame = (await viewer.next())!;
    while (frame.event === "watching") frame = (await viewer.next())!;
    assertEquals([frame.event, frame.id], ["live", "0"], "fleeting: no id of its own");
    const event = JSON.parse(frame.data).data;
    assertEquals([event.file_name, event.content, event.caret_line, event.rev], [
      "main.ts",
      "let a = 1;\nlet b",
      2,
      1,
    ]);

    assertEquals((await live({ file_name: "util.py", content: "x = 1" })).status, 200);
    await call(server, "POST", `/${code}/snippets`, {
      auth: token,
      body: { file_name: "main.ts", content: "let a = 1;" },
    });
    await call(server, "POST", `/${code}/snippets`, {
      auth: token,
      body: { file_name: "util.py", content: "x = 2" },
    });
    await call(server, "POST", `/${code}/snippets`, {
      auth: token,
      body: { file_name: "main.ts", content: "let a = 2;" },
    });
    const files = await call(server, "GET", `/${code}/files`);
    type Entry = { file_name: string } & Record<string, Record<string, unknown> | null>;
    const list = files.body.files as Entry[];
    assertEquals(list.map((f) => f.file_name), ["main.ts", "util.py"], "newest activity first");
    assertEquals(list[0].latest?.content, "let a = 2;");
    assertEquals(list[0].draft?.content, "let a = 1;\nlet b");
    assertEquals(list[1].draft?.content, "x = 1");

    const perFile = await call(server, "GET", `/${code}/snippets/history?file_name=main.ts`);
    assertEquals(
      (perFile.body.snippets as { content: string }[]).map((s) => s.content),
      ["let a = 2;", "let a = 1;"],
      "one file's pushes only, newest first",
    );

    const closed = await call(server, "POST", `/${code}/live/close`, {
      auth: token,
      body: { file_name: "util.py" },
    });
    assertEquals(closed.status, 200);
    assertEquals(await draftRows(server, id), 1);
    assertEquals((await call(server, "POST", `/${code}/end`, { auth: token })).status, 200);
    assertEquals(await draftRows(server, id), 0, "ending deletes the drafts");
    await viewer.close();
  } finally {
    await server.close();
  }
});

Deno.test("code sessions: live typing refuses oversize snapshots, too many files, bad names, floods", async () => {
  const server = await startServer();
  try {
    const { code, token } = await createSession(server);
    const live = (body: unknown, auth = token) =>
      call(server, "POST", `/${code}/live`, { auth, body });
    const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>, number][] = [
      ["no token", call(server, "POST", `/${code}/live`, { body: {} }), 401],
      ["wrong token", live({ file_name: "a", content: "" }, "nope"), 403],
      ["oversize", live({ file_name: "a.ts", content: "x".repeat(64 * 1024 + 1) }), 413],
      ["multi-byte oversize", live({ file_name: "a.ts", content: "é".repeat(32 * 1024 + 1) }), 413],
      ["empty name", live({ file_name: "  ", content: "" }), 400],
      ["long name", live({ file_name: "a".repeat(121), content: "" }), 400],
      ["control name", live({ file_name: "a\u0007.ts", content: "" }), 400],
      ["number name", live({ file_name: 7, content: "" }), 400],
      ["no content", live({ file_name: "a.ts" }), 400],
      ["bad caret", live({ file_name: "a.ts", content: "", caret_line: 0 }), 400],
      [
        "close unknown",
        call(server, "POST", `/${code}/live/close`, {
          auth: token,
          body: { file_name: "nope.ts" },
        }),
        404,
      ],
      ["participants, no token", call(server, "GET", `/${code}/participants`), 401],
    ];
    for (const [label, request, status] of cases) {
      const response = await request;
      assertEquals(response.status, status, label);
      assert(typeof response.body.error === "string", `${label}: {"error"} body`);
    }
    assertEquals(
      (await live({ file_name: "a.ts", content: "x".repeat(64 * 1024) })).status,
      200,
      "exactly the limit is fine",
    );

    for (let i = 1; i < 12; i++) {
      assertEquals((await live({ file_name: `f${i}.ts`, content: "" })).status, 200, `file ${i}`);
    }
    const thirteenth = await live({ file_name: "f13.ts", content: "" });
    assertEquals(thirteenth.status, 400);
    assertEquals(thirteenth.body.error, "A session has at most 12 open files: close one first");
    assertEquals((await live({ file_name: "f3.ts", content: "again" })).status, 200, "open file");

    await pause(2100); // the bucket refills
    const floodStart = performance.now();
    const flood = await Promise.all(
      Array.from({ length: 80 }, (_, i) => live({ file_name: "a.ts", content: String(i) })),
    );
    // The bucket refills at 20/s while the flood is answered: on a busy machine that takes longer.
    const refilled = Math.ceil(((performance.now() - floodStart) / 1000) * 20);
    const statuses = flood.map((r) => r.status);
    const ok = statuses.filter((s) => s === 200).length;
    assert(
      ok >= 40 && ok <= 41 + refilled && ok < 80,
      `a burst of 40 and 20/s pass, the rest wait: ${ok} of 80 (${refilled} refilled meanwhile)`,
    );
    const limited = flood.find((r) => r.status === 429)!;
    assertEquals(limited.body.error, "Too many live updates: slow down");
  } finally {
    await server.close();
  }
});

Deno.test("code sessions: watchers are counted joined or not, without the presenter; names go to the creator", async () => {
  const server = await startServer();
  try {
    const { code, token } = await createSession(server);
    const presenter = sseReader(await fetch(api(server, `/${code}/events?presenter=1`)));
    const lurker = sseReader(await fetch(api(server, `/${code}/events`)));
    // Counts may pass through in-between figures when several streams open or close at once (one
    // event per change): the presenter's stream must reach each figure, in order.
    const reaches = async (reader: ReturnType<typeof sseReader>, count: number, what = "") => {
      const seen: number[] = [];
      for (let frame = await reader.next(); frame; frame = await reader.next()) {
        if (frame.event !== "watching") continue;
        seen.push(JSON.parse(frame.data).data.count);
        if (seen.at(-1) === count) return;
      }
      throw new Error(`watching never reached ${count} ${what}: saw ${seen}`);
    };
    await reaches(presenter, 1, "the viewer who never joined counts");
    assertEquals((await call(server, "GET", `/${code}`)).body.watching, 1);

    assertEquals(
      (await call(server, "POST", `/${code}/join`, { body: { display_name: "Ana" } })).status,
      201,
    );
    const second = sseReader(await fetch(api(server, `/${code}/events`)));
    await reaches(presenter, 2);
    const list = await call(server, "GET", `/${code}/participants`, { auth: token });
    assertEquals(list.status, 200);
    assertEquals(
      (list.body.participants as { display_name: string }[]).map((p) => p.display_name),
      [
        "Ana",
      ],
    );
    assertEquals(list.body.watching, 2);

    await lurker.close();
    await second.close();
    await reaches(presenter, 0, "closed streams leave the count");

    // A /ws socket on the session's topic counts too, until it closes.
    const socket = await openSocket(server.url.replace(/^http/, "ws") + "ws");
    socket.send({ type: "subscribe", topic: `code:${code}` });
    assertEquals((await socket.next()).type, "subscribed");
    await reaches(presenter, 1, "a socket watcher");
    await socket.close();
    await reaches(presenter, 0);
    await presenter.close();
  } finally {
    await server.close();
  }
});
