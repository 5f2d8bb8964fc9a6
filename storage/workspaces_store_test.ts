// Unit tests of the workspaces store: default server, invites' expiry and use limits.
import { join } from "node:path";
import { assertEquals } from "../tests/_assert.ts";
import { openDb } from "./db.ts";
import { createWorkspacesStore } from "./workspaces_store.ts";

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
