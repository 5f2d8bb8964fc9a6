// Rich messages over REST in process: replies, mentions, reactions and pins, their bounds and
// their 4xx answers (nothing stored on a refusal).
import { assertEquals, assertMatch } from "../../tests/_assert.ts";
import { startApp, type TestApp } from "../../tests/_app.ts";
import { api as call, signupUser, type TestUser } from "../../tests/_workspaces.ts";
import { MAX_MENTIONS, MAX_PINS, MAX_REACTION_EMOJI } from "./msg_service.ts";

/** The API's answer with its body read freely: these tests check the shapes field by field. */
const api = async (...args: Parameters<typeof call>) =>
  // deno-lint-ignore no-explicit-any
  (await call(...args)) as { status: number; body: any };

/** Ada owns Team (general, random) and has invited Bob; Cid is only in the Lobby. */
async function team(server: TestApp) {
  const ada = await signupUser(server, "ada");
  const bob = await signupUser(server, "bob");
  const cid = await signupUser(server, "cid");
  const made = await api(server, ada, "POST", "api/servers", { name: "Team" });
  const serverId = made.body.server.id as number;
  const general = made.body.channels[0].id as number;
  const random = (await api(server, ada, "POST", `api/servers/${serverId}`, { name: "random" }))
    .body.id as number;
  const invite = await api(server, ada, "POST", `api/servers/${serverId}/invites`, {});
  await api(server, bob, "POST", `api/invites/${invite.body.code}`);
  return { ada, bob, cid, serverId, general, random };
}

const post = (server: TestApp, user: TestUser, channel: number, body: Record<string, unknown>) =>
  api(server, user, "POST", `api/channels/${channel}/messages`, body);

const count = async (server: TestApp, user: TestUser, channel: number) =>
  ((await api(server, user, "GET", `api/channels/${channel}/messages`)).body.messages as unknown[])
    .length;

Deno.test("messages: a reply quotes a message of its own channel; another channel's is a 400", async () => {
  const server = await startApp();
  try {
    const { ada, bob, general, random } = await team(server);
    const original = await post(server, ada, general, { content: "Lunch at noon?" });
    const reply = await post(server, bob, general, { content: "Yes", replyTo: original.body.id });
    assertEquals(reply.status, 201);
    assertEquals(reply.body.replyTo, {
      id: original.body.id,
      authorDisplayName: "ada",
      excerpt: "Lunch at noon?",
    });
    const page = await api(server, ada, "GET", `api/channels/${general}/messages`);
    assertEquals(page.body.messages[1].replyTo.id, original.body.id);
    const before = await count(server, bob, random);
    for (const replyTo of [original.body.id, 999_999, "x", -1]) {
      const refused = await post(server, bob, random, { content: "elsewhere", replyTo });
      assertEquals(refused.status, 400, String(replyTo));
      assertEquals(refused.body.code, "invalid");
      assertMatch(refused.body.error, /replyTo/);
    }
    assertEquals(await count(server, bob, random), before, "nothing stored");
  } finally {
    await server.close();
  }
});

Deno.test("messages: a mention of a member is stored and counted until read; a non-member's is a 400", async () => {
  const server = await startApp();
  try {
    const { ada, bob, cid, general } = await team(server);
    const sent = await post(server, ada, general, { content: `hey <@${bob.id}>, look` });
    assertEquals(sent.status, 201);
    assertEquals(sent.body.mentions, [{ id: bob.id, displayName: "bob" }]);
    const boot = await api(server, bob, "GET", `api/bootstrap?serverId=${sent.body.channelId}`);
    assertEquals(boot.body.mentionCount, { [general]: 1 });
    assertEquals((await api(server, bob, "GET", "api/unread")).body.mentionCount, {
      [general]: 1,
    });
    const read = await api(server, bob, "POST", `api/channels/${general}/read`, {});
    assertEquals([read.body.unread, read.body.mentionCount], [0, undefined]);
    assertEquals((await api(server, bob, "GET", "api/unread")).body.mentionCount, {});

    const before = await count(server, ada, general);
    const outsider = await post(server, ada, general, { content: `hi <@${cid.id}>` });
    assertEquals([outsider.status, outsider.body.code], [400, "invalid"]);
    assertMatch(outsider.body.error, /not a member/);
    const many = Array.from({ length: MAX_MENTIONS + 1 }, (_, i) => `<@${i + 1}>`).join(" ");
    assertEquals((await post(server, ada, general, { content: many })).status, 400);
    assertEquals(await count(server, ada, general), before, "nothing stored");

    // An edit re-reads the mentions, and keeps its line breaks.
    const edited = await api(server, ada, "PATCH", `api/messages/${sent.body.id}`, {
      content: "line one\nline two",
    });
    assertEquals([edited.body.content, edited.body.mentions], ["line one\nline two", undefined]);
    const badEdit = await api(server, ada, "PATCH", `api/messages/${sent.body.id}`, {
      content: `<@${cid.id}>`,
    });
    assertEquals(badEdit.status, 400);
  } finally {
    await server.close();
  }
});

