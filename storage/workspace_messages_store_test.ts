// Unit tests of the messages store: history pages, read positions and exact unread counts, on
// SQLite and on PostgreSQL.
import { assertEquals } from "../tests/_assert.ts";
import { testOnEngines } from "../tests/_store_engines.ts";
import { createMessagesStore, rfc3339 } from "./workspace_messages_store.ts";
import { createWorkspacesStore } from "./workspaces_store.ts";

testOnEngines("createMessagesStore() pages history, edits and deletes", async (_t, sql) => {
  await sql.run(
    "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,0)",
    ["a@x.test", "A", "x"],
  );
  const { channels } = await createWorkspacesStore(sql).createServer(1, "Team");
  const store = createMessagesStore(sql);
  const channel = channels[0].id;
  const ids: number[] = [];
  for (let i = 1; i <= 6; i++) ids.push((await store.post(channel, 1, `m${i}`)).id);
  const text = (page: { content: string }[]) => page.map((m) => m.content).join(",");
  assertEquals(text(await store.history(channel, { limit: 3 })), "m4,m5,m6");
  assertEquals(text(await store.history(channel, { limit: 2, before: ids[3] })), "m2,m3");
  assertEquals(text(await store.history(channel, { limit: 2, after: ids[3] })), "m5,m6");
  assertEquals(
    text(await store.history(channel, { limit: 9, after: ids[0], before: ids[4] })),
    "m2,m3,m4",
  );
  const first = (await store.message(ids[0]))!;
  assertEquals([first.authorEmail, first.authorDisplayName, first.editedAt], [
    "a@x.test",
    "A",
    undefined,
  ]);
  const edited = await store.edit(ids[0], "changed");
  assertEquals([edited.content, typeof edited.editedAt], ["changed", "string"]);
  await store.delete(ids[1]);
  assertEquals(await store.message(ids[1]), null);
});

testOnEngines(
  "createMessagesStore() counts unread exactly and never moves a read position back",
  async (_t, sql) => {
    for (const name of ["a", "b"]) {
      await sql.run(
        "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,0)",
        [`${name}@x.test`, name, "x"],
      );
    }
    const workspaces = createWorkspacesStore(sql);
    const store = createMessagesStore(sql);
    const { server, channels } = await workspaces.createServer(1, "Team");
    const general = channels[0].id;
    const voice = await workspaces.createChannel(server.id, "Talk", "voice");
    const early = await store.post(general, 1, "before b joined");
    const invite = await workspaces.createInvite(server.id, 1, { expiresAt: null, maxUses: null });
    await workspaces.redeemInvite(invite.code, 2);
    // What was said before joining starts read; only text channels have badges.
    assertEquals(await store.unreadCounts(2), { [general]: 0 });
    assertEquals(voice.kind, "voice");
    const posted = [];
    for (let i = 0; i < 5; i++) posted.push((await store.post(general, 1, `m${i}`)).id);
    await store.post(general, 2, "b's own message does not count");
    assertEquals(await store.unreadCounts(2), { [general]: 5 });
    assertEquals(await store.markRead(2, general, posted[2]), posted[2]);
    assertEquals(await store.unreadCounts(2), { [general]: 2 });
    assertEquals(await store.markRead(2, general, early.id), posted[2], "never back");
    // Past the newest message, the position stops at the newest.
    const newest = (await store.history(general, { limit: 1 }))[0].id;
    assertEquals(await store.markRead(2, general, newest + 1000), newest);
    assertEquals(await store.unreadCounts(2), { [general]: 0 });
    assertEquals(await store.unreadCounts(1), { [general]: 1 }, "b's message, for a");
  },
);

Deno.test("rfc3339() gives whole UTC seconds, whatever came before", () => {
  const at = Date.UTC(2025, 9, 5, 19, 20, 30, 999);
  assertEquals(rfc3339(at), "2025-10-05T19:20:30Z");
  assertEquals(rfc3339(at - 998), "2025-10-05T19:20:30Z");
  assertEquals(rfc3339(at + 1), "2025-10-05T19:20:31Z");
  assertEquals(rfc3339(at - 999), "2025-10-05T19:20:30Z", "back to a second seen before");
  assertEquals(rfc3339(at - 1000), "2025-10-05T19:20:29Z");
  assertEquals(rfc3339(-1), "1969-12-31T23:59:59Z");
  assertEquals(rfc3339(0), "1970-01-01T00:00:00Z");
});
