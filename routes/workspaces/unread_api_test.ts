// Read positions over REST (tests/_app.ts): where the "new messages" divider goes after a reload,
// and which server each counted channel belongs to, for the servers' badges.
import { assertEquals } from "../../tests/_assert.ts";
import { startApp } from "../../tests/_app.ts";
import { api, signupUser } from "../../tests/_workspaces.ts";

Deno.test("GET /api/channels/:id/read: the read position kept on the server, members only", async () => {
  const server = await startApp();
  try {
    const ann = await signupUser(server, "ann");
    const ben = await signupUser(server, "ben");
    const eve = await signupUser(server, "eve");
    const made = await api(server, ann, "POST", "api/servers", { name: "Team" });
    const team = (made.body.server as { id: number }).id;
    const general = (made.body.channels as { id: number }[])[0].id;
    const invite = await api(server, ann, "POST", `api/servers/${team}/invites`, {});
    await api(server, ben, "POST", `api/invites/${invite.body.code}`);

    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      const posted = await api(server, ann, "POST", `api/channels/${general}/messages`, {
        content: i === 3 ? `<@${ben.id}> look` : `m${i}`,
      });
      ids.push(posted.body.id as number);
    }
    const before = await api(server, ben, "GET", `api/channels/${general}/read`);
    assertEquals(before.status, 200);
    assertEquals(before.body.unread, 4);
    assertEquals(before.body.mentionCount, 1);
    const joinedAt = before.body.lastReadId as number;
    assertEquals(joinedAt < ids[0], true, "joined before the first message");

    // Reading up to the second message: a reload finds the divider after it.
    await api(server, ben, "POST", `api/channels/${general}/read`, { messageId: ids[1] });
    const after = await api(server, ben, "GET", `api/channels/${general}/read`);
    assertEquals(after.body, {
      channelId: general,
      lastReadId: ids[1],
      unread: 2,
      mentionCount: 1,
    });
    await api(server, ben, "POST", `api/channels/${general}/read`);
    assertEquals((await api(server, ben, "GET", `api/channels/${general}/read`)).body, {
      channelId: general,
      lastReadId: ids[3],
      unread: 0,
    });

    const stranger = await api(server, eve, "GET", `api/channels/${general}/read`);
    assertEquals([stranger.status, stranger.body.code], [403, "forbidden"]);
    const missing = await api(server, ben, "GET", "api/channels/99999/read");
    assertEquals(missing.status, 404);

    // Each counted channel names its server: the Lobby's general and Team's general.
    const counts = await api(server, ben, "GET", "api/unread");
    const servers = counts.body.serverIds as Record<string, number>;
    assertEquals(servers[String(general)], team);
    assertEquals(Object.keys(servers).sort(), Object.keys(counts.body.unread as object).sort());
    assertEquals((await api(server, eve, "GET", "api/unread")).body.serverIds, { "1": 1 });
  } finally {
    await server.close();
  }
});
