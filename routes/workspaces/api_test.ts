// Workspace REST in process (tests/_app.ts): EchoSphere's endpoints and their 400/401/403/404 paths.
import { assert, assertEquals, assertMatch } from "../../tests/_assert.ts";
import { startApp } from "../../tests/_app.ts";
import {
  api,
  ECHOSPHERE_MESSAGE_KEYS,
  signupUser,
  type TestUser,
} from "../../tests/_workspaces.ts";

Deno.test("workspaces: servers, channels and members as the seed documents", async () => {
  const server = await startApp();
  try {
    const owner = await signupUser(server, "owner");
    const boot = await api(server, owner, "GET", "api/bootstrap");
    assertEquals(boot.status, 200);
    const lobby = (boot.body.servers as { name: string; role: string }[])[0];
    assertEquals(
      [lobby.name, lobby.role],
      ["Lobby", "owner"],
      "the first account owns the default",
    );
    assertEquals((boot.body.channels as { name: string }[]).map((c) => c.name), ["general"]);

    const created = await api(server, owner, "POST", "api/servers", { name: "  Product Team " });
    assertEquals(created.status, 201);
    const product = created.body.server as { id: number; name: string; role: string };
    assertEquals([product.name, product.role], ["Product Team", "owner"]);
    assertEquals(
      (created.body.channels as { name: string; kind: string }[]).map((c) => [c.name, c.kind]),
      [
        ["general", "text"],
      ],
    );

    const voice = await api(server, owner, "POST", `api/servers/${product.id}`, {
      name: "Design Sync",
      kind: "voice",
    });
    assertEquals(voice.status, 201);
    assertEquals([voice.body.name, voice.body.kind, voice.body.serverId], [
      "Design Sync",
      "voice",
      product.id,
    ]);
    const text = await api(server, owner, "POST", `api/servers/${product.id}`, { name: "random" });
    assertEquals(text.body.kind, "text", "kind defaults to text");

    const detail = await api(server, owner, "GET", `api/servers/${product.id}`);
    assertEquals(detail.status, 200);
    assertEquals((detail.body.channels as { name: string }[]).map((c) => c.name), [
      "general",
      "Design Sync",
      "random",
    ]);
    const members = await api(server, owner, "GET", `api/servers/${product.id}/members`);
    assertEquals(members.body.members, [{
      id: owner.id,
      displayName: "owner",
      role: "owner",
      online: false,
    }]);

    const second = await signupUser(server, "second");
    const secondBoot = await api(server, second, "GET", "api/bootstrap");
    const secondServers = secondBoot.body.servers as { name: string; role: string }[];
    assertEquals(
      secondServers.map((s) => [s.name, s.role]),
      [["Lobby", "member"]],
      "joins the default",
    );
  } finally {
    await server.close();
  }
});

