// Unit tests of merging a fetched voice roster with live roster events.
import { assertEquals } from "../../../tests/_assert.ts";
import { mergeRosters, type VoiceRoster } from "./workspace_voice_roster.ts";

const roster = (names: string[], eventId?: number): VoiceRoster => ({
  participants: names.map((n) => ({ id: n, email: `${n}@x.test`, displayName: n })),
  screen: null,
  ...(eventId === undefined ? {} : { eventId }),
});

Deno.test("mergeRosters() keeps a channel changed by an event newer than the fetch", () => {
  const current = { "1": roster(["ada"], 9), "2": roster(["bob"], 3), "3": roster(["cat"], 4) };
  const fetched = { "1": roster(["ada", "old"]), "2": roster(["bob", "dan"]) };
  assertEquals(mergeRosters(current, fetched, 5), {
    "1": roster(["ada"], 9),
    "2": roster(["bob", "dan"], 5),
  }, "1 is newer than the fetch; 3 emptied before it");
  assertEquals(mergeRosters({}, fetched, 5)["1"], roster(["ada", "old"], 5));
});
