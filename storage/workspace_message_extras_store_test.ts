// Contract tests of the message extras store (replies, mentions, reactions, pins) on SQLite and
// PostgreSQL.
import { assertEquals } from "../tests/_assert.ts";
import { testOnEngines } from "../tests/_store_engines.ts";
import type { Sql } from "./sql.ts";
import { createMessageExtrasStore } from "./workspace_message_extras_store.ts";
import { createMessagesStore } from "./workspace_messages_store.ts";
import { createWorkspacesStore } from "./workspaces_store.ts";

/** Users a (1) and b (2) in one server; a's general channel. */
async function team(sql: Sql) {
  for (const name of ["a", "b"]) {
    await sql.run(
      "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,0)",
      [`${name}@x.test`, name.toUpperCase(), "x"],
    );
  }
  const workspaces = createWorkspacesStore(sql);
  const { server, channels } = await workspaces.createServer(1, "Team");
  const invite = await workspaces.createInvite(server.id, 1, { expiresAt: null, maxUses: null });
  await workspaces.redeemInvite(invite.code, 2);
  return { channel: channels[0].id, messages: createMessagesStore(sql) };
}

testOnEngines(
  "createMessageExtrasStore() decorates replies, mentions and pins",
  async (_t, sql) => {
    const { channel, messages } = await team(sql);
    const extras = createMessageExtrasStore(sql);
    const original = await messages.post(channel, 1, "x".repeat(300));
    const reply = await messages.post(channel, 2, "hi <@1>");
    await extras.setReplyTo(reply.id, original.id);
    await extras.setMentions(reply.id, channel, [1, 1]);
    await extras.pin(original.id, channel, 2, 50);
    const [first, second] = await extras.decorate(await messages.history(channel, { limit: 10 }));
    assertEquals(first.pinned, true);
    assertEquals(first.replyTo, undefined);
    assertEquals(second.replyTo, {
      id: original.id,
      authorDisplayName: "A",
      excerpt: "x".repeat(200),
    });
    assertEquals(second.mentions, [{ id: 1, displayName: "A" }]);
    assertEquals(await extras.pins(channel), [original.id]);
    // A plain message gains no fields at all: EchoSphere's clients see the seed's object.
    const plain = await messages.post(channel, 1, "plain");
    assertEquals(
      Object.keys((await extras.decorate([plain]))[0]).sort(),
      Object.keys(plain).sort(),
    );
    await messages.delete(original.id);
    const [kept] = await extras.decorate([reply]);
    assertEquals(kept.replyTo, { id: original.id, authorDisplayName: null, excerpt: null });
    assertEquals(await extras.pins(channel), []);
  },
);

testOnEngines("createMessageExtrasStore() counts unread mentions until read", async (_t, sql) => {
  const { channel, messages } = await team(sql);
  const extras = createMessageExtrasStore(sql);
  for (const [author, text] of [[1, "<@2> one"], [1, "<@2> two"], [2, "<@2> self"]] as const) {
    const m = await messages.post(channel, author, text);
    await extras.setMentions(m.id, channel, [2]);
  }
  assertEquals(await extras.mentionCounts(2), { [channel]: 2 });
  assertEquals(await extras.mentionCount(2, channel), 2);
  assertEquals(await extras.mentionCounts(1), {});
  await messages.markRead(2, channel);
  assertEquals(await extras.mentionCount(2, channel), 0);
});

testOnEngines("createMessageExtrasStore() bounds reactions and pins", async (_t, sql) => {
  const { channel, messages } = await team(sql);
  const extras = createMessageExtrasStore(sql);
  const m = await messages.post(channel, 1, "react to me");
  assertEquals(await extras.react(m.id, 1, "👍", true, 2), "ok");
  assertEquals(await extras.react(m.id, 2, "👍", true, 2), "ok");
  assertEquals(await extras.react(m.id, 2, "👍", true, 2), "ok");
  assertEquals(await extras.react(m.id, 2, "🎉", true, 2), "ok");
  // A third distinct emoji is refused; more of one already there is not.
  assertEquals(await extras.react(m.id, 1, "🔥", true, 2), "full");
  assertEquals(await extras.react(m.id, 1, "🎉", true, 2), "ok");
  // Who reacted, in no promised order (reactions made in one millisecond tie on created_at).
  const byEmoji = (await extras.reactions(m.id)).map((r) => ({
    ...r,
    userIds: [...r.userIds].sort(),
  }));
  assertEquals(byEmoji, [
    { emoji: "👍", count: 2, userIds: [1, 2] },
    { emoji: "🎉", count: 2, userIds: [1, 2] },
  ]);
  await extras.react(m.id, 2, "🎉", false, 2);
  assertEquals((await extras.reactions(m.id))[1], { emoji: "🎉", count: 1, userIds: [1] });

  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await messages.post(channel, 1, `p${i}`)).id);
  assertEquals(await extras.pin(ids[0], channel, 1, 2), "ok");
  assertEquals(await extras.pin(ids[1], channel, 1, 2), "ok");
  assertEquals(await extras.pin(ids[1], channel, 1, 2), "ok");
  assertEquals(await extras.pin(ids[2], channel, 1, 2), "full");
  await extras.unpin(ids[0]);
  assertEquals(await extras.pin(ids[2], channel, 1, 2), "ok");
  assertEquals((await extras.pins(channel)).sort(), [ids[1], ids[2]].sort());
});
