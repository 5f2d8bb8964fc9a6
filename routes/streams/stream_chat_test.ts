// Room chat against the real server: join, REST and /ws sending, history, limits, bad input.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { ADMIN_TOKEN, api, joinChat, nextMatching, postChat } from "../../tests/_streams.ts";
import { openSocket } from "../../tests/_ws.ts";

const env = { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, RTMP_ENABLED: "false" };

Deno.test("room chat: REST with Bearer and /ws reach every viewer; history is the last 50, oldest first", async () => {
  const server = await startServer({ env });
  await api(server.url, "POST", "api/rooms", { body: { name: "Film" } });
  const ws = server.url.replace(/^http/, "ws") + "ws";
  const viewer = await openSocket(ws);
  const chatter = await openSocket(ws);
  try {
    const alice = await joinChat(server.url, "film", "alice");
    assertEquals(alice.status, 201);
    assert(alice.cookie?.includes("roomcast_viewer="), "the browser gets a viewer cookie");
    viewer.send({ type: "subscribe", topic: "stream:film" });
    chatter.send({ type: "stream:enter", topic: "stream:film", token: alice.body.token });
    const entered = await nextMatching(chatter, (m) => m.type === "stream:entered");
    assertEquals(entered.nickname, "alice");
    const presence = await nextMatching(
      viewer,
      (m) => m.type === "presence" && (m.nicknames as string[]).includes("alice"),
    );
    assertEquals([presence.viewers, presence.anonymous], [2, 1]);

    const rest = await postChat(server.url, "film", alice.body.token, "  hello <b>there</b> ");
    assertEquals(rest.status, 201);
    assertEquals(rest.body.content, "hello <b>there</b>", "trimmed, kept as text");
    const pushed = await nextMatching(viewer, (m) => m.type === "message");
    assertEquals((pushed.message as { content: string }).content, "hello <b>there</b>");

    chatter.send({
      type: "stream:message",
      topic: "stream:film",
      token: alice.body.token,
      content: "over the socket",
      ref: "r1",
    });
    const ack = await nextMatching(chatter, (m) => m.type === "stream:sent");
    assertEquals(ack.ref, "r1");
    const live = await nextMatching(viewer, (m) => m.type === "message");
    assertEquals((live.message as { nickname: string }).nickname, "alice");

    // The admin is not rate limited: 60 messages, then the history is the newest 50, oldest first.
    for (let i = 0; i < 60; i++) {
      const sent = await postChat(server.url, "film", alice.body.token, `n${i}`, {
        "x-admin-token": ADMIN_TOKEN,
      });
      assertEquals(sent.status, 201);
    }
    // The seed's curl, verbatim: curl http://<host>:4000/api/rooms/<slug>/messages
    const curl = await new Deno.Command("curl", {
      args: ["-sS", `${server.url}api/rooms/film/messages`],
    }).output();
    const history = JSON.parse(new TextDecoder().decode(curl.stdout));
    assertEquals(history.length, 50);
    assertEquals(history[0].content, "n10");
    assertEquals(history[49].content, "n59");
    assert(history.every((m: { room: string }) => m.room === "film"));
  } finally {
    await viewer.close();
    await chatter.close();
    await server.close();
  }
});

