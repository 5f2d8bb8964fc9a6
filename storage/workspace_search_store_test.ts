// Contract tests of workspace search and attachments on SQLite (FTS5) and PostgreSQL (GIN): the same
// query language finds the same messages on both.
import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import { testOnEngines } from "../tests/_store_engines.ts";
import { parseSearchQuery } from "../routes/workspaces/search_query.ts";
import { createFileBlobs } from "./blobs_files.ts";
import { UploadContentError } from "./checked_upload.ts";
import { TooLargeError } from "./files.ts";
import { createAttachmentsStore } from "./workspace_attachments_store.ts";
import { createMessagesStore } from "./workspace_messages_store.ts";
import { createSearchStore } from "./workspace_search_store.ts";
import { INDEX_BATCH } from "./search_index.ts";
import { createWorkspacesStore } from "./workspaces_store.ts";

const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);
const streamOf = (bytes: Uint8Array) => new Blob([bytes as BlobPart]).stream();

testOnEngines(
  "createSearchStore() finds by word, from:, in: and has:file",
  async (_t, sql, dir) => {
    for (const [email, name] of [["ann@x.test", "Ann Lee"], ["bob@x.test", "Bob"]]) {
      await sql.run(
        "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,0)",
        [email, name, "x"],
      );
    }
    const workspaces = createWorkspacesStore(sql);
    const { server, channels } = await workspaces.createServer(1, "Team");
    const other = await workspaces.createServer(1, "Elsewhere");
    const general = channels[0].id;
    const random = (await workspaces.createChannel(server.id, "random", "text")).id;
    const messages = createMessagesStore(sql);
    const attachments = createAttachmentsStore(sql, createFileBlobs(dir));
    const m1 = await messages.post(general, 1, "Deploy the café build at noon");
    const m2 = await messages.post(random, 2, "the build is green: ci/deploy-pipeline");
    const m3 = await messages.post(general, 2, "lunch?");
    await messages.post(other.channels[0].id, 1, "deploy elsewhere");
    const { key } = await attachments.saveBlob(streamOf(PNG), "png", 1024);
    await attachments.add(m3.id, key, "pic.png", PNG.length);

    const ids = async (q: string, before?: number) =>
      (await createSearchStore(sql).search(server.id, parseSearchQuery(q), { limit: 10, before }))
        .map((hit) => hit.id);
    assertEquals(await ids("deploy"), [m2.id, m1.id]);
    assertEquals(await ids("DEPLOY build"), [m2.id, m1.id]);
    assertEquals(await ids("dep"), [m2.id, m1.id], "a word is also a prefix");
    assertEquals(await ids("pipeline"), [m2.id], "punctuation splits words on both engines");
    assertEquals(await ids("café"), [m1.id]);
    assertEquals(await ids('from:"ann lee"'), [m1.id]);
    assertEquals(await ids("from:bob@x.test build"), [m2.id]);
    assertEquals(await ids("in:#random"), [m2.id]);
    assertEquals(await ids("has:file"), [m3.id]);
    assertEquals(await ids("deploy", m2.id), [m1.id], "the next page");
    assertEquals(await ids("nothing-like-it"), []);
    const [hit] = await createSearchStore(sql).search(server.id, parseSearchQuery("green"), {
      limit: 1,
    });
    assertEquals([hit.channelName, hit.authorDisplayName], ["random", "Bob"]);

    // Edits and deletes keep the index in step.
    await messages.edit(m1.id, "postponed");
    assertEquals(await ids("deploy"), [m2.id]);
    await messages.delete(m2.id);
    assertEquals(await ids("build"), []);
    assertEquals(await ids("postponed"), [m1.id]);
  },
);

