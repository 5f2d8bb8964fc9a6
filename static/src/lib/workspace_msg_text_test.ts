// Unit tests of mention conversion and the bounded per-channel drafts.
import { assertEquals } from "../../../tests/_assert.ts";
import {
  draftOf,
  type Drafts,
  MAX_DRAFTS,
  mentionQuery,
  toDisplay,
  toWire,
  withDraft,
} from "./workspace_msg_text.ts";

const people = [{ id: 1, displayName: "Ada" }, { id: 2, displayName: "Ada Lovelace" }];

Deno.test("toWire() turns typed @names into <@id>, the longest name first", () => {
  assertEquals(toWire("@Ada Lovelace and @Ada, hi", people), "<@2> and <@1>, hi");
  assertEquals(toWire("mail ada@Ada.com @Adam", people), "mail ada@Ada.com @Adam");
  assertEquals(toDisplay("<@2> <@1> <@9>", people), "@Ada Lovelace @Ada <@9>");
});

Deno.test("mentionQuery() finds the @word before the caret", () => {
  assertEquals(mentionQuery("hello @ad"), "ad");
  assertEquals(mentionQuery("@"), "");
  assertEquals(mentionQuery("mail a@b"), null);
  assertEquals(mentionQuery("@ada done"), null);
});

Deno.test("withDraft() keeps at most MAX_DRAFTS, dropping the least recently written", () => {
  let drafts: Drafts = [];
  for (let id = 1; id <= MAX_DRAFTS + 10; id++) drafts = withDraft(drafts, id, `text ${id}`);
  assertEquals(drafts.length, MAX_DRAFTS);
  assertEquals(drafts[0], [11, "text 11"]);
  drafts = withDraft(drafts, 11, "again");
  assertEquals([drafts.at(-1), draftOf(drafts, 11)], [[11, "again"], "again"]);
  assertEquals(draftOf(withDraft(drafts, 11, ""), 11), "");
});