Deno.test("room chat: bad input gets a clear 4xx JSON error and stores nothing", async () => {
  const server = await startServer({ env });
  try {
    await api(server.url, "POST", "api/rooms", { body: { name: "Room" } });
    await api(server.url, "POST", "api/rooms", { body: { name: "Other" } });
    const nicknames: [string, unknown, number][] = [
      ["missing", undefined, 400],
      ["empty", "   ", 400],
      ["not a string", 7, 400],
      ["33 characters", "n".repeat(33), 400],
      ["a newline", "a\nb", 400],
      ["a NUL", "a\u0000b", 400],
      ["a direction override", "a\u202eb", 400],
    ];
    for (const [name, nickname, status] of nicknames) {
      const joined = await joinChat(server.url, "room", nickname);
      assertEquals(joined.status, status, `nickname ${name}`);
      assert(typeof joined.body.error === "string" && joined.body.error, `${name}: JSON error`);
    }
    const { body: alice } = await joinChat(server.url, "room", "alice");
    const { body: other } = await joinChat(server.url, "other", "bob");
    const messages: [string, string | null, unknown, number][] = [
      ["no token", null, "hi", 401],
      ["forged token", "A".repeat(43), "hi", 401],
      ["another room's token", other.token, "hi", 403],
      ["empty", alice.token, "  ", 400],
      ["not a string", alice.token, { html: "<b>" }, 400],
      ["501 characters", alice.token, "x".repeat(501), 400],
      ["a control character", alice.token, "bell\u0007", 400],
    ];
    for (const [name, token, content, status] of messages) {
      const sent = await postChat(server.url, "room", token, content);
      assertEquals(sent.status, status, `message ${name}`);
      assert(typeof sent.body.error === "string" && sent.body.error, `${name}: JSON error`);
    }
    assertEquals((await postChat(server.url, "room", alice.token, "x".repeat(500))).status, 201);
    const stored = (await api(server.url, "GET", "api/rooms/room/messages")).body;
    assertEquals(stored.length, 1, "only the valid message is stored");

    // An invite for another room opens nothing.
    await api(server.url, "PATCH", "api/rooms/room", { body: { private: true } });
    await api(server.url, "PATCH", "api/rooms/other", { body: { private: true } });
    const { body: invite } = await api(server.url, "POST", "api/rooms/other/invites", { body: {} });
    const wrong = await api(server.url, "POST", "api/rooms/room/access", {
      body: { invite: invite.token },
      admin: false,
    });
    assertEquals([wrong.status, wrong.body.code], [403, "other_room"]);
    const patches: [string, unknown][] = [
      ["unknown field", { nmae: "x" }],
      ["private not boolean", { private: "yes" }],
      ["slow mode negative", { slowModeSeconds: -1 }],
      ["slow mode too long", { slowModeSeconds: 3601 }],
      ["description control", { description: "a\u0000" }],
    ];
    for (const [name, body] of patches) {
      const response = await api(server.url, "PATCH", "api/rooms/room", { body });
      assertEquals(response.status, 400, name);
      assert(response.body.error, `${name}: JSON error`);
    }
  } finally {
    await server.close();
  }
});

Deno.test("room chat: messages are rate limited per token, joins per address", async () => {
  const server = await startServer({ env });
  try {
    await api(server.url, "POST", "api/rooms", { body: { name: "Busy" } });
    const { body: alice } = await joinChat(server.url, "busy", "alice");
    const statuses = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await postChat(server.url, "busy", alice.token, `m${i}`)).status);
    }
    assertEquals(statuses, [201, 201, 201, 201, 201, 429, 429], "a burst of 5, then refused");
    const limited = await postChat(server.url, "busy", alice.token, "again");
    assertEquals(limited.body.code, "rate_limited");
    const { body: bob } = await joinChat(server.url, "busy", "bob");
    assertEquals((await postChat(server.url, "busy", bob.token, "mine")).status, 201, "per token");

    // 2 joins so far; the address may make 10 in a burst.
    const joins = [];
    for (let i = 0; i < 9; i++) joins.push((await joinChat(server.url, "busy", `v${i}`)).status);
    assertEquals(joins, [201, 201, 201, 201, 201, 201, 201, 201, 429]);
  } finally {
    await server.close();
  }
});

