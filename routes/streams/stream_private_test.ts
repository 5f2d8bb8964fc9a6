// Private stream rooms against the real server: refused without an invite; invites, cookies, revoking.
import { join } from "node:path";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { ADMIN_TOKEN, api, joinChat, nextMatching, postChat } from "../../tests/_streams.ts";
import { openSocket } from "../../tests/_ws.ts";

const env = { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, RTMP_ENABLED: "false" };

/** The room's endpoints a viewer uses, each fetched with `cookie`; returns their statuses. */
async function visit(base: string, slug: string, playbackId: string, cookie = "") {
  const headers: Record<string, string> = cookie ? { cookie } : {};
  const get = async (
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) => {
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: { ...headers, ...init.headers },
    });
    const type = response.headers.get("content-type") ?? "";
    const body = type.includes("json") ? await response.json() : await response.text();
    return { status: response.status, body };
  };
  const join = await get(`api/rooms/${slug}/join`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"nickname":"guest"}',
  });
  const events = await fetch(`${base}api/rooms/${slug}/events`, { headers });
  const eventsStatus = events.status;
  await events.body?.cancel();
  return {
    page: (await get(`watch/${slug}`)).status,
    room: (await get(`api/rooms/${slug}`)).status,
    playlist: (await get(`hls/${playbackId}/index.m3u8`)).status,
    segment: (await get(`hls/${playbackId}/index0.ts`)).status,
    messages: (await get(`api/rooms/${slug}/messages`)).status,
    join: join.status,
    events: eventsStatus,
    joinBody: join.body,
  };
}

const refused = {
  page: 403,
  room: 403,
  playlist: 403,
  segment: 403,
  messages: 403,
  join: 403,
  events: 403,
};
const allowed = {
  page: 200,
  room: 200,
  playlist: 200,
  segment: 200,
  messages: 200,
  join: 201,
  events: 200,
};
const statuses = (v: Record<string, unknown>) => {
  const { joinBody: _, ...rest } = v;
  return rest;
};

async function redeem(base: string, slug: string, token: string) {
  const response = await fetch(`${base}watch/${slug}?invite=${token}`, { redirect: "manual" });
  await response.body?.cancel();
  const cookie = response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return { status: response.status, location: response.headers.get("location"), cookie };
}

Deno.test("private room: everything is refused without an invite; an invite link lets a browser in", async () => {
  const server = await startServer({ env });
  const ws = server.url.replace(/^http/, "ws") + "ws";
  try {
    const created = await api(server.url, "POST", "api/rooms", {
      body: { name: "Secret", private: true },
    });
    assertEquals([created.status, created.body.private], [201, true]);
    const room = created.body;
    const folder = join(server.dataDir, "hls", room.playbackId);
    await Deno.mkdir(folder, { recursive: true });
    await Deno.writeTextFile(join(folder, "index.m3u8"), "#EXTM3U\n");
    await Deno.writeFile(join(folder, "index0.ts"), new Uint8Array(188).fill(0x47));

    const outside = await visit(server.url, "secret", room.playbackId);
    assertEquals(statuses(outside), refused);
    assert(/private/.test(outside.joinBody.error), "a clear JSON reason");
    assertEquals(
      (await api(server.url, "GET", "api/rooms", { admin: false })).body,
      [],
      "not listed",
    );
    assertEquals((await api(server.url, "GET", "api/rooms")).body.length, 1, "the admin sees it");

    const socket = await openSocket(ws);
    socket.send({ type: "subscribe", topic: "stream:secret" });
    assertEquals((await nextMatching(socket, (m) => m.type === "error")).code, "forbidden");
    socket.send({ type: "stream:enter", topic: "stream:secret", pass: "1.forged" });
    assertEquals((await nextMatching(socket, (m) => m.type === "error")).code, "forbidden");

    const { body: invite } = await api(server.url, "POST", "api/rooms/secret/invites", {
      body: { maxUses: 2 },
    });
    assert(invite.url.endsWith(`/watch/secret?invite=${invite.token}`));
    assert(!JSON.stringify(invite).includes(room.streamKey), "no key in the invite");
    const first = await redeem(server.url, "secret", invite.token);
    assertEquals([first.status, first.location], [303, "/watch/secret"]);
    assert(first.cookie.startsWith(`roomcast_room_`), first.cookie);
    const inside = await visit(server.url, "secret", room.playbackId, first.cookie);
    assertEquals(statuses(inside), allowed);

    const page =
      await (await fetch(`${server.url}watch/secret`, { headers: { cookie: first.cookie } }))
        .text();
    assert(!page.includes(room.streamKey), "the key never reaches the page");
    const pass = /"socketPass":"([^"]+)"/.exec(page)![1];
    const withToken = await fetch(`${server.url}api/rooms/secret/messages`, {
      headers: { authorization: `Bearer ${inside.joinBody.token}` },
    });
    assertEquals(withToken.status, 200, "a chat token from an invite reads the history too");
    await withToken.body?.cancel();
    socket.send({
      type: "stream:enter",
      topic: "stream:secret",
      pass,
      token: inside.joinBody.token,
    });
    assertEquals(
      (await nextMatching(socket, (m) => m.type === "stream:entered")).nickname,
      "guest",
    );

    // The cookie is for this room only.
    await api(server.url, "POST", "api/rooms", { body: { name: "Vault", private: true } });
    const vault = await fetch(`${server.url}watch/vault`, { headers: { cookie: first.cookie } });
    assertEquals(vault.status, 403);
    await vault.body?.cancel();

    // The second use is the last; a third browser is turned away.
    assertEquals((await redeem(server.url, "secret", invite.token)).status, 303);
    const third = await redeem(server.url, "secret", invite.token);
    assertEquals([third.status, third.cookie], [403, ""]);
    const api3 = await api(server.url, "POST", "api/rooms/secret/access", {
      body: { invite: invite.token },
      admin: false,
    });
    assertEquals([api3.status, api3.body.code], [410, "used_up"]);

    // Revoking ends the passes it gave out, and their chat tokens.
    assertEquals(
      (await api(server.url, "DELETE", `api/rooms/secret/invites/${invite.id}`)).status,
      200,
    );
    assertEquals(
      statuses(await visit(server.url, "secret", room.playbackId, first.cookie)),
      refused,
    );
    const listed = (await api(server.url, "GET", "api/rooms/secret/invites")).body;
    assertEquals(listed[0].state, "revoked");
    await socket.close();
  } finally {
    await server.close();
  }
});

