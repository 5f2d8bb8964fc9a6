// Unit tests of the voice channel bookkeeping.
import { assertEquals } from "../tests/_assert.ts";
import { createVoiceRooms, type VoicePeer } from "./voice.ts";

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
  assertEquals(voice.join(1, peer("b")).participants, [peer("a")], "joining twice is harmless");
  assertEquals(voice.leave(1, "a"), [peer("b")]);
  assertEquals(voice.leave(1, "a"), null, "leaving twice reports nothing to tell");
  assertEquals(voice.peers(1), [peer("b")]);
  voice.close();
});

Deno.test("createVoiceRooms() keeps one channel per peer and empties rooms on leaveAll", () => {
  const voice = createVoiceRooms();
  voice.join(1, peer("a"));
  voice.join(1, peer("b"));
  const moved = voice.join(2, peer("a"));
  assertEquals(moved.left, { channelId: 1, others: [peer("b")] });
  assertEquals(voice.channelOf("a"), 2);
  assertEquals(voice.leaveAll("a"), [{ channelId: 2, peer: peer("a"), others: [] }]);
  assertEquals(voice.leaveAll("a"), []);
  assertEquals(voice.peers(2), []);
  assertEquals(voice.channelOf("a"), null);
  voice.close();
});
