// Community REST in process (tests/_app.ts): roles, settings, channel order, kicks, bans, leaving,
// deleting, and the 4xx for everything a member or bad input may not do.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startApp, type TestApp } from "../../tests/_app.ts";
import { api, signupUser, type TestUser } from "../../tests/_workspaces.ts";

/** Ada owns "Club"; Bob (made admin) and Cy are members through an invite. */
async function club(app: TestApp) {
  const ada = await signupUser(app, "ada");
  const bob = await signupUser(app, "bob");
  const cy = await signupUser(app, "cy");
  const created = await api(app, ada, "POST", "api/servers", { name: "Club" });
  const serverId = (created.body.server as { id: number }).id;
  const general = (created.body.channels as { id: number }[])[0].id;
  const invite = await api(app, ada, "POST", `api/servers/${serverId}/invites`, {});
  const code = invite.body.code as string;
  for (const u of [bob, cy]) {
    assertEquals((await api(app, u, "POST", `api/invites/${code}`)).status, 200);
  }
  const made = await api(app, ada, "PATCH", `api/servers/${serverId}/members/${bob.id}`, {
    role: "admin",
  });
  assertEquals([made.status, made.body.role], [200, "admin"]);
  return { ada, bob, cy, serverId, general, code };
}

const status = async (
  app: TestApp,
  user: TestUser,
  method: string,
  path: string,
  body?: unknown,
) => {
  const r = await api(app, user, method, path, body);
  return [r.status, r.body.code ?? "ok"];
};

Deno.test("community: a member gets 403 for every owner/admin action, and nothing changes", async () => {
  const app = await startApp();
  try {
    const { ada, cy, bob, serverId, general } = await club(app);
    const forbidden = [
      ["PATCH", `api/servers/${serverId}`, { name: "Mine" }],
      ["DELETE", `api/servers/${serverId}`],
      ["POST", `api/servers/${serverId}`, { name: "spam" }],
      ["PATCH", `api/channels/${general}`, { topic: "hi" }],
      ["DELETE", `api/channels/${general}`],
      ["PUT", `api/servers/${serverId}/channel-order`, { channelIds: [general] }],
      ["DELETE", `api/servers/${serverId}/members/${bob.id}`],
      ["POST", `api/servers/${serverId}/bans`, { userId: bob.id }],
      ["GET", `api/servers/${serverId}/bans`],
      ["PATCH", `api/servers/${serverId}/members/${bob.id}`, { role: "member" }],
      ["POST", `api/servers/${serverId}/invites`, {}],
    ] as const;
    for (const [method, path, body] of forbidden) {
      assertEquals(
        await status(app, cy, method, path, body),
        [403, "forbidden"],
        `${method} ${path}`,
      );
    }
    const view = await api(app, ada, "GET", `api/servers/${serverId}/community`);
    assertEquals([view.body.name, view.body.topics], ["Club", {}]);
    const members = await api(app, ada, "GET", `api/servers/${serverId}/members`);
    assertEquals((members.body.members as unknown[]).length, 3);
    // An admin cannot act on the owner or another admin, nor change roles.
    assertEquals(
      await status(app, bob, "DELETE", `api/servers/${serverId}/members/${ada.id}`),
      [403, "forbidden"],
    );
    assertEquals(
      await status(app, bob, "PATCH", `api/servers/${serverId}/members/${cy.id}`, {
        role: "admin",
      }),
      [403, "forbidden"],
    );
  } finally {
    await app.close();
  }
});

Deno.test("community: an admin renames, sets a topic, reorders, allows invites and deletes a channel", async () => {
  const app = await startApp();
  try {
    const { bob, cy, serverId, general } = await club(app);
    const renamed = await api(app, bob, "PATCH", `api/servers/${serverId}`, {
      name: " Book  Club ",
      membersCanInvite: true,
    });
    assertEquals([renamed.status, renamed.body.name, renamed.body.membersCanInvite], [
      200,
      "Book Club",
      true,
    ]);
    assertEquals((await api(app, cy, "POST", `api/servers/${serverId}/invites`, {})).status, 201);
    const random = await api(app, bob, "POST", `api/servers/${serverId}`, { name: "random" });
    assertEquals(random.status, 201, "admins create channels");
    const randomId = random.body.id as number;
    const topic = await api(app, bob, "PATCH", `api/channels/${general}`, {
      name: "lobby",
      topic: "Say hi\nand be nice",
    });
    assertEquals([topic.body.channelTopic, (topic.body.channel as { name: string }).name], [
      "Say hi\nand be nice",
      "lobby",
    ]);
    const order = await api(app, bob, "PUT", `api/servers/${serverId}/channel-order`, {
      channelIds: [randomId, general],
    });
    assertEquals(order.status, 200);
    const detail = await api(app, cy, "GET", `api/servers/${serverId}`);
    assertEquals((detail.body.channels as { id: number }[]).map((c) => c.id), [randomId, general]);
    const view = await api(app, cy, "GET", `api/servers/${serverId}/community`);
    assertEquals(view.body.topics, { [general]: "Say hi\nand be nice" });

    assertEquals((await api(app, bob, "DELETE", `api/channels/${randomId}`)).status, 200);
    assertEquals(
      await status(app, bob, "DELETE", `api/channels/${general}`),
      [400, "invalid"],
      "the last text channel stays",
    );
  } finally {
    await app.close();
  }
});

