// The stream rooms stores' contract, run on SQLite (in memory) and on a throwaway PostgreSQL.
import { assert, assertEquals } from "../tests/_assert.ts";
import { startPostgres } from "../tests/_postgres.ts";
import { openDb } from "./db.ts";
import type { Sql } from "./sql.ts";
import { openPostgres } from "./sql_postgres.ts";
import { sqliteSql } from "./sql_sqlite.ts";
import { createStreamAccessStore } from "./stream_access_store.ts";
import { createStreamChatStore, MESSAGES_KEPT } from "./stream_chat_store.ts";
import { createStreamsStore, slugify } from "./streams_store.ts";
import { sha256Hex } from "../tokens.ts";

Deno.test("slugify() makes lowercase ASCII slugs with dashes", () => {
  assertEquals(slugify("Soirée séries"), "soiree-series");
  assertEquals(slugify("  Movie   Night!! 2 "), "movie-night-2");
  assertEquals(slugify("日本語"), "room");
  assertEquals(slugify("a".repeat(60)).length, 48);
  assertEquals(slugify(`${"a".repeat(47)}-b`), "a".repeat(47));
});

/** The rooms store: keys, slugs, live state and origins. */
async function roomsContract(t: Deno.TestContext, sql: Sql) {
  const store = createStreamsStore(sql);
  await t.step("keeps only key hashes and finds rooms by key", async () => {
    const { room, streamKey } = await store.create("Soirée séries");
    assertEquals(room.slug, "soiree-series");
    assert(/^[A-Za-z0-9_-]{43}$/.test(streamKey), "32 random bytes, base64url");
    assert(/^[A-Za-z0-9_-]{22}$/.test(room.playbackId), "16 random bytes, base64url");
    const stored = await sql.all("SELECT * FROM stream_rooms");
    assertEquals(JSON.stringify(stored).includes(streamKey), false, "the plain key is not stored");
    assertEquals(stored[0].key_hash, sha256Hex(streamKey));
    assertEquals((await store.byKey(streamKey))?.slug, "soiree-series");
    assertEquals(await store.byKey(streamKey + "x"), null);
    assertEquals((await store.byPlaybackId(room.playbackId))?.id, room.id);
    assertEquals(await store.remove("soiree-series"), true);
  });
  await t.step("gives unique slugs and skips reserved ones", async () => {
    assertEquals((await store.create("Movie night")).room.slug, "movie-night");
    assertEquals((await store.create("movie NIGHT")).room.slug, "movie-night-2");
    assertEquals((await store.create("Movie-Night")).room.slug, "movie-night-3");
    assertEquals((await store.create("Events")).room.slug, "events-2");
    assertEquals((await store.list()).map((r) => r.slug), [
      "movie-night",
      "movie-night-2",
      "movie-night-3",
      "events-2",
    ]);
  });
  await t.step("25 concurrent creates of one name get 25 distinct slugs", async () => {
    const made = await Promise.all(Array.from({ length: 25 }, () => store.create("Rush")));
    assertEquals(new Set(made.map((m) => m.room.slug)).size, 25);
  });
  await t.step("changes details; records and clears the origin with live state", async () => {
    await store.create("Live");
    const changed = await store.update("live", { description: "d", private: true });
    assertEquals([changed!.description, changed!.private, changed!.name], ["d", true, "Live"]);
    assertEquals((await store.update("live", { private: false }))!.private, false);
    const live = (await store.setLive("live", "rtmp", "http://a.test/"))!;
    assertEquals([live.liveSource, live.originUrl], ["rtmp", "http://a.test/"]);
    assert(live.liveSince !== null);
    assertEquals((await store.setLive("live", "hook"))!.liveSince, live.liveSince, "since is kept");
    const offline = (await store.setLive("live", null))!;
    assertEquals([offline.liveSince, offline.originUrl], [null, null]);
    assert(offline.lastLiveAt !== null, "going offline records when it was last live");
  });
  await t.step("resets only its own instance's rooms when it names itself", async () => {
    await store.setLive("live", "rtmp", "http://b.test/");
    await store.setLive("movie-night", "rtmp", "http://a.test/");
    await store.setLive("movie-night-2", "hook");
    assertEquals(await store.resetLive("rtmp", "http://a.test/"), ["movie-night"]);
    assertEquals((await store.get("live"))!.originUrl, "http://b.test/", "B's publish lives on");
    assertEquals(await store.resetLive("hook", null), ["movie-night-2"]);
    assertEquals(await store.resetLive("rtmp"), ["live"], "no instance named: every rtmp room");
    assertEquals((await store.get("live"))!.liveSource, null);
  });
  await t.step("rotates keys", async () => {
    const before = await store.create("Keys", { seal: (key) => `sealed:${key}` });
    const fresh = (await store.rotateKey("keys"))!;
    assert(fresh && fresh !== before.streamKey);
    assertEquals(await store.byKey(before.streamKey), null, "the old key stops at once");
    assertEquals((await store.byKey(fresh))?.slug, "keys");
    assertEquals(await store.rotateKey("nope"), null);
    assertEquals(await store.sealedKey("keys"), null, "rotated without a seal");
    await store.rotateKey("keys", (key) => `sealed:${key}`);
    assert((await store.sealedKey("keys"))!.startsWith("sealed:"));
  });
}

