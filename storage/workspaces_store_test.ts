// Unit tests of the workspaces store: default server, invites' expiry and use limits, and the
// rules that must hold under concurrent redeems, on SQLite and on PostgreSQL.
import { join } from "node:path";
import { assertEquals } from "../tests/_assert.ts";
import { testOnEngines } from "../tests/_store_engines.ts";
import { openDb } from "./db.ts";
import type { Sql } from "./sql.ts";
import { sqliteSql } from "./sql_sqlite.ts";
import { createWorkspacesStore, INVITE_ALPHABET } from "./workspaces_store.ts";

const addUsers = async (sql: Sql, names: string[]) => {
  for (const name of names) {
    await sql.run(
      "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,0)",
      [`${name}@x.test`, name, "x"],
    );
  }
};

testOnEngines(
  "createWorkspacesStore().channelAs() reads a channel with one's role",
  async (_t, sql) => {
    await addUsers(sql, ["a", "b"]);
    const store = createWorkspacesStore(sql);
    const { server, channels } = await store.createServer(1, "Team");
    const voice = await store.createChannel(server.id, "Talk", "voice");
    const general = {
      id: channels[0].id,
      serverId: server.id,
      name: "general",
      kind: "text" as const,
    };
    assertEquals(await store.channelAs(channels[0].id, 1), { channel: general, role: "owner" });
    assertEquals(await store.channelAs(channels[0].id, 2), { channel: general, role: null });
    assertEquals((await store.channelAs(voice.id, 1))?.channel, voice);
    assertEquals(await store.channelAs(voice.id + 100, 1), null);
  },
);

testOnEngines(
  "createWorkspacesStore() redeems invites within their expiry and use count",
  async (_t, sql) => {
    await addUsers(sql, ["a", "b", "c", "d"]);
    const store = createWorkspacesStore(sql);
    const lobby = await store.joinDefaultServer(1);
    assertEquals([lobby.name, lobby.isDefault, await store.role(lobby.id, 1)], [
      "Lobby",
      true,
      "owner",
    ]);
    assertEquals((await store.joinDefaultServer(2)).id, lobby.id);
    assertEquals(await store.role(lobby.id, 2), "member");

    const { server } = await store.createServer(1, "Team");
    const timed = await store.createInvite(server.id, 1, { expiresAt: 5000, maxUses: null });
    assertEquals((await store.redeemInvite(timed.code, 2, 4999)).ok, true);
    assertEquals(await store.redeemInvite(timed.code, 3, 5000), { ok: false, reason: "expired" });

    const once = await store.createInvite(server.id, 1, { expiresAt: null, maxUses: 1 });
    assertEquals((await store.redeemInvite(once.code, 3, 0)).ok, true);
    assertEquals(await store.redeemInvite(once.code, 3, 0), {
      ok: true,
      server: (await store.server(server.id))!,
      joined: false,
    });
    assertEquals(await store.redeemInvite(once.code, 4, 0), { ok: false, reason: "used_up" });
    assertEquals((await store.invite(once.code))!.uses, 1);
    assertEquals(await store.redeemInvite("missing", 4, 0), { ok: false, reason: "not_found" });
    assertEquals((await store.members(server.id)).map((m) => m.displayName), ["a", "b", "c"]);
  },
);

testOnEngines(
  "createWorkspacesStore() counts 25 concurrent redeems one by one: a 1-use invite admits 1",
  async (_t, sql) => {
    const names = Array.from({ length: 26 }, (_, i) => `u${i}`);
    await addUsers(sql, names);
    const store = createWorkspacesStore(sql);
    const { server } = await store.createServer(1, "Team");
    for (const maxUses of [1, 20]) {
      const invite = await store.createInvite(server.id, 1, { expiresAt: null, maxUses });
      const ids = names.slice(1).map((_, i) => i + 2);
      const results = await Promise.all(ids.map((id) => store.redeemInvite(invite.code, id)));
      const joined = results.filter((r) => r.ok && r.joined).length;
      const members = (await store.members(server.id)).length;
      if (maxUses === 1) {
        assertEquals([joined, members], [1, 2], "one of 25 gets in");
      } else {
        // The first round's winner walks in without a use; 20 of the other 24 get in.
        assertEquals([joined, members], [20, 22]);
      }
      assertEquals((await store.invite(invite.code))!.uses, maxUses);
    }
  },
);

testOnEngines(
  "createWorkspacesStore() makes one Lobby for 25 concurrent first sign-ups",
  async (_t, sql) => {
    const names = Array.from({ length: 25 }, (_, i) => `u${i}`);
    await addUsers(sql, names);
    const store = createWorkspacesStore(sql);
    // Every pooled connection open first, so the 25 really overlap on Postgres.
    await Promise.all(Array.from({ length: 10 }, () => sql.get("SELECT 1")));
    const lobbies = await Promise.all(names.map((_, i) => store.joinDefaultServer(i + 1)));
    assertEquals(new Set(lobbies.map((s) => s.id)).size, 1);
    const count = await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM servers");
    assertEquals(count!.n, 1);
    assertEquals((await store.members(lobbies[0].id)).length, 25);
  },
);

testOnEngines(
  "createWorkspacesStore() orders members owner first, then by name ignoring ASCII case",
  async (_t, sql) => {
    await addUsers(sql, ["zed", "Bob", "alice", "Carol", "bob"]);
    const store = createWorkspacesStore(sql);
    const { server } = await store.createServer(1, "Team");
    const invite = await store.createInvite(server.id, 1, { expiresAt: null, maxUses: null });
    for (const id of [2, 3, 4, 5]) await store.redeemInvite(invite.code, id);
    assertEquals(
      (await store.members(server.id)).map((m) => m.displayName),
      ["zed", "alice", "Bob", "bob", "Carol"],
    );
  },
);

Deno.test("createWorkspacesStore() draws invite codes uniformly from their 57 symbols", async () => {
  const dir = await Deno.makeTempDir();
  const sql = sqliteSql(openDb(join(dir, "t.db")));
  try {
    await addUsers(sql, ["a"]);
    const store = createWorkspacesStore(sql);
    const { server } = await store.createServer(1, "Team");
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const { code } = await store.createInvite(server.id, 1, { expiresAt: null, maxUses: null });
      for (const ch of code) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    const alphabet = [...counts.keys()].sort((a, b) =>
      INVITE_ALPHABET.indexOf(a) - INVITE_ALPHABET.indexOf(b)
    );
    assertEquals(alphabet.join(""), INVITE_ALPHABET);
    // `byte % 57` gave the first 28 symbols 140/256 = 0.547 of all draws; uniform is 28/57 = 0.491.
    const first28 = [...INVITE_ALPHABET.slice(0, 28)].reduce((n, ch) => n + counts.get(ch)!, 0);
    const share = first28 / 20_000;
    assertEquals(
      share > 0.46 && share < 0.52,
      true,
      `the first 28 symbols got ${share.toFixed(3)}`,
    );
  } finally {
    await sql.close();
    await Deno.remove(dir, { recursive: true });
  }
});
