// The community store's contract on SQLite and PostgreSQL: roles, bans, order, topics, DMs, avatars.
import { assert, assertEquals } from "../tests/_assert.ts";
import { testOnEngines } from "../tests/_store_engines.ts";
import { createCommunityStore } from "./community_store.ts";
import type { Sql } from "./sql.ts";
import { createWorkspacesStore } from "./workspaces_store.ts";

async function user(sql: Sql, name: string): Promise<number> {
  const row = await sql.get<{ id: number }>(
    `INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?, ?, 'x', 0)
     RETURNING id`,
    [`${name}@example.test`, name],
  );
  return Number(row!.id);
}

testOnEngines(
  "createCommunityStore() keeps roles, bans, settings, order and topics",
  async (_t, sql) => {
    const workspaces = createWorkspacesStore(sql);
    const community = createCommunityStore(sql);
    const [ada, bob] = [await user(sql, "ada"), await user(sql, "bob")];
    const { server, channels } = await workspaces.createServer(ada, "Club");
    const invite = await workspaces.createInvite(server.id, ada, {
      expiresAt: null,
      maxUses: null,
    });
    assert((await workspaces.redeemInvite(invite.code, bob)).ok);

    await community.setRole(server.id, bob, "admin");
    assertEquals(await workspaces.role(server.id, bob), "admin", "the migrated CHECK takes admin");
    await community.transferOwnership(server.id, ada, bob);
    assertEquals([await workspaces.role(server.id, bob), await workspaces.role(server.id, ada)], [
      "owner",
      "admin",
    ]);
    assertEquals((await workspaces.server(server.id))!.ownerId, bob);

    await community.updateServer(server.id, { name: "Book Club", membersCanInvite: true });
    const settings = (await community.settings(server.id))!;
    assertEquals([settings.name, settings.membersCanInvite, settings.dm], [
      "Book Club",
      true,
      false,
    ]);
    assert(await workspaces.membersCanInvite(server.id));

    const voice = await workspaces.createChannel(server.id, "talk", "voice");
    await community.orderChannels(server.id, [voice.id, channels[0].id]);
    assertEquals((await workspaces.channels(server.id)).map((c) => c.id), [
      voice.id,
      channels[0].id,
    ]);
    await community.updateChannel(channels[0].id, { name: "lobby", topic: "Be nice" });
    assertEquals(await community.topics(server.id), { [channels[0].id]: "Be nice" });
    assertEquals((await workspaces.channel(channels[0].id))!.name, "lobby");

    await community.ban(server.id, ada, bob);
    assertEquals(await workspaces.role(server.id, ada), null, "a ban removes the member");
    assertEquals((await community.bans(server.id)).map((b) => [b.userId, b.displayName]), [[
      ada,
      "ada",
    ]]);
    const redeemed = await workspaces.redeemInvite(invite.code, ada);
    assertEquals(redeemed, { ok: false, reason: "banned" });
    assert(await community.unban(server.id, ada));
    assert(!await community.unban(server.id, ada), "a second unban finds nothing");
    assert((await workspaces.redeemInvite(invite.code, ada)).ok);
    assert(await community.removeMember(server.id, ada));
    assert(!await community.removeMember(server.id, ada));

    await community.deleteServer(server.id);
    assertEquals(await workspaces.server(server.id), null);
    assertEquals(await workspaces.channels(server.id), [], "channels go with it");
  },
);

testOnEngines(
  "createCommunityStore() makes one DM per pair, only listed for its two people",
  async (_t, sql) => {
    const workspaces = createWorkspacesStore(sql);
    const community = createCommunityStore(sql);
    const [ada, bob, cy] = [await user(sql, "ada"), await user(sql, "bob"), await user(sql, "cy")];
    await workspaces.createServer(ada, "Club");
    assert(!await community.shareServer(ada, bob));
    const { server } = await workspaces.createServer(bob, "Other");
    const invite = await workspaces.createInvite(server.id, bob, {
      expiresAt: null,
      maxUses: null,
    });
    await workspaces.redeemInvite(invite.code, ada);
    assert(await community.shareServer(ada, bob));

    const first = await community.openDm(ada, bob);
    assert(first.created);
    assertEquals(first.dm.peer, { id: bob, displayName: "bob" });
    const again = await community.openDm(bob, ada);
    assertEquals([again.created, again.dm.serverId, again.dm.peer.id], [
      false,
      first.dm.serverId,
      ada,
    ]);
    assertEquals((await community.dms(ada)).map((d) => d.channelId), [first.dm.channelId]);
    assertEquals(await community.dms(cy), []);
    assert(!await community.shareServer(ada, cy), "a DM or nothing shared is not a shared server");
    assert((await community.settings(first.dm.serverId))!.dm);
    const adaServers = await workspaces.serversOf(ada);
    assertEquals(adaServers.at(-1)!.id, first.dm.serverId, "DMs list after servers");

    assertEquals(await community.setAvatar(ada, "avatars/1-00000000000000aa.png"), null);
    assertEquals(
      await community.setAvatar(ada, "avatars/1-00000000000000bb.png"),
      "avatars/1-00000000000000aa.png",
    );
    assertEquals(await community.avatarsOf(first.dm.serverId), {
      [ada]: "avatars/1-00000000000000bb.png",
    });
    assertEquals(await community.setAvatar(ada, null), "avatars/1-00000000000000bb.png");
    assertEquals(await community.avatarKey(ada), null);
  },
);
