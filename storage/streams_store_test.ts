// Unit tests of the stream rooms store on a fresh in-memory database.
import { assert, assertEquals } from "../tests/_assert.ts";
import { openDb } from "./db.ts";
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

    const token = store.createChatToken(room.id, "alice", 60_000);
    assertEquals(store.chatToken(token), { roomId: room.id, nickname: "alice" });
    const expired = store.createChatToken(room.id, "bob", -1);
    assertEquals(store.chatToken(expired), null);
    assertEquals(store.messages(room.id, 50), []);

    assertEquals(store.remove("live"), true);
    assertEquals(store.remove("live"), false);
    assertEquals(store.chatToken(token), null, "tokens go with the room");
  } finally {
    db.close();
  }
});
