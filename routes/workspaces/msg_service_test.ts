// The message features' post path on both engines: plain posts share the group commit; a post with
// mentions or a reply lands with them in one transaction.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { testOnEngines } from "../../tests/_store_engines.ts";
import { ECHOSPHERE_MESSAGE_KEYS } from "../../tests/_workspaces.ts";
import { channelOf, countingCommits } from "../../tests/_commits.ts";
import { createMessageExtrasStore } from "../../storage/workspace_message_extras_store.ts";
import { createMessagesStore } from "../../storage/workspace_messages_store.ts";
import { createWorkspacesStore } from "../../storage/workspaces_store.ts";
import { createMessageFeatures } from "./msg_service.ts";
import type { Param, Sql } from "../../storage/sql.ts";

/** The message features over `sql`, with no access rules or hub, and `channelId` as a text channel. */
function postingOn(sql: Sql, channelId: number) {
  const features = createMessageFeatures(
    {
      sql,
      workspaces: createWorkspacesStore(sql),
      messages: createMessagesStore(sql),
      extras: createMessageExtrasStore(sql),
      hub: { publish() {} },
    },
    { channelFor: () => Promise.reject(), textChannel: () => Promise.reject() },
    { channel: (id) => `channel:${id}`, account: (id) => `account:${id}` },
  );
  const channel = { id: channelId, serverId: 1, name: "general", kind: "text" as const };
  return { features, channel: channel as never };
}

testOnEngines(
  "createMessageFeatures().post() sends 50 plain posts made together through one commit",
  async (_t, db) => {
    const channelId = await channelOf(db);
    const { sql, counts } = countingCommits(db);
    const { features, channel } = postingOn(sql, channelId);
    const plain = { replyTo: null, mentions: [] };
    const posted = await Promise.all(
      Array.from({ length: 50 }, (_, i) => features.post(channel, 1, `m${i}`, plain)),
    );
    assert(counts.commits <= 2, `50 plain posts took ${counts.commits} commits`);
    assertEquals(new Set(posted.map((m) => m.id)).size, 50);
    // With a mention, the post and its mention row are one transaction of their own.
    const before = counts.commits;
    const mentioned = await features.post(channel, 1, "hi <@1>", {
      replyTo: null,
      mentions: [1],
    });
    assertEquals(counts.commits - before, 1, JSON.stringify(counts));
    assertEquals(mentioned.content, "hi <@1>");
    assertEquals(mentioned.mentions?.map((m) => m.id), [1], "a mention is decorated");
  },
);

testOnEngines(
  "createMessageFeatures().post() reads nothing back for a plain post",
  async (_t, db) => {
    const channelId = await channelOf(db);
    const reads: string[] = [];
    const sql = {
      ...db,
      all: <T>(text: string, params?: readonly Param[]) => {
        reads.push(text);
        return db.all<T>(text, params);
      },
    } as Sql;
    const { features, channel } = postingOn(sql, channelId);
    const posted = await features.post(channel, 1, "plain", {
      replyTo: null,
      mentions: [],
    });
    // EchoSphere's object, and no reply, mention, reaction or pin lookup for a message just made.
    assertEquals(Object.keys(posted).sort(), ECHOSPHERE_MESSAGE_KEYS);
    assertEquals(reads, []);
  },
);