Deno.test("workspaces: messages, history cursors, edits, deletes and reads", async () => {
  const server = await startApp();
  try {
    const ada = await signupUser(server, "ada");
    const bob = await signupUser(server, "bob");
    const boot = await api(server, ada, "GET", "api/bootstrap");
    const general = boot.body.activeChannelId as number;

    const posted = await api(server, ada, "POST", `api/channels/${general}/messages`, {
      content: "  Hello world  ",
    });
    assertEquals(posted.status, 201);
    const first = posted.body;
    assertEquals(Object.keys(first).sort(), ECHOSPHERE_MESSAGE_KEYS);
    assertEquals([first.channelId, first.authorEmail, first.authorDisplayName, first.content], [
      general,
      "ada@example.test",
      "ada",
      "Hello world",
    ]);
    assertMatch(String(first.createdAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    for (let i = 1; i <= 5; i++) {
      await api(server, bob, "POST", `api/channels/${general}/messages`, { content: `m${i}` });
    }
    const contents = async (query: string) =>
      ((await api(server, ada, "GET", `api/channels/${general}/messages${query}`)).body
        .messages as {
          content: string;
        }[]).map((m) => m.content);
    assertEquals(await contents(""), ["Hello world", "m1", "m2", "m3", "m4", "m5"]);
    assertEquals(await contents("?limit=2"), ["m4", "m5"], "the newest, oldest first");
    const ids = ((await api(server, ada, "GET", `api/channels/${general}/messages`)).body
      .messages as { id: number }[]).map((m) => m.id);
    assertEquals(await contents(`?before=${ids[3]}&limit=2`), ["m1", "m2"]);
    assertEquals(await contents(`?after=${ids[3]}`), ["m4", "m5"]);
    assertEquals(await contents(`?after=${ids[0]}&before=${ids[3]}`), ["m1", "m2"]);
    assertEquals((await contents("?limit=5000")).length, 6, "limit is capped, not refused");

    const unread = await api(server, ada, "GET", "api/bootstrap");
    assertEquals(
      (unread.body.unread as Record<string, number>)[general],
      5,
      "bob's 5, not ada's own",
    );
    const read = await api(server, ada, "POST", `api/channels/${general}/read`, {
      messageId: ids[3],
    });
    assertEquals(read.body, { channelId: general, lastReadId: ids[3], unread: 2 });
    const back = await api(server, ada, "POST", `api/channels/${general}/read`, {
      messageId: ids[1],
    });
    assertEquals(back.body.lastReadId, ids[3], "a read position never moves back");
    const all = await api(server, ada, "POST", `api/channels/${general}/read`);
    assertEquals(all.body.unread, 0);
    assertEquals((await api(server, ada, "GET", "api/unread")).body.unread, { [general]: 0 });

    const edited = await api(server, ada, "PATCH", `api/messages/${first.id}`, {
      content: "Edited",
    });
    assertEquals([edited.status, edited.body.content], [200, "Edited"]);
    assert(typeof edited.body.editedAt === "string");
    assertEquals(
      (await api(server, bob, "PATCH", `api/messages/${first.id}`, { content: "x" })).status,
      403,
    );
    assertEquals((await api(server, bob, "DELETE", `api/messages/${first.id}`)).status, 403);
    const deleted = await api(server, ada, "DELETE", `api/messages/${first.id}`);
    assertEquals(deleted.body, { id: first.id, channelId: general });
    assertEquals((await api(server, ada, "DELETE", `api/messages/${first.id}`)).status, 404);
    assertEquals(await contents(""), ["m1", "m2", "m3", "m4", "m5"]);
  } finally {
    await server.close();
  }
});

Deno.test("workspaces: invites let others join; only members see, only owners create", async () => {
  const server = await startApp();
  try {
    const owner = await signupUser(server, "owner");
    const guest = await signupUser(server, "guest");
    const late = await signupUser(server, "late");
    const made = await api(server, owner, "POST", "api/servers", { name: "Private" });
    const id = (made.body.server as { id: number }).id;
    const general = (made.body.channels as { id: number }[])[0].id;
    await api(server, owner, "POST", `api/channels/${general}/messages`, { content: "secret" });

    // A non-member sees nothing.
    for (
      const path of [
        `api/servers/${id}`,
        `api/servers/${id}/members`,
        `api/channels/${general}/messages`,
      ]
    ) {
      const r = await api(server, guest, "GET", path);
      assertEquals([r.status, r.body.code], [403, "forbidden"], path);
    }
    assertEquals(
      (await api(server, guest, "POST", `api/channels/${general}/messages`, { content: "hi" }))
        .status,
      403,
    );
    assertEquals((await api(server, guest, "POST", `api/channels/${general}/read`)).status, 403);
    assertEquals((await api(server, guest, "POST", `api/servers/${id}/invites`)).status, 403);

    const invite = await api(server, owner, "POST", `api/servers/${id}/invites`, { maxUses: 1 });
    assertEquals(invite.status, 201);
    const code = String(invite.body.code);
    assertEquals(invite.body.url, `/invite/${code}`);
    const preview = await api(server, guest, "GET", `api/invites/${code}`);
    assertEquals((preview.body.server as { name: string }).name, "Private");
    const joined = await api(server, guest, "POST", `api/invites/${code}`);
    assertEquals([joined.status, joined.body.joined], [200, true]);
    assertEquals((joined.body.server as { role: string }).role, "member");
    const again = await api(server, guest, "POST", `api/invites/${code}`);
    assertEquals([again.status, again.body.joined], [200, false], "a member may follow it again");
    const usedUp = await api(server, late, "POST", `api/invites/${code}`);
    assertEquals([usedUp.status, usedUp.body.code], [410, "used_up"]);
    assertEquals((await api(server, late, "POST", "api/invites/nosuchcode")).status, 404);

    // The new member reads history, with nothing unread from before joining, but cannot administer.
    assertEquals((await api(server, guest, "GET", `api/channels/${general}/messages`)).status, 200);
    const guestUnread = (await api(server, guest, "GET", "api/unread")).body.unread as Record<
      string,
      number
    >;
    assertEquals(guestUnread[general], 0, "what was said before joining is not unread");
    const channel = await api(server, guest, "POST", `api/servers/${id}`, { name: "mine" });
    assertEquals([channel.status, channel.body.code], [403, "forbidden"]);
    assertEquals((await api(server, guest, "POST", `api/servers/${id}/invites`, {})).status, 403);
    const members = await api(server, owner, "GET", `api/servers/${id}/members`);
    assertEquals((members.body.members as { displayName: string }[]).map((m) => m.displayName), [
      "owner",
      "guest",
    ]);
  } finally {
    await server.close();
  }
});

Deno.test("workspaces: every endpoint answers 401 without a session, and 400/404 on bad input", async () => {
  const server = await startApp();
  try {
    const user = await signupUser(server, "u");
    const boot = await api(server, user, "GET", "api/bootstrap");
    const serverId = boot.body.activeServerId as number;
    const general = boot.body.activeChannelId as number;
    const voice = (await api(server, user, "POST", `api/servers/${serverId}`, {
      name: "Voice",
      kind: "voice",
    })).body.id;

    const endpoints: [string, string][] = [
      ["GET", "api/bootstrap"],
      ["GET", "api/unread"],
      ["POST", "api/servers"],
      ["GET", `api/servers/${serverId}`],
      ["POST", `api/servers/${serverId}`],
      ["GET", `api/servers/${serverId}/members`],
      ["POST", `api/servers/${serverId}/invites`],
      ["GET", "api/invites/abc"],
      ["POST", "api/invites/abc"],
      ["GET", `api/channels/${general}/messages`],
      ["POST", `api/channels/${general}/messages`],
      ["POST", `api/channels/${general}/read`],
      ["PATCH", "api/messages/1"],
      ["DELETE", "api/messages/1"],
    ];
    for (const [method, path] of endpoints) {
      const r = await api(server, null, method, path, method === "GET" ? undefined : {});
      assertEquals([r.status, r.body.error], [401, "Authentication required"], `${method} ${path}`);
    }

    const bad: [string, string, unknown, number, RegExp][] = [
      ["POST", "api/servers", { name: "" }, 400, /Name is required/],
      ["POST", "api/servers", { name: "x".repeat(101) }, 400, /at most 100/],
      ["POST", "api/servers", "not json", 400, /JSON/],
      ["POST", "api/servers", [1], 400, /JSON object/],
      ["GET", "api/servers/abc", undefined, 400, /Invalid server id/],
      ["GET", "api/servers/999", undefined, 404, /Server not found/],
      ["POST", `api/servers/${serverId}`, { name: "x", kind: "video" }, 400, /kind/],
      ["POST", "api/servers/999", { name: "x" }, 404, /Server not found/],
      ["GET", "api/servers/999/members", undefined, 404, /Server not found/],
      ["POST", `api/servers/${serverId}/invites`, { maxUses: 0 }, 400, /maxUses/],
      [
        "POST",
        `api/servers/${serverId}/invites`,
        { expiresInSeconds: "soon" },
        400,
        /expiresInSeconds/,
      ],
      ["GET", "api/channels/999/messages", undefined, 404, /Channel not found/],
      ["GET", `api/channels/${general}/messages?limit=0`, undefined, 400, /Invalid limit/],
      ["GET", `api/channels/${general}/messages?before=x`, undefined, 400, /Invalid before/],
      ["POST", `api/channels/${general}/messages`, { content: "   " }, 400, /content is required/],
      [
        "POST",
        `api/channels/${general}/messages`,
        { content: "x".repeat(2001) },
        400,
        /at most 2000/,
      ],
      ["POST", `api/channels/${general}/messages`, {}, 400, /content is required/],
      ["POST", `api/channels/${voice}/messages`, { content: "hi" }, 400, /text channels/],
      ["POST", "api/channels/999/messages", { content: "hi" }, 404, /Channel not found/],
      ["POST", `api/channels/${general}/read`, { messageId: -1 }, 400, /messageId/],
      ["PATCH", "api/messages/999", { content: "x" }, 404, /Message not found/],
      ["DELETE", "api/messages/0", undefined, 400, /Invalid message id/],
    ];
    for (const [method, path, body, status, message] of bad) {
      const r = await api(server, user, method, path, body);
      assertEquals(r.status, status, `${method} ${path} ${JSON.stringify(body)}`);
      assertMatch(String(r.body.error), message, `${method} ${path}`);
    }
    const ok = await api(server, user, "POST", `api/channels/${general}/messages`, {
      content: "x".repeat(2000),
    });
    assertEquals(ok.status, 201, "exactly 2000 characters is fine");
    const wrongKind = await api(server, user, "POST", `api/channels/${voice}/messages`, {
      content: "x",
    });
    assertEquals(wrongKind.body.code, "wrong_kind");
  } finally {
    await server.close();
  }
});

Deno.test("workspaces: signup, me and bootstrap answer in EchoSphere's shapes", async () => {
  const server = await startApp();
  try {
    const account = { email: "ada@example.test", display_name: "Ada", password: "correct horse" };
    const signup = await api(server, null, "POST", "api/auth/signup", account);
    assertEquals([signup.status, signup.body], [201, {
      user: { id: 1, email: "ada@example.test", displayName: "Ada" },
    }]);
    const [cookie] = signup.headers.getSetCookie();
    assertMatch(
      cookie,
      /^roomcast_session=[\w-]{43}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    const ada = { ...(signup.body.user as TestUser), cookie: cookie.split(";")[0] };
    assertEquals((await api(server, ada, "GET", "api/auth/me")).body, signup.body);

    const again = await api(server, null, "POST", "api/auth/signup", account);
    assertEquals([again.status, again.body.code], [409, "email_taken"]);
    const bad = await api(server, null, "POST", "api/auth/signup", { ...account, email: "nope" });
    assertEquals([bad.status, Object.keys(bad.body).sort()], [400, ["code", "error"]]);

    const boot = await api(server, ada, "GET", "api/bootstrap");
    assertEquals(Object.keys(boot.body), [
      "user",
      "servers",
      "activeServerId",
      "channels",
      "activeChannelId",
      "messages",
      "members",
      "unread",
    ]);
    assertEquals(boot.body.servers, [
      { id: 1, name: "Lobby", ownerId: 1, role: "owner", isDefault: true },
    ]);
    assertEquals(boot.body.channels, [{ id: 1, serverId: 1, name: "general", kind: "text" }]);
    assertEquals([boot.body.activeServerId, boot.body.activeChannelId], [1, 1]);
    assertEquals(boot.body.members, [{ id: 1, displayName: "Ada", role: "owner", online: false }]);
    assertEquals([boot.body.messages, boot.body.unread], [[], { "1": 0 }]);
  } finally {
    await server.close();
  }
});