/** Chat: tokens, messages and their bound, bans; everything goes with its room. */
async function chatContract(t: Deno.TestContext, sql: Sql) {
  const rooms = createStreamsStore(sql);
  const chat = createStreamChatStore(sql);
  await t.step("tokens and messages go with the room", async () => {
    const { room } = await rooms.create("Chat");
    const origin = { viewerHash: "v", ipHash: "i", passHash: null };
    const token = await chat.createToken(room.id, "alice", 60_000, origin);
    assertEquals((await chat.token(token))?.nickname, "alice");
    assertEquals(await chat.token(await chat.createToken(room.id, "bob", -1, origin)), null);
    assertEquals(await chat.messages(room.id, 50), []);
    assertEquals(await chat.lastSentAt(sha256Hex(token)), null);
    const sent = await chat.add((await chat.token(token))!, "hello");
    await chat.add((await chat.token(token))!, "again");
    assertEquals((await chat.messages(room.id, 50)).map((m) => m.content), ["hello", "again"]);
    assertEquals((await chat.messages(room.id, 1)).map((m) => m.content), ["again"]);
    assertEquals((await chat.message(room.id, sent.id))?.tokenHash, sha256Hex(token));
    assert((await chat.lastSentAt(sha256Hex(token)))! >= sent.createdAt);
    assertEquals(await chat.remove(room.id, sent.id), true);
    assertEquals(await chat.remove(room.id, sent.id), false);
    assertEquals(await rooms.remove("chat"), true);
    assertEquals(await rooms.remove("chat"), false);
    assertEquals(await chat.token(token), null, "tokens go with the room");
    assertEquals(await chat.messages(room.id, 50), [], "messages go with the room");
  });
  await t.step("keeps the newest 1,000 messages of a room", async () => {
    const { room } = await rooms.create("Busy");
    const origin = { viewerHash: null, ipHash: null, passHash: null };
    const token = (await chat.token(await chat.createToken(room.id, "a", 60_000, origin)))!;
    for (let i = 1; i <= MESSAGES_KEPT + 5; i++) await chat.add(token, `m${i}`);
    const count = await sql.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM stream_messages WHERE room_id = ?",
      [room.id],
    );
    assertEquals(count!.n, MESSAGES_KEPT);
    assertEquals((await chat.messages(room.id, 1))[0].content, `m${MESSAGES_KEPT + 5}`);
    assertEquals(await chat.clear(room.id), MESSAGES_KEPT);
  });
  await t.step("bans by nickname, viewer cookie, or address without a cookie", async () => {
    const { room } = await rooms.create("Mod");
    const token = await chat.createToken(room.id, "Troll", 60_000, {
      viewerHash: "v1",
      ipHash: "ip1",
      passHash: null,
    });
    const ban = await chat.ban(room.id, "Troll", { viewerHash: "v1", ipHash: "ip1" });
    assertEquals(await chat.token(token), null, "the banned token ends at once");
    const banned = (nickname: string, viewerHash: string | null, ipHash: string) =>
      chat.isBanned(room.id, nickname, { viewerHash, ipHash });
    assertEquals(await banned("troll", "v9", "ip9"), true, "nickname, any case");
    assertEquals(await banned("other", "v1", "ip9"), true, "same browser, new nickname");
    assertEquals(await banned("other", null, "ip1"), true, "same address, cookie cleared");
    assertEquals(
      await banned("other", "v2", "ip1"),
      false,
      "another browser behind the same router",
    );
    assertEquals((await chat.bans(room.id)).map((b) => b.nickname), ["troll"]);
    assertEquals(await chat.unban(room.id, ban.id), true);
    assertEquals(await banned("troll", "v9", "ip9"), false);
  });
}

