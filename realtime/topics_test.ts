// The topic table across the whole app, in process (createApp on a temporary data dir) so the hub's
// stats() can be read: names nobody owns never become hub topics, over SSE or /ws.
import { join } from "node:path";
import { assertEquals } from "../tests/_assert.ts";
import { openSocket } from "../tests/_ws.ts";
import { startApp as startTestApp } from "../tests/_app.ts";
import { readSse } from "../tests/_sse.ts";
import type { HubOptions } from "./hub.ts";

/** The app in process (tests/_app.ts), served on a port for its sockets and streams. */
async function startApp(hub: HubOptions = {}) {
  const app = await startTestApp({ hub, admins: null });
  return Object.assign(app, { url: app.listen() });
}

Deno.test("topics: SSE for rooms, sessions and streams that do not exist is a 404 and makes no topic", async () => {
  const app = await startApp();
  try {
    const paths = [
      ...Array.from({ length: 200 }, (_, i) => `room-${i}-${crypto.randomUUID()}/events`),
      "api/v1/sessions/anon/ABCDEFGHJK/events",
      "api/rooms/nope/events",
    ];
    for (const path of paths) {
      const response = await fetch(app.url + path);
      assertEquals(response.status, 404, path);
      assertEquals(typeof (await response.json()).error, "string");
    }
    assertEquals((await (await fetch(app.url + "x-1/events")).json()).error, "Room not found");
    assertEquals(app.hub.stats().topics, 0);
    assertEquals(
      (await (await fetch(app.url + "api/image-rooms")).json()).rooms,
      [],
      "no room was listed either",
    );
  } finally {
    await app.close();
  }
});

Deno.test("topics: /ws image: subscriptions need a room that exists; one made by hand counts", async () => {
  const app = await startApp();
  const client = await openSocket(app.url.replace("http", "ws") + "ws");
  try {
    client.send({ type: "subscribe", topic: "image:wall" });
    assertEquals((await client.next()).code, "forbidden");
    client.send({ type: "subscribe", topic: "image:" + "a".repeat(5000) });
    assertEquals((await client.next()).code, "forbidden");
    assertEquals(app.hub.stats().topics, 0);

    // imgcast users create rooms by hand: a folder with a .htpasswd is a room.
    await Deno.mkdir(join(app.dataDir, "rooms", "wall"), { recursive: true });
    await Deno.writeTextFile(join(app.dataDir, "rooms", "wall", ".htpasswd"), "");
    client.send({ type: "subscribe", topic: "image:wall" });
    assertEquals((await client.next()).type, "subscribed");
    assertEquals(app.hub.stats().topics, 1);
    const events = await fetch(app.url + "wall/events");
    assertEquals(events.status, 200);
    await events.body?.cancel();
  } finally {
    await client.close();
    await app.close();
  }
});

Deno.test("topics: every feature's namespace is in the one table, with its history size", async () => {
  const app = await startApp();
  try {
    const prefixes = [
      "image:",
      "code:",
      "stream:",
      "streams",
      "channel:",
      "workspace:",
      "account:",
    ];
    for (const prefix of prefixes) {
      assertEquals(app.topics.find(prefix + (prefix.endsWith(":") ? "x" : ""))?.prefix, prefix);
    }
    assertEquals(app.topics.history("code:ABC"), 32);
    assertEquals(app.topics.history("image:wall"), 256);
    assertEquals(app.topics.find("secret:x"), undefined);
  } finally {
    await app.close();
  }
});

Deno.test("topics: code session history stays under the hub's byte budget (10 sessions × 32 × 256 KiB)", async () => {
  const MiB = 1024 * 1024;
  const app = await startApp({ historyBytes: 8 * MiB });
  const api = `${app.url}api/v1/sessions/anon`;
  const token = "t0ken-for-tests";
  try {
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const made = await fetch(api, {
        method: "POST",
        body: JSON.stringify({ creator_token: token, display_name: `s${i}` }),
      });
      codes.push((await made.json()).session_code);
    }
    const content = "x".repeat(256 * 1024 - 64);
    for (let n = 0; n < 32; n++) {
      await Promise.all(codes.map(async (code) => {
        const pushed = await fetch(`${api}/${code}/snippets`, {
          method: "POST",
          headers: { authorization: token },
          body: JSON.stringify({ file_name: "big.txt", content }),
        });
        await pushed.body?.cancel();
        assertEquals(pushed.status, 201);
      }));
    }
    const stats = app.hub.stats();
    // Without a budget: 320 snippets, 80 MiB, kept until each session ends.
    assertEquals(stats.historyBytes <= 8 * MiB, true, `${stats.historyBytes} bytes kept`);
    assertEquals(stats.historyEvents >= 30 && stats.historyEvents <= 32, true, "the newest fit");
    // The newest still replay to a client resuming just before them.
    const since = await app.hub.lastId(`code:${codes[9]}`) - 3;
    const sse = await fetch(`${api}/${codes[9]}/events`, {
      headers: { "last-event-id": String(since) },
    });
    const replayed = await readSse(sse, 3);
    assertEquals(replayed.map((f) => f.event), ["snippet", "snippet", "snippet"]);
  } finally {
    await app.close();
  }
});
