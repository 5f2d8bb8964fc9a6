// Unit tests of the voice channel bookkeeping.
import { assertEquals } from "../tests/_assert.ts";
import { createVoiceRooms, type JoinResult, type VoicePeer } from "./voice.ts";

const peer = (id: string): VoicePeer => ({
  id,
  userId: id.charCodeAt(0),
  email: `${id}@x.test`,
  displayName: id,
});

Deno.test("createVoiceRooms() lists who was there before a join, and who remains after a leave", () => {
  const voice = createVoiceRooms();
  assertEquals(voice.join(1, peer("a")), { participants: [] });
  assertEquals(voice.join(1, peer("b")), { participants: [peer("a")] });
  const again = voice.join(1, peer("b")) as JoinResult;
  assertEquals(again.participants, [peer("a")], "joining twice is harmless");
  assertEquals(voice.leave(1, "a"), [peer("b")]);
  assertEquals(voice.leave(1, "a"), null, "leaving twice reports nothing to tell");
  assertEquals(voice.peers(1), [peer("b")]);
  voice.close();
});

Deno.test("createVoiceRooms() keeps one channel per peer and empties rooms on leaveAll", () => {
  const voice = createVoiceRooms();
  voice.join(1, peer("a"));
  voice.join(1, peer("b"));
  const moved = voice.join(2, peer("a")) as JoinResult;
  assertEquals(moved.left, { channelId: 1, others: [peer("b")] });
  assertEquals(voice.channelOf("a"), 2);
  assertEquals(voice.leaveAll("a"), [{ channelId: 2, peer: peer("a"), others: [] }]);
  assertEquals(voice.leaveAll("a"), []);
  assertEquals(voice.peers(2), []);
  assertEquals(voice.channelOf("a"), null);
  voice.close();
});

Deno.test("createVoiceRooms() refuses a peer past maxPeers, and a rejoin of someone inside is fine", () => {
  const voice = createVoiceRooms({ maxPeers: 2 });
  voice.join(1, peer("a"));
  voice.join(1, peer("b"));
  assertEquals(voice.join(1, peer("c")), "full");
  assertEquals(voice.peers(1).map((p) => p.id), ["a", "b"]);
  assertEquals((voice.join(1, peer("b")) as JoinResult).participants, [peer("a")]);
  voice.leave(1, "a");
  assertEquals((voice.join(1, peer("c")) as JoinResult).participants, [peer("b")]);
  assertEquals(voice.join(1, peer("d"), 0), "full");
  voice.close();
});

Deno.test("createVoiceRooms() counts the channel's peers on other instances toward maxPeers", () => {
  const voice = createVoiceRooms({ maxPeers: 3 });
  voice.join(1, peer("a"), 1);
  assertEquals(voice.join(1, peer("b"), 2), "full", "a here and two elsewhere make three");
  assertEquals(voice.join(2, peer("b"), 3), "full", "an empty room here can be full elsewhere");
  assertEquals((voice.join(1, peer("a"), 2) as JoinResult).participants, [], "rejoining is fine");
  voice.close();
});

Deno.test("createVoiceRooms() lets one peer share a screen at a time, and forgets it on leave", () => {
  const voice = createVoiceRooms();
  voice.join(1, peer("a"));
  voice.join(1, peer("b"));
  assertEquals(voice.share(1, "z", true), "not_joined");
  assertEquals(voice.share(1, "a", true), "ok");
  assertEquals(voice.share(1, "b", true), "busy");
  assertEquals(voice.share(1, "b", false), "ok", "stopping what you do not share is harmless");
  assertEquals(voice.sharer(1), "a");
  voice.leave(1, "a");
  assertEquals(voice.sharer(1), null);
  assertEquals(voice.share(1, "b", true), "ok");
  voice.close();
});