/** Invites, passes and dashboard sessions; an invite's uses hold under concurrent redemptions. */
async function accessContract(t: Deno.TestContext, sql: Sql) {
  const rooms = createStreamsStore(sql);
  const access = createStreamAccessStore(sql);
  const { room } = await rooms.create("Private", { private: true });
  const { room: other } = await rooms.create("Other", { private: true });
  await t.step("counts uses; revoking ends passes", async () => {
    const { invite, token } = await access.createInvite(room.id, {
      label: "",
      expiresAt: null,
      maxUses: 1,
    });
    assertEquals(await access.redeem(other.id, token, 60_000), { ok: false, reason: "other_room" });
    const first = await access.redeem(room.id, token, 60_000);
    assert(first.ok);
    assertEquals(await access.passAllows(room.id, first.pass), true);
    assertEquals(await access.passAllows(other.id, first.pass), false, "a pass is for one room");
    assertEquals(await access.redeem(room.id, token, 60_000), { ok: false, reason: "used_up" });
    assertEquals(await access.revokeInvite(room.id, invite.id), true);
    assertEquals(await access.revokeInvite(room.id, invite.id), false);
    assertEquals(await access.passAllows(room.id, first.pass), false);
    assertEquals(await access.redeem(room.id, token, 60_000), { ok: false, reason: "revoked" });
    const expiring = await access.createInvite(room.id, {
      label: "",
      expiresAt: Date.now() - 1,
      maxUses: null,
    });
    assertEquals(await access.redeem(room.id, expiring.token, 60_000), {
      ok: false,
      reason: "expired",
    });
    assertEquals(await access.redeem(room.id, "nope", 60_000), { ok: false, reason: "unknown" });
  });
  await t.step("25 concurrent redemptions of a 20-use invite admit exactly 20", async () => {
    const { invite, token } = await access.createInvite(room.id, {
      label: "rush",
      expiresAt: null,
      maxUses: 20,
    });
    const results = await Promise.all(
      Array.from({ length: 25 }, () => access.redeem(room.id, token, 60_000)),
    );
    assertEquals(results.filter((r) => r.ok).length, 20);
    assertEquals(results.filter((r) => !r.ok && r.reason === "used_up").length, 5);
    const after = (await access.invites(room.id)).find((i) => i.id === invite.id)!;
    assertEquals(after.uses, 20);
    const passes = await sql.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM stream_passes WHERE invite_id = ?",
      [invite.id],
    );
    assertEquals(passes!.n, 20);
  });
  await t.step("admin sessions expire and end", async () => {
    const session = await access.createAdminSession(60_000);
    assertEquals(await access.adminSession(session), true);
    assertEquals(await access.adminSession(await access.createAdminSession(-1)), false);
    await access.endAdminSession(session);
    assertEquals(await access.adminSession(session), false);
  });
}

async function contract(t: Deno.TestContext, sql: Sql) {
  await t.step("rooms", (t) => roomsContract(t, sql));
  await t.step("chat", (t) => chatContract(t, sql));
  await t.step("access", (t) => accessContract(t, sql));
}

Deno.test("stream stores keep their contract on SQLite", async (t) => {
  const sql = sqliteSql(openDb(":memory:"));
  try {
    await contract(t, sql);
  } finally {
    await sql.close();
  }
});

Deno.test("stream stores keep their contract on PostgreSQL", async (t) => {
  const pg = await startPostgres();
  try {
    const sql = await openPostgres(await pg.createDatabase());
    try {
      await contract(t, sql);
    } finally {
      await sql.close();
    }
  } finally {
    await pg.stop();
  }
});
