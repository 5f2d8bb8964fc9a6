// Unit tests of the accounts store: sign-up, passwords, and the first account under concurrent
// sign-ups, on SQLite and on PostgreSQL.
import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import { testOnEngines } from "../tests/_store_engines.ts";
import { createAccountsStore } from "./accounts_store.ts";
import { createPasswordPool } from "./password_pool.ts";

testOnEngines(
  "createAccountsStore() creates, verifies and refuses a taken email",
  async (_t, sql) => {
    const passwords = createPasswordPool({ size: 1 });
    try {
      const accounts = createAccountsStore(sql, { passwords, cost: 4 });
      const made = await accounts.create({
        email: " Ann@Example.TEST ",
        displayName: " Ann ",
        password: "correct horse",
      });
      assertEquals(made, {
        id: made!.id,
        email: "ann@example.test",
        displayName: "Ann",
        firstAdmin: false,
      });
      assertEquals(
        await accounts.create({ email: "ann@example.test", displayName: "x", password: "y" }),
        null,
      );
      assertEquals((await accounts.verify("ANN@example.test", "correct horse"))?.id, made!.id);
      assertEquals(await accounts.verify("ann@example.test", "wrong"), null);
      assertEquals(await accounts.verify("nobody@example.test", "correct horse"), null);
      assertEquals((await accounts.byEmail("ann@EXAMPLE.test"))?.id, made!.id);
      assertEquals(await accounts.byId(made!.id + 1), null);
      await accounts.markFirstAdmin(made!.id);
      assertEquals((await accounts.firstAdmin())?.firstAdmin, true);
      assertEquals(await accounts.count(), 1);

      // A step of sign-up that throws undoes the account.
      await assertRejects(() =>
        accounts.create(
          { email: "bo@example.test", displayName: "Bo", password: "correct horse" },
          () => Promise.reject(new Error("Cannot join: on purpose")),
        )
      );
      assertEquals(await accounts.byEmail("bo@example.test"), null);
    } finally {
      passwords.close();
    }
  },
);

testOnEngines(
  "createAccountsStore() finds exactly one first account among 25 concurrent sign-ups",
  async (_t, sql) => {
    const passwords = createPasswordPool({ size: 2, maxQueue: 100 });
    try {
      const accounts = createAccountsStore(sql, { passwords, cost: 4 });
      // Every pooled connection open first, so the 25 really overlap on Postgres.
      await Promise.all(Array.from({ length: 10 }, () => sql.get("SELECT 1")));
      const alone: boolean[] = [];
      const made = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          accounts.create(
            { email: `u${i}@example.test`, displayName: `u${i}`, password: "correct horse" },
            async () => {
              // A real await after the count: another sign-up gets every chance to race.
              const first = await accounts.aloneOnceInserted();
              await new Promise((resolve) => setTimeout(resolve, 1));
              alone.push(first);
            },
          )),
      );
      assert(made.every((account) => account !== null));
      assertEquals(alone.filter(Boolean).length, 1);
      assertEquals(await accounts.count(), 25);
    } finally {
      passwords.close();
    }
  },
);