testOnEngines(
  "search finds what was posted, edited and deleted before the index took it in",
  async (_t, sql) => {
    await sql.run(
      "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,0)",
      ["a@x.test", "A", "x"],
    );
    const { server, channels } = await createWorkspacesStore(sql).createServer(1, "Team");
    const messages = createMessagesStore(sql);
    const ids = async (q: string) =>
      (await createSearchStore(sql).search(server.id, parseSearchQuery(q), { limit: 500 }))
        .map((hit) => hit.id);
    const waiting = async () =>
      sql.dialect === "sqlite"
        ? Number(
          (await sql.get<{ n: number }>(
            "SELECT COUNT(*) AS n FROM messages WHERE id > (SELECT upto FROM messages_fts_state)",
          ))!.n,
        )
        : 0;
    const wholeIndex = async () => {
      // FTS5 compares the index with the messages table (so only once nothing waits): a 'delete'
      // of terms never added would fail it.
      if (sql.dialect === "sqlite") {
        await sql.run(
          "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)",
        );
      }
    };

    const edited = await messages.post(channels[0].id, 1, "first draft");
    await messages.edit(edited.id, "final wording");
    const gone = await messages.post(channels[0].id, 1, "ephemeral remark");
    await messages.delete(gone.id);
    if (sql.dialect === "sqlite") assertEquals(await waiting(), 1, "posts wait for the index");
    assertEquals(await ids("final"), [edited.id], "a search indexes what waits first");
    assertEquals(await ids("draft"), []);
    assertEquals(await ids("ephemeral"), []);
    assertEquals(await waiting(), 0);
    await wholeIndex();

    // Posts go in by batches while nobody searches: never a batch waits.
    const many = [];
    for (let i = 0; i < INDEX_BATCH * 2 + 5; i++) {
      many.push(await messages.post(channels[0].id, 1, `note w${i}z`));
      assert(await waiting() < INDEX_BATCH);
    }
    await messages.edit(many[0].id, "rewritten");
    await messages.delete(many[1].id);
    await messages.edit(many.at(-1)!.id, "latest rewritten");
    assertEquals(await ids("rewritten"), [many.at(-1)!.id, many[0].id]);
    assertEquals(await ids("w42z"), [many[42].id]);
    assertEquals(await ids("w1z"), [], "a deleted message is not found");
    assertEquals((await ids("note")).length, many.length - 3);
    await wholeIndex();
  },
);

testOnEngines(
  "createAttachmentsStore() checks content and sweeps orphans",
  async (_t, sql, dir) => {
    await sql.run(
      "INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?,?,?,0)",
      ["a@x.test", "A", "x"],
    );
    const { channels } = await createWorkspacesStore(sql).createServer(1, "Team");
    const messages = createMessagesStore(sql);
    const blobs = createFileBlobs(dir);
    const store = createAttachmentsStore(sql, blobs);
    await assertRejects(() => store.saveBlob(streamOf(PNG), "jpg", 1024), UploadContentError);
    await assertRejects(() => store.saveBlob(streamOf(new Uint8Array(2048)), "txt", 1024), Error);
    await assertRejects(() => store.saveBlob(streamOf(PNG), "png", 16), TooLargeError);
    assertEquals(await blobs.list("workspace-attachments/"), [], "refused uploads leave nothing");

    const message = await messages.post(channels[0].id, 1, "see");
    const { key } = await store.saveBlob(streamOf(PNG), "png", 1024);
    const kept = await store.add(message.id, key, "a.png", PNG.length);
    const { key: stray } = await store.saveBlob(
      streamOf(new TextEncoder().encode("hi")),
      "txt",
      1024,
    );
    assertEquals((await store.get(kept.id))?.channelId, channels[0].id);
    assertEquals([...(await store.forMessages([message.id])).keys()], [message.id]);
    assertEquals(await store.sweep(60_000), 0, "young blobs are left alone");
    assertEquals(await store.sweep(0, Date.now() + 1000), 1);
    assert(await blobs.stat(key));
    assertEquals(await blobs.stat(stray), null);
    await messages.delete(message.id);
    assertEquals(await store.get(kept.id), null);
    assertEquals(await store.sweep(0, Date.now() + 1000), 1, "a deleted message's file goes");
  },
);
