// Group commit under the messages store, on SQLite and PostgreSQL: posts made together share one
// commit, each resolves only after its commit, and a bad post in a batch fails alone.
import { assert, assertEquals } from "../tests/_assert.ts";
import { testOnEngines } from "../tests/_store_engines.ts";
import { createMessagesStore } from "./workspace_messages_store.ts";
import { channelOf, countingCommits } from "../tests/_commits.ts";

testOnEngines(
  "createMessagesStore() commits 50 posts made together in one commit",
  async (_t, db) => {
    const channel = await channelOf(db);
    const { sql, counts } = countingCommits(db);
    const store = createMessagesStore(sql);
    const resolvedAt: number[] = [];
    const posted = await Promise.all(
      Array.from(
        { length: 50 },
        (_, i) =>
          store.post(channel, 1, `m${i}`).then((m) => (resolvedAt.push(performance.now()), m)),
      ),
    );
    assert(counts.commits <= 2, `50 posts took ${counts.commits} commits`);
    // Every post resolved after the commit that stored it.
    assert(Math.min(...resolvedAt) >= Math.min(...counts.committedAt));
    assertEquals(posted.map((m) => m.content), posted.map((_, i) => `m${i}`));
    assertEquals(new Set(posted.map((m) => m.id)).size, 50);
    const stored = await store.history(channel, { limit: 100 });
    assertEquals(stored.map((m) => m.content), posted.map((m) => m.content));
  },
);

testOnEngines("createMessagesStore() fails only the bad post of a batch", async (_t, sql) => {
  const channel = await channelOf(sql);
  const store = createMessagesStore(sql);
  // Channel 999999 does not exist: its row breaks the foreign key.
  const results = await Promise.allSettled([
    store.post(channel, 1, "before"),
    store.post(999_999, 1, "nowhere"),
    store.post(channel, 1, "after"),
  ]);
  assertEquals(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  const stored = await store.history(channel, { limit: 10 });
  assertEquals(stored.map((m) => m.content), ["before", "after"]);
});

testOnEngines(
  "createMessagesStore() keeps a post made in a caller's transaction in that transaction only",
  async (_t, sql) => {
    const channel = await channelOf(sql);
    const store = createMessagesStore(sql);
    // Two callers' transactions at once (concurrent on Postgres, each on its own connection): both
    // post in the same turn, so an unguarded group commit would batch them into one of the two.
    let began = 0;
    let go!: () => void;
    const start = new Promise<void>((resolve) => (go = resolve));
    const concurrent = sql.dialect === "postgres";
    const caller = (content: string, fail: boolean) =>
      sql.transaction(async () => {
        if (++began === 2) go();
        if (concurrent) await start;
        await store.post(channel, 1, content);
        if (fail) throw new Error("Cannot finish: on purpose");
      });
    const results = await Promise.allSettled([caller("kept", false), caller("undone", true)]);
    assertEquals(results.map((r) => r.status), ["fulfilled", "rejected"]);
    const stored = await store.history(channel, { limit: 10 });
    assertEquals(stored.map((m) => m.content), ["kept"]);
  },
);

testOnEngines(
  "createMessagesStore() begins a lone post's commit before a zero timer fires",
  async (_t, db) => {
    const channel = await channelOf(db);
    const { sql, counts } = countingCommits(db);
    const store = createMessagesStore(sql);
    // A timer set before the post: the post's batch must not wait for the timers (a setTimeout(0)
    // in Deno waits a millisecond or more, which every lone post paid on top of its commit).
    const commitsWhenTimerFired = new Promise<number>((resolve) => {
      setTimeout(() => resolve(counts.commits), 0);
    });
    const posted = store.post(channel, 1, "alone");
    assertEquals(await commitsWhenTimerFired, 1, "the post's transaction had begun");
    assertEquals((await posted).content, "alone");
  },
);

testOnEngines(
  "createMessagesStore() takes a post made as the previous one resolves",
  async (_t, db) => {
    const channel = await channelOf(db);
    const store = createMessagesStore(db);
    // Each post is made by a caller resuming from the last one's promise, a few microtasks later:
    // the moment the group commit's last look at its queue once left such a post waiting forever.
    const chain = (async () => {
      for (let i = 0; i < 30; i++) {
        await Promise.all([store.post(channel, 1, `m${i}`)]);
        for (let tick = 0; tick < i % 4; tick++) await Promise.resolve();
      }
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("a post never resolved")), 10_000);
    });
    try {
      await Promise.race([chain, stuck]);
    } finally {
      clearTimeout(timer);
    }
    assertEquals((await store.history(channel, { limit: 50 })).length, 30);
  },
);