Deno.test("community: bad input is a clear 400 and changes nothing", async () => {
  const app = await startApp();
  try {
    const { ada, serverId, general } = await club(app);
    const bad = [
      ["PATCH", `api/servers/${serverId}`, { name: "" }],
      ["PATCH", `api/servers/${serverId}`, { name: "x".repeat(101) }],
      ["PATCH", `api/servers/${serverId}`, { membersCanInvite: "yes" }],
      ["PATCH", `api/channels/${general}`, { topic: "x".repeat(1025) }],
      ["PATCH", `api/channels/${general}`, { topic: "bell\u0007" }],
      ["PATCH", `api/channels/${general}`, { topic: 7 }],
      ["PUT", `api/servers/${serverId}/channel-order`, { channelIds: [general, general] }],
      ["PUT", `api/servers/${serverId}/channel-order`, { channelIds: [] }],
      ["PUT", `api/servers/${serverId}/channel-order`, { channelIds: "1" }],
      ["PATCH", `api/servers/${serverId}/members/${ada.id}`, { role: "member" }],
      ["POST", `api/servers/${serverId}/bans`, { userId: "x" }],
      ["POST", `api/servers/${serverId}/bans`, { userId: ada.id }],
    ] as const;
    for (const [method, path, body] of bad) {
      assertEquals(
        await status(app, ada, method, path, body),
        [400, "invalid"],
        JSON.stringify(body),
      );
    }
    const bogusRole = await status(app, ada, "PATCH", `api/servers/${serverId}/members/${ada.id}`, {
      role: "god",
    });
    assertEquals(bogusRole, [400, "invalid"]);
    const view = await api(app, ada, "GET", `api/servers/${serverId}/community`);
    assertEquals([view.body.name, view.body.topics, view.body.membersCanInvite], [
      "Club",
      {},
      false,
    ]);
    assertEquals(
      await status(app, ada, "DELETE", `api/servers/${serverId}/members/999`),
      [404, "not_found"],
    );
  } finally {
    await app.close();
  }
});

Deno.test("community: a banned user's invite links fail; leaving, handing over and deleting", async () => {
  const app = await startApp();
  try {
    const { ada, bob, cy, serverId, code } = await club(app);
    const banned = await api(app, bob, "POST", `api/servers/${serverId}/bans`, { userId: cy.id });
    assertEquals([banned.status, banned.body.reason], [201, "banned"]);
    assertEquals(await status(app, cy, "GET", `api/servers/${serverId}`), [403, "forbidden"]);
    assertEquals(await status(app, cy, "POST", `api/invites/${code}`), [403, "banned"]);
    const fresh = await api(app, ada, "POST", `api/servers/${serverId}/invites`, {});
    assertEquals(await status(app, cy, "POST", `api/invites/${fresh.body.code}`), [403, "banned"]);
    const bans = await api(app, ada, "GET", `api/servers/${serverId}/bans`);
    assertEquals((bans.body.bans as { userId: number }[]).map((b) => b.userId), [cy.id]);
    assertEquals(
      (await api(app, ada, "DELETE", `api/servers/${serverId}/bans/${cy.id}`)).status,
      200,
    );
    assertEquals(await status(app, cy, "POST", `api/invites/${code}`), [200, "ok"], "unbanned");

    assertEquals(await status(app, ada, "POST", `api/servers/${serverId}/leave`), [
      409,
      "conflict",
    ]);
    const handed = await api(app, ada, "PATCH", `api/servers/${serverId}/members/${bob.id}`, {
      role: "owner",
    });
    assertEquals(handed.status, 200);
    const roles = await api(app, bob, "GET", `api/servers/${serverId}/members`);
    const roleOf = Object.fromEntries(
      (roles.body.members as { id: number; role: string }[]).map((m) => [m.id, m.role]),
    );
    assertEquals([roleOf[bob.id], roleOf[ada.id]], ["owner", "admin"]);
    assertEquals(await status(app, ada, "POST", `api/servers/${serverId}/leave`), [200, "ok"]);
    const adaServers = await api(app, ada, "GET", "api/bootstrap");
    assert(!(adaServers.body.servers as { id: number }[]).some((s) => s.id === serverId));

    assertEquals(await status(app, cy, "DELETE", `api/servers/${serverId}`), [403, "forbidden"]);
    assertEquals(await status(app, bob, "DELETE", `api/servers/${serverId}`), [200, "ok"]);
    assertEquals(await status(app, bob, "GET", `api/servers/${serverId}`), [404, "not_found"]);
    const lobby = (adaServers.body.servers as { id: number; isDefault: boolean }[])[0];
    assertEquals(await status(app, ada, "DELETE", `api/servers/${lobby.id}`), [400, "invalid"]);
  } finally {
    await app.close();
  }
});

Deno.test("community: owners and admins delete others' messages; members only their own", async () => {
  const app = await startApp();
  try {
    const { bob, cy, general } = await club(app);
    const post = async (u: TestUser, content: string) =>
      (await api(app, u, "POST", `api/channels/${general}/messages`, { content })).body.id;
    const byBob = await post(bob, "from an admin");
    const byCy = await post(cy, "from a member");
    assertEquals(await status(app, cy, "DELETE", `api/messages/${byBob}`), [403, "forbidden"]);
    assertEquals(await status(app, bob, "DELETE", `api/messages/${byCy}`), [200, "ok"]);
    assertEquals(await status(app, bob, "PATCH", `api/messages/${byCy}`, { content: "x" }), [
      404,
      "not_found",
    ]);
    const left = await api(app, cy, "GET", `api/channels/${general}/messages`);
    assertEquals((left.body.messages as { id: number }[]).map((m) => m.id), [byBob]);
  } finally {
    await app.close();
  }
});