Deno.test("private room: an expired invite stops working for new visitors; rooms can turn private", async () => {
  const server = await startServer({ env });
  try {
    const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Soon" } });
    const early = await joinChat(server.url, "soon", "early");
    assertEquals(early.status, 201, "public at first");
    const watcher = await openSocket(server.url.replace(/^http/, "ws") + "ws");
    watcher.send({ type: "stream:enter", topic: "stream:soon" });
    await nextMatching(watcher, (m) => m.type === "stream:entered");
    const toggled = await api(server.url, "PATCH", "api/rooms/soon", { body: { private: true } });
    assertEquals(toggled.body.private, true);
    await nextMatching(watcher, (m) => m.type === "unsubscribed", 3000);
    await watcher.close();
    const stale = await postChat(server.url, "soon", early.body.token, "still public?");
    assertEquals(stale.status, 401, "tokens from its public days end");
    assertEquals((await joinChat(server.url, "soon", "late")).status, 403);
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const { body: invite } = await api(server.url, "POST", "api/rooms/soon/invites", {
      body: { expiresAt },
    });
    const redeemed = await redeem(server.url, "soon", invite.token);
    assertEquals(redeemed.status, 303);
    await new Promise((r) => setTimeout(r, 1700));
    const late = await redeem(server.url, "soon", invite.token);
    assertEquals(late.status, 403);
    const refusedApi = await api(server.url, "POST", "api/rooms/soon/access", {
      body: { invite: invite.token },
      admin: false,
    });
    assertEquals([refusedApi.status, refusedApi.body.code], [410, "expired"]);
    const page = await fetch(`${server.url}watch/soon`, { headers: { cookie: redeemed.cookie } });
    assertEquals(page.status, 403, "the pass ends with its invite");
    await page.body?.cancel();
    const bad = [
      { expiresAt: "yesterday" },
      { expiresAt: new Date(Date.now() - 1000).toISOString() },
      { expiresInMinutes: 0 },
      { maxUses: 0 },
      { maxUses: "2" },
    ];
    for (const body of bad) {
      const response = await api(server.url, "POST", "api/rooms/soon/invites", { body });
      assertEquals(response.status, 400, JSON.stringify(body));
    }
    assertEquals((await api(server.url, "GET", "api/rooms/soon/invites")).body.length, 1);
    assertEquals(room.private, false);
  } finally {
    await server.close();
  }
});

Deno.test("private room: 25 concurrent redemptions of a 20-use invite let exactly 20 in", async () => {
  const server = await startServer({ env });
  try {
    await api(server.url, "POST", "api/rooms", { body: { name: "Rush", private: true } });
    const { body: invite } = await api(server.url, "POST", "api/rooms/rush/invites", {
      body: { maxUses: 20 },
    });
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        api(server.url, "POST", "api/rooms/rush/access", {
          body: { invite: invite.token },
          admin: false,
        })),
    );
    const statuses = results.map((r) => r.status).sort();
    assertEquals(statuses, [...Array(20).fill(200), ...Array(5).fill(410)]);
    const listed = await api(server.url, "GET", "api/rooms/rush/invites");
    assertEquals([listed.body[0].uses, listed.body[0].state], [20, "used up"]);
  } finally {
    await server.close();
  }
});
