// Unit tests of the servers' badge totals and where the "new messages" divider goes.
import { assertEquals } from "../../../tests/_assert.ts";
import { dividerAt, serverBadges } from "./workspace_unread.ts";
import type { Message } from "./workspace_api.ts";

const message = (id: number, authorEmail: string): Message => ({
  id,
  channelId: 1,
  authorEmail,
  authorDisplayName: authorEmail,
  content: `m${id}`,
  createdAt: "2026-01-01T00:00:00Z",
});

Deno.test("serverBadges() sums each server's channels and leaves out servers with nothing", () => {
  const serverIds = { "1": 10, "2": 10, "3": 20, "4": 30 };
  assertEquals(serverBadges({ "1": 2, "2": 3, "3": 0, "4": 0 }, { "2": 1 }, serverIds), {
    "10": { unread: 5, mentions: 1 },
  });
  // A channel whose server is not known yet (a count before the map) counts nowhere.
  assertEquals(serverBadges({ "9": 4 }, {}, serverIds), {});
});

Deno.test("dividerAt() is the first message after the read position not by the reader", () => {
  const list = [message(1, "a"), message(2, "me"), message(3, "me"), message(4, "a")];
  assertEquals(dividerAt(list, 1, "me"), 4);
  assertEquals(dividerAt(list, 0, "me"), 1);
  assertEquals(dividerAt(list, null, "me"), null);
  assertEquals(dividerAt(list, 4, "me"), null);
});
