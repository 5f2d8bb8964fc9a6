// Memory a client without an account could make the hub hold, against the real server process:
// long topic names, code session history, and topics kept after everyone left.
import { assert, assertEquals } from "../tests/_assert.ts";
import { startServer, type TestServer } from "../tests/_server.ts";
import { uploadTinyPng as upload } from "../tests/_images.ts";
import { openSocket } from "../tests/_ws.ts";
import { memoryOf } from "../tests/_media.ts";

const wsUrl = (server: TestServer) => server.url.replace(/^http/, "ws") + "ws";
const rssMiB = async (server: TestServer) => (await memoryOf(server.pid)).rssKb / 1024;
/** The hub's topic count, as /metrics tells it. */
async function hubTopics(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("roomcast_hub_topics "));
  assert(line, "/metrics has roomcast_hub_topics");
  return Number(line.split(" ")[1]);
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Random hex text; a long one repeats a random 4 KB chunk behind a unique prefix. */
function randomText(length: number): string {
  const hex = (n: number) =>
    Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, "0"))
      .join("");
  const chunk = hex(2048);
  return (hex(16) + chunk.repeat(Math.ceil(length / chunk.length))).slice(0, length);
}

Deno.test("topics: image: 6,000 refused subscriptions with 30 KB names fit in a 96 MiB heap", async () => {
  // RSS only says how far V8 let the heap grow before collecting (seen from +25 to +50 MiB here
  // for the same garbage). A capped old space says what is kept: the 180 MB of names below pass
  // through it, and had the hub kept them (as before the topic table) the server would die.
  const server = await startServer({ denoArgs: ["--v8-flags=--max-old-space-size=96"] });
  // Each round: 20 sockets × 10 refused subscribes (the message rate limit's burst) × 30 KB.
  const round = async () => {
    const sockets = await Promise.all(Array.from({ length: 20 }, () => openSocket(wsUrl(server))));
    for (const socket of sockets) {
      for (let i = 0; i < 10; i++) {
        socket.send({ type: "subscribe", topic: `image:${randomText(30_000)}` });
      }
    }
    for (const socket of sockets) {
      for (let i = 0; i < 10; i++) assertEquals((await socket.next()).code, "forbidden");
      await socket.close();
    }
  };
  try {
    await round();
    const topicsBefore = await hubTopics(server);
    const before = await rssMiB(server);
    for (let i = 0; i < 30; i++) await round();
    await pause(300);
    assertEquals(await hubTopics(server), topicsBefore, "no refused name became a topic");
    console.log(`RSS ${before.toFixed(1)} → ${(await rssMiB(server)).toFixed(1)} MiB`);
    // Still alive, and still answering.
    await upload(server, "alive", 1);
    const client = await openSocket(wsUrl(server));
    client.send({ type: "subscribe", topic: "image:alive" });
    assertEquals((await client.next()).eventId, 1);
    await client.close();
  } finally {
    await server.close();
  }
});

Deno.test("topics: anonymous code session creation is limited per address (429 in CodeCast's shape)", async () => {
  const server = await startServer();
  const create = () =>
    fetch(`${server.url}api/v1/sessions/anon`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ creator_token: "t0ken-for-tests", display_name: "Load" }),
    });
  try {
    for (let i = 0; i < 10; i++) {
      const made = await create();
      await made.body?.cancel();
      assertEquals(made.status, 201, `session ${i + 1} of the burst`);
    }
    const refused = await create();
    assertEquals(refused.status, 429);
    assert(Number(refused.headers.get("retry-after")) > 0, "Retry-After names seconds");
    assertEquals(Object.keys(await refused.json()), ["error"]);
    const other = await fetch(`${server.url}api/v1/sessions/anon/ABCDEFGHJK`);
    assertEquals(other.status, 404, "only creation is limited");
    await other.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("topics: a topic nobody follows is evicted after HUB_IDLE_TOPIC_SECONDS; a resume then refetches", async () => {
  const server = await startServer({ env: { HUB_IDLE_TOPIC_SECONDS: "1" } });
  try {
    await upload(server, "wall", 1);
    const client = await openSocket(wsUrl(server));
    client.send({ type: "subscribe", topic: "image:wall" });
    assertEquals((await client.next()).eventId, 1);
    await upload(server, "wall", 2);
    await upload(server, "wall", 3);
    assertEquals([(await client.next()).eventId, (await client.next()).eventId], [2, 3]);
    await client.close();

    // Within the TTL a resume replays what was missed.
    const soon = await openSocket(wsUrl(server));
    soon.send({ type: "subscribe", topic: "image:wall", since: 2 });
    assertEquals([(await soon.next()).eventId, (await soon.next()).type], [3, "subscribed"]);
    await soon.close();

    await pause(1500);
    const late = await openSocket(wsUrl(server));
    late.send({ type: "subscribe", topic: "image:wall", since: 1 });
    const reset = await late.next();
    assertEquals([reset.type, reset.eventId], ["reset", 3]);
    assertEquals((await late.next()).type, "subscribed");
    await upload(server, "wall", 4);
    assertEquals((await late.next()).eventId, 4, "ids go on after the eviction");
    await late.close();
  } finally {
    await server.close();
  }
});
