import { assert, assertEquals } from "../tests/_assert.ts";
import { htpasswdLine, parseHtpasswd, verifyHtpasswd } from "./htpasswd.ts";

// Written by `htpasswd -nbB alice alicepass` (Apache 2.4).
const APACHE_LINE = "alice:$2y$05$4iNMclI6mmLxvF3pIXkbY.ARYlkfaw6mFOeJjmlPsLRWmiNxs.v5O";

Deno.test("parseHtpasswd() skips comments, blanks and lines without a user", () => {
  const entries = parseHtpasswd(`# admins\n\nadmin:$2y$x\r\n:nouser\nbob:h`);
  assertEquals(entries.map((e) => e.user), ["admin", "bob"]);
});

Deno.test("verifyHtpasswd() accepts an Apache $2y$ line and refuses a wrong password", async () => {
  const entries = parseHtpasswd(APACHE_LINE);
  assertEquals(await verifyHtpasswd(entries, "alice", "alicepass"), { ok: true });
  assertEquals(await verifyHtpasswd(entries, "alice", "nope"), { ok: false });
  assertEquals(await verifyHtpasswd(entries, "mallory", "alicepass"), { ok: false });
});

Deno.test("verifyHtpasswd() refuses non-bcrypt hashes and names their kind", async () => {
  const entries = parseHtpasswd("old:$apr1$abc$def\nsha:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=");
  assertEquals(await verifyHtpasswd(entries, "old", "x"), { ok: false, refusedHash: "MD5 (apr1)" });
  assertEquals((await verifyHtpasswd(entries, "sha", "password")).refusedHash, "SHA1");
});

Deno.test("htpasswdLine() writes $2y$ lines that verify", async () => {
  const line = htpasswdLine("admin", "s3cret", 4);
  assert(line.startsWith("admin:$2y$04$"));
  assertEquals(await verifyHtpasswd(parseHtpasswd(line), "admin", "s3cret"), { ok: true });
});