Deno.test("room chat: slow mode, delete and clear reach viewers; a ban survives rejoining", async () => {
  const server = await startServer({ env });
  await api(server.url, "POST", "api/rooms", { body: { name: "Mod" } });
  const viewer = await openSocket(server.url.replace(/^http/, "ws") + "ws");
  try {
    viewer.send({ type: "subscribe", topic: "stream:mod" });
    const troll = await joinChat(server.url, "mod", "Troll");
    const cookie = troll.cookie!;
    const first = await postChat(server.url, "mod", troll.body.token, "spam");
    assertEquals(first.status, 201);

    assertEquals(
      (await api(server.url, "DELETE", `api/rooms/mod/messages/${first.body.id}`)).status,
      200,
    );
    const deleted = await nextMatching(viewer, (m) => m.type === "message-deleted");
    assertEquals(deleted.id, first.body.id);
    assertEquals((await api(server.url, "GET", "api/rooms/mod/messages")).body, []);

    await api(server.url, "PATCH", "api/rooms/mod", { body: { slowModeSeconds: 30 } });
    assertEquals((await postChat(server.url, "mod", troll.body.token, "one")).status, 201);
    const slow = await postChat(server.url, "mod", troll.body.token, "two");
    assertEquals([slow.status, slow.body.code], [429, "rate_limited"]);
    assert(/Slow mode/.test(slow.body.error));
    await api(server.url, "PATCH", "api/rooms/mod", { body: { slowModeSeconds: 0 } });

    const ban = await api(server.url, "POST", "api/rooms/mod/bans", {
      body: { messageId: (await api(server.url, "GET", "api/rooms/mod/messages")).body[0].id },
    });
    assertEquals(ban.status, 201);
    assertEquals((await postChat(server.url, "mod", troll.body.token, "still here?")).status, 401);
    const again = await joinChat(server.url, "mod", "Troll");
    assertEquals([again.status, again.body.code], [403, "banned"]);
    const renamed = await joinChat(server.url, "mod", "Nice person", { cookie });
    assertEquals(renamed.status, 403, "the same browser under a new nickname");
    const cleared = await joinChat(server.url, "mod", "Fresh start");
    assertEquals(cleared.status, 403, "the same address with its cookie cleared");
    const friend = await joinChat(server.url, "mod", "friend", {
      cookie: "roomcast_viewer=" + "F".repeat(22),
    });
    assertEquals(friend.status, 201, "another browser behind the same address");

    assertEquals((await api(server.url, "POST", "api/rooms/mod/clear")).status, 200);
    await nextMatching(viewer, (m) => m.type === "chat-cleared");
    assertEquals((await api(server.url, "GET", "api/rooms/mod/messages")).body, []);
    const unban = await api(server.url, "DELETE", `api/rooms/mod/bans/${ban.body.id}`);
    assertEquals(unban.status, 200);
    assertEquals((await joinChat(server.url, "mod", "Troll", { cookie })).status, 201);
  } finally {
    await viewer.close();
    await server.close();
  }
});

Deno.test("presence: anonymous and named viewers are counted live and counted out", async () => {
  const server = await startServer({ env });
  await api(server.url, "POST", "api/rooms", { body: { name: "Pres" } });
  const ws = server.url.replace(/^http/, "ws") + "ws";
  const watcher = await openSocket(ws);
  try {
    watcher.send({ type: "stream:enter", topic: "stream:pres" });
    await nextMatching(watcher, (m) => m.type === "presence" && m.viewers === 1);
    const { body: bob } = await joinChat(server.url, "pres", "bob");
    const other = await openSocket(ws);
    other.send({ type: "stream:enter", topic: "stream:pres", token: bob.token });
    const both = await nextMatching(watcher, (m) => m.type === "presence" && m.viewers === 2);
    assertEquals([both.anonymous, both.nicknames], [1, ["bob"]]);
    assertEquals((await api(server.url, "GET", "api/rooms/pres")).body.viewers, 2);
    await other.close();
    const alone = await nextMatching(watcher, (m) => m.type === "presence" && m.viewers === 1);
    assertEquals([alone.anonymous, alone.nicknames], [1, []]);
  } finally {
    await watcher.close();
    await server.close();
  }
});
