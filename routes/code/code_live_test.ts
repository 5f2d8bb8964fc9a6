// Live code sessions: SSE and /ws against the real server, and idle expiry with a test clock.
import { join } from "node:path";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { openSocket } from "../../tests/_ws.ts";
import { waitFor } from "../../tests/_wait.ts";
import { silentLogger } from "../../log.ts";
import { createHub } from "../../realtime/hub.ts";
import { openDb } from "../../storage/db.ts";
import { createCodeStore } from "../../storage/code_store.ts";
import { sqliteSql } from "../../storage/sql_sqlite.ts";
import { api, call, createSession, sseReader } from "../../tests/_code_client.ts";
import { createCodeLive } from "./code_live.ts";
import { newSessionCode } from "./code_secrets.ts";

/** The reader without `watching` frames, which come whenever a stream opens or closes. */
function withoutCounts(reader: ReturnType<typeof sseReader>): ReturnType<typeof sseReader> {
  return {
    ...reader,
    async next(timeoutMs) {
      let frame = await reader.next(timeoutMs);
      while (frame?.event === "watching") frame = await reader.next(timeoutMs);
      return frame;
    },
  };
}

Deno.test("code sessions: an SSE viewer gets every push in order, resumes without a gap, and hears the end", async () => {
  const server = await startServer();
  try {
    const { code, token } = await createSession(server);
    const push = (i: number) =>
      call(server, "POST", `/${code}/snippets`, {
        auth: token,
        body: { file_name: "main.rs", content: `fn main() { println!("${i}"); }` },
      });

    const first = await fetch(api(server, `/${code}/events`));
    assertEquals(first.headers.get("content-type"), "text/event-stream; charset=utf-8");
    // The stream subscribes before its headers are sent: what follows reaches it.
    const viewer = withoutCounts(sseReader(first));
    assertEquals((await call(server, "POST", `/${code}/join`)).status, 201);
    for (let i = 1; i <= 3; i++) assertEquals((await push(i)).status, 201);

    const joined = await viewer.next();
    assertEquals([joined?.event, joined?.id], ["participant", "1"]);
    assertEquals(JSON.parse(joined!.data).data.count, 1);
    const seen: string[] = [];
    let lastId = "";
    for (let i = 1; i <= 3; i++) {
      const frame = (await viewer.next())!;
      assertEquals(frame.event, "snippet");
      const event = JSON.parse(frame.data);
      assertEquals([event.type, String(event.id)], ["snippet", frame.id]);
      seen.push(event.data.content);
      lastId = frame.id!;
    }
    assertEquals(seen.map((c) => c.match(/"(\d)"/)![1]), ["1", "2", "3"]);
    await viewer.close();

    // Pushes while the viewer is away arrive after the reconnect, in order, none lost.
    for (let i = 4; i <= 6; i++) await push(i);
    const again = withoutCounts(sseReader(
      await fetch(api(server, `/${code}/events`), { headers: { "last-event-id": lastId } }),
    ));
    const resumed: [string | undefined, string][] = [];
    for (let i = 0; i < 3; i++) {
      const frame = (await again.next())!;
      resumed.push([frame.id, JSON.parse(frame.data).data.content.match(/"(\d)"/)[1]]);
    }
    assertEquals(resumed, [["5", "4"], ["6", "5"], ["7", "6"]]);

    const ended = await call(server, "POST", `/${code}/end`, { auth: `Bearer ${token}` });
    assertEquals(ended.status, 200);
    const end = (await again.next())!;
    assertEquals(end.event, "ended");
    assertEquals(JSON.parse(end.data).data, { session_code: code, reason: "ended" });
    assertEquals(await again.next(3000), null, "the stream closes after the end");
  } finally {
    await server.close();
  }
});

Deno.test("code sessions: a /ws client subscribed to code:<CODE> receives pushes; unknown codes are refused", async () => {
  const server = await startServer();
  const wsUrl = server.url.replace(/^http/, "ws") + "ws";
  try {
    const { code, token } = await createSession(server);
    const client = await openSocket(wsUrl);
    client.send({ type: "subscribe", topic: "code:ABCDEFGHJK" });
    const refused = await client.next();
    assertEquals([refused.type, refused.code], ["error", "forbidden"]);

    client.send({ type: "subscribe", topic: `code:${code}` });
    const ack = await client.next();
    assertEquals([ack.type, ack.topic, ack.eventId], ["subscribed", `code:${code}`, 0]);
    const pushed = await call(server, "POST", `/${code}/snippets`, {
      auth: token,
      body: { file_name: "app.py", content: "print('hi')" },
    });
    const event = await client.next();
    assertEquals([event.type, event.topic, event.eventId], ["snippet", `code:${code}`, 1]);
    assertEquals([event.id, event.content], [pushed.body.id, "print('hi')"]);

    await call(server, "POST", `/${code}/end`, { auth: token });
    const ended = await client.next();
    assertEquals([ended.type, ended.reason], ["ended", "ended"]);
    assertEquals((await client.next(3000)).type, "unsubscribed");
    await client.close();
  } finally {
    await server.close();
  }
});

Deno.test("createCodeLive() ends sessions idle past the TTL, tells viewers, and close() stops it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "roomcast-code-" });
  const sql = sqliteSql(openDb(join(dir, "test.db")));
  const hub = createHub();
  let clock = 1_000_000;
  const store = createCodeStore(sql, { newCode: newSessionCode, now: () => clock });
  const live = createCodeLive({
    store,
    hub,
    log: silentLogger,
    ttlMs: 3_600_000,
    sweepMs: 60_000,
    dropDelayMs: 10,
    now: () => clock,
  });
  try {
    const idle = await store.create("idle", "h");
    const busy = await store.create("busy", "h");
    await store.push(idle.id, "a.txt", "x");
    const events: string[] = [];
    const closed: string[] = [];
    hub.subscribe(`code:${idle.code}`, {
      start: () => {},
      send: (e) => (events.push(e.type), true),
      close: (reason) => void closed.push(reason),
    });

    clock += 3_000_000;
    await store.join(busy.id, "p", 20); // activity keeps `busy` alive
    assertEquals(await live.sweep(), 0);
    clock += 1_000_000;
    assertEquals(await live.sweep(), 1, "only the idle one ends");
    assertEquals(await store.byCode(idle.code), null);
    assert(await store.byCode(busy.code) !== null);
    assertEquals(await store.latest(idle.id), null);
    assertEquals(events, ["ended"]);
    await waitFor(() => closed.length > 0, { what: "the stream to close" });
    assertEquals(closed, ["dropped"], "streams close after the end event");
  } finally {
    live.close();
    hub.close();
    await sql.close();
    await Deno.remove(dir, { recursive: true });
  }
});
