// htpasswd parsing and checking, with bcrypt in a real password pool.
import { assert, assertEquals } from "../tests/_assert.ts";
import {
  htpasswdLine,
  parseHtpasswd,
  typicalCost,
  verifyHtpasswd,
  type VerifyOptions,
} from "./htpasswd.ts";
import { createPasswordPool } from "./password_pool.ts";

// Written by `htpasswd -nbB alice alicepass` (Apache 2.4).
const APACHE_LINE = "alice:$2y$05$4iNMclI6mmLxvF3pIXkbY.ARYlkfaw6mFOeJjmlPsLRWmiNxs.v5O";

async function withPool(fn: (options: VerifyOptions) => Promise<void>) {
  const pool = createPasswordPool({ size: 1 });
  try {
    await fn({ compare: pool.compare });
  } finally {
    pool.close();
  }
}

Deno.test("parseHtpasswd() skips comments, blanks and lines without a user", () => {
  const entries = parseHtpasswd(`# admins\n\nadmin:$2y$x\r\n:nouser\nbob:h`);
  assertEquals(entries.map((e) => e.user), ["admin", "bob"]);
});

Deno.test("verifyHtpasswd() accepts an Apache $2y$ line and refuses a wrong password", async () => {
  await withPool(async (options) => {
    const entries = parseHtpasswd(APACHE_LINE);
    const check = (user: string, password: string) =>
      verifyHtpasswd(entries, { user, password }, options);
    assertEquals(await check("alice", "alicepass"), { ok: true });
    assertEquals(await check("alice", "nope"), { ok: false });
    assertEquals(await check("mallory", "alicepass"), { ok: false });
  });
});

Deno.test("verifyHtpasswd() refuses non-bcrypt hashes and impossible costs, naming their kind", async () => {
  await withPool(async (options) => {
    const entries = parseHtpasswd(
      "old:$apr1$abc$def\nsha:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n" +
        `big:$2y$99$${"a".repeat(53)}`,
    );
    const check = (user: string, password: string) =>
      verifyHtpasswd(entries, { user, password }, options);
    assertEquals(await check("old", "x"), { ok: false, refusedHash: "MD5 (apr1)" });
    assertEquals((await check("sha", "password")).refusedHash, "SHA1");
    assertEquals((await check("big", "x")).refusedHash, "malformed bcrypt");
  });
});

Deno.test("typicalCost() is the cost most bcrypt entries use, 5 (htpasswd's) when none", () => {
  const line = (user: string, cost: string) => `${user}:$2y$${cost}$${"a".repeat(53)}`;
  const mixed = [line("a", "10"), line("b", "05"), line("c", "05"), "d:$apr1$x$y"].join("\n");
  assertEquals(typicalCost(parseHtpasswd(mixed)), 5);
  assertEquals(typicalCost(parseHtpasswd([line("a", "12"), line("b", "07")].join("\n"))), 12);
  assertEquals(typicalCost(parseHtpasswd(APACHE_LINE)), 5);
  assertEquals(typicalCost([]), 5);
});

Deno.test("htpasswdLine() writes $2y$ lines that verify", async () => {
  const line = htpasswdLine("admin", "s3cret", 4);
  assert(line.startsWith("admin:$2y$04$"));
  await withPool(async (options) => {
    const result = await verifyHtpasswd(
      parseHtpasswd(line),
      { user: "admin", password: "s3cret" },
      options,
    );
    assertEquals(result, { ok: true });
  });
});