Deno.test("messages: reactions are emoji only, counted with who reacted, at most 20 distinct", async () => {
  const server = await startApp();
  try {
    const { ada, bob, cid, general } = await team(server);
    const { id } = (await post(server, ada, general, { content: "react" })).body;
    const react = (user: TestUser, emoji: string, method = "PUT") =>
      api(server, user, method, `api/messages/${id}/reactions/${encodeURIComponent(emoji)}`);
    assertEquals((await react(ada, "👍")).status, 200);
    const both = await react(bob, "👍");
    assertEquals(both.body.reactions, [{ emoji: "👍", count: 2, userIds: [ada.id, bob.id] }]);
    assertEquals((await react(bob, "👍🏽")).status, 200, "a skin tone is one emoji");
    for (const bad of ["a", "👍👍", "<img>", "1", "❤x"]) {
      const refused = await react(bob, bad);
      assertEquals([refused.status, refused.body.code], [400, "invalid"], bad);
    }
    assertEquals((await react(cid, "🎉")).status, 403, "not a member");
    const emoji = ["😀", "😂", "🤣", "😊", "😍", "🥰", "😎", "🤔", "😮", "😱", "😢", "😭", "😡"];
    emoji.push("🥱", "😴", "👎", "👏", "🙌", "🙏", "💪", "👀");
    let refused = null;
    for (const e of emoji) {
      const r = await react(ada, e);
      if (r.status !== 200) refused = r;
    }
    assertEquals(refused?.status, 400, `past ${MAX_REACTION_EMOJI} distinct`);
    const page = await api(server, ada, "GET", `api/channels/${general}/messages`);
    assertEquals(page.body.messages[0].reactions.length, MAX_REACTION_EMOJI);
    assertEquals((await react(bob, "👍", "DELETE")).body.reactions[0].count, 1);
  } finally {
    await server.close();
  }
});

Deno.test("messages: pins per channel, newest first, at most 50", async () => {
  // 51 posts in a row: past the default posting burst (community_limits.ts), which is not tested here.
  const server = await startApp({ env: { WORKSPACE_POST_BURST: "100" } });
  try {
    const { ada, bob, cid, general } = await team(server);
    const ids: number[] = [];
    for (let i = 0; i <= MAX_PINS; i++) {
      ids.push((await post(server, ada, general, { content: `p${i}` })).body.id);
    }
    const pinned = await api(server, bob, "PUT", `api/messages/${ids[0]}/pin`);
    assertEquals(pinned.body, { channelId: general, messageId: ids[0], pinned: true });
    for (const id of ids.slice(1, MAX_PINS)) {
      assertEquals((await api(server, bob, "PUT", `api/messages/${id}/pin`)).status, 200);
    }
    const full = await api(server, bob, "PUT", `api/messages/${ids[MAX_PINS]}/pin`);
    assertEquals([full.status, full.body.code], [400, "invalid"]);
    const list = await api(server, ada, "GET", `api/channels/${general}/pins`);
    assertEquals(list.body.messages.length, MAX_PINS);
    assertEquals(list.body.messages[0].pinned, true);
    assertEquals((await api(server, cid, "GET", `api/channels/${general}/pins`)).status, 403);
    await api(server, ada, "DELETE", `api/messages/${ids[0]}/pin`);
    assertEquals((await api(server, bob, "PUT", `api/messages/${ids[MAX_PINS]}/pin`)).status, 200);
  } finally {
    await server.close();
  }
});
