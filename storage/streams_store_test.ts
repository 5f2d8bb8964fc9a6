// Unit tests of the stream rooms store on a fresh in-memory database.
import { assert, assertEquals } from "../tests/_assert.ts";
import { openDb } from "./db.ts";
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

Deno.test("createStreamsStore() keeps only key hashes and finds rooms by key", () => {
  const db = openDb(":memory:");
  try {
    const store = createStreamsStore(db);
    const { room, streamKey } = store.create("Soirée séries");
    assertEquals(room.slug, "soiree-series");
    assert(/^[A-Za-z0-9_-]{43}$/.test(streamKey), "32 random bytes, base64url");
    assert(/^[A-Za-z0-9_-]{22}$/.test(room.playbackId), "16 random bytes, base64url");
    assert(!streamKey.includes(room.playbackId) && !room.playbackId.includes(streamKey));
    const stored = db.prepare("SELECT * FROM stream_rooms").all();
    assertEquals(JSON.stringify(stored).includes(streamKey), false, "the plain key is not stored");
    assertEquals(stored[0].key_hash, sha256Hex(streamKey));
    assertEquals(store.byKey(streamKey)?.slug, "soiree-series");
    assertEquals(store.byKey(streamKey + "x"), null);
    assertEquals(store.byPlaybackId(room.playbackId)?.id, room.id);
  } finally {
    db.close();
  }
});

Deno.test("createStreamsStore() gives unique slugs and skips reserved ones", () => {
  const db = openDb(":memory:");
  try {
    const store = createStreamsStore(db);
    assertEquals(store.create("Movie night").room.slug, "movie-night");
    assertEquals(store.create("movie NIGHT").room.slug, "movie-night-2");
    assertEquals(store.create("Movie-Night").room.slug, "movie-night-3");
    assertEquals(store.create("Events").room.slug, "events-2");
    assertEquals(store.list().map((r) => r.slug), [
      "movie-night",
      "movie-night-2",
      "movie-night-3",
      "events-2",
    ]);
  } finally {
    db.close();
  }
});

Deno.test("createStreamsStore() rotates keys, tracks live state and removes rooms", () => {
  const db = openDb(":memory:");
  try {
    const store = createStreamsStore(db);
    const { room, streamKey } = store.create("Live");
    const fresh = store.rotateKey("live")!;
    assert(fresh && fresh !== streamKey);
    assertEquals(store.byKey(streamKey), null, "the old key stops at once");
    assertEquals(store.byKey(fresh)?.slug, "live");
    assertEquals(store.rotateKey("nope"), null);

    const live = store.setLive("live", "rtmp")!;
    assertEquals(live.liveSource, "rtmp");
    assert(live.liveSince !== null);
    assertEquals(store.setLive("live", "hook")!.liveSince, live.liveSince, "since is kept");
    assertEquals(store.setLive("live", null)!.liveSince, null);
    store.setLive("live", "rtmp");
    assertEquals(store.resetLive("hook"), []);
    assertEquals(store.resetLive("rtmp"), ["live"]);
    assertEquals(store.get("live")!.liveSource, null);

    assert(store.get("live")!.lastLiveAt !== null, "going offline records when it was last live");

    const chat = createStreamChatStore(db);
    const origin = { viewerHash: "v", ipHash: "i", passHash: null };
    const token = chat.createToken(room.id, "alice", 60_000, origin);
    assertEquals(chat.token(token)?.nickname, "alice");
    const expired = chat.createToken(room.id, "bob", -1, origin);
    assertEquals(chat.token(expired), null);
    assertEquals(chat.messages(room.id, 50), []);
    const sent = chat.add(chat.token(token)!, "hello");
    assertEquals(chat.messages(room.id, 50).map((m) => m.content), ["hello"]);
    assertEquals(chat.message(room.id, sent.id)?.tokenHash, sha256Hex(token));

    assertEquals(store.remove("live"), true);
    assertEquals(store.remove("live"), false);
    assertEquals(chat.token(token), null, "tokens go with the room");
    assertEquals(chat.messages(room.id, 50), [], "messages go with the room");
  } finally {
    db.close();
  }
});

Deno.test("createStreamChatStore() keeps the newest 1,000 messages of a room", () => {
  const db = openDb(":memory:");
  try {
    const { room } = createStreamsStore(db).create("Busy");
    const chat = createStreamChatStore(db);
    const origin = { viewerHash: null, ipHash: null, passHash: null };
    const token = chat.token(chat.createToken(room.id, "a", 60_000, origin))!;
    for (let i = 1; i <= MESSAGES_KEPT + 5; i++) chat.add(token, `m${i}`);
    const count = db.prepare("SELECT COUNT(*) AS n FROM stream_messages").get() as { n: number };
    assertEquals(count.n, MESSAGES_KEPT);
    assertEquals(chat.messages(room.id, 1)[0].content, `m${MESSAGES_KEPT + 5}`);
  } finally {
    db.close();
  }
});

Deno.test("createStreamChatStore() bans by nickname, viewer cookie, or address without a cookie", () => {
  const db = openDb(":memory:");
  try {
    const { room } = createStreamsStore(db).create("Mod");
    const chat = createStreamChatStore(db);
    const token = chat.createToken(room.id, "Troll", 60_000, {
      viewerHash: "v1",
      ipHash: "ip1",
      passHash: null,
    });
    chat.ban(room.id, "Troll", { viewerHash: "v1", ipHash: "ip1" });
    assertEquals(chat.token(token), null, "the banned token ends at once");
    const banned = (nickname: string, viewerHash: string | null, ipHash: string) =>
      chat.isBanned(room.id, nickname, { viewerHash, ipHash });
    assertEquals(banned("troll", "v9", "ip9"), true, "nickname, any case");
    assertEquals(banned("other", "v1", "ip9"), true, "same browser, new nickname");
    assertEquals(banned("other", null, "ip1"), true, "same address, cookie cleared");
    assertEquals(banned("other", "v2", "ip1"), false, "another browser behind the same router");
  } finally {
    db.close();
  }
});

Deno.test("createStreamAccessStore() counts uses in one transaction; revoking ends passes", () => {
  const db = openDb(":memory:");
  try {
    const rooms = createStreamsStore(db);
    const { room } = rooms.create("Private", { private: true });
    const { room: other } = rooms.create("Other", { private: true });
    const access = createStreamAccessStore(db);
    const { invite, token } = access.createInvite(room.id, {
      label: "",
      expiresAt: null,
      maxUses: 1,
    });
    assertEquals(access.redeem(other.id, token, 60_000), { ok: false, reason: "other_room" });
    const first = access.redeem(room.id, token, 60_000);
    assert(first.ok);
    assertEquals(access.passAllows(room.id, first.pass), true);
    assertEquals(access.passAllows(other.id, first.pass), false, "a pass is for one room");
    assertEquals(access.redeem(room.id, token, 60_000), { ok: false, reason: "used_up" });
    assertEquals(access.revokeInvite(room.id, invite.id), true);
    assertEquals(access.passAllows(room.id, first.pass), false);
    const expiring = access.createInvite(room.id, {
      label: "",
      expiresAt: Date.now() - 1,
      maxUses: null,
    });
    assertEquals(access.redeem(room.id, expiring.token, 60_000), { ok: false, reason: "expired" });
  } finally {
    db.close();
  }
});
