// Unit tests of the workspaces store: default server, invites' expiry and use limits.
import { join } from "node:path";
import { assertEquals } from "../tests/_assert.ts";
import { openDb } from "./db.ts";
import { createWorkspacesStore, INVITE_ALPHABET } from "./workspaces_store.ts";

Deno.test("createWorkspacesStore() redeems invites within their expiry and use count", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDb(join(dir, "t.db"));
  try {
    const addUser = db.prepare(
      "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,0)",
    );
    for (const name of ["a", "b", "c", "d"]) addUser.run(`${name}@x.test`, name, "x");
    const store = createWorkspacesStore(db);
    const lobby = store.joinDefaultServer(1);
    assertEquals([lobby.name, lobby.isDefault, store.role(lobby.id, 1)], ["Lobby", true, "owner"]);
    assertEquals(store.joinDefaultServer(2).id, lobby.id);
    assertEquals(store.role(lobby.id, 2), "member");

    const { server } = store.createServer(1, "Team");
    const timed = store.createInvite(server.id, 1, { expiresAt: 5000, maxUses: null });
    assertEquals(store.redeemInvite(timed.code, 2, 4999).ok, true);
    assertEquals(store.redeemInvite(timed.code, 3, 5000), { ok: false, reason: "expired" });

    const once = store.createInvite(server.id, 1, { expiresAt: null, maxUses: 1 });
    assertEquals(store.redeemInvite(once.code, 3, 0).ok, true);
    assertEquals(store.redeemInvite(once.code, 3, 0), {
      ok: true,
      server: store.server(server.id)!,
      joined: false,
    });
    assertEquals(store.redeemInvite(once.code, 4, 0), { ok: false, reason: "used_up" });
    assertEquals(store.invite(once.code)!.uses, 1);
    assertEquals(store.redeemInvite("missing", 4, 0), { ok: false, reason: "not_found" });
    assertEquals(store.members(server.id).map((m) => m.displayName), ["a", "b", "c"]);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createWorkspacesStore() draws invite codes uniformly from their 57 symbols", async () => {
  const dir = await Deno.makeTempDir();
  const db = openDb(join(dir, "t.db"));
  try {
    db.prepare(
      "INSERT INTO users (email, display_name, password_hash, created_at) VALUES ('a@x.test','a','x',0)",
    ).run();
    const store = createWorkspacesStore(db);
    const { server } = store.createServer(1, "Team");
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const { code } = store.createInvite(server.id, 1, { expiresAt: null, maxUses: null });
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
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
