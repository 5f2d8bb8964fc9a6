// Two real servers on one redis-server (REDIS_URL), each with its own data dir: live events and
// resume cross from one instance to the other.
import { assertEquals } from "./_assert.ts";
import { uploadTinyPng } from "./_images.ts";
import { startRedis } from "./_redis.ts";
import { startServer } from "./_server.ts";
import { readSse, sseReader } from "./_sse.ts";

Deno.test("REDIS_URL: an image upload on instance A reaches a viewer on B; B's event resumes on A", async () => {
  const redis = await startRedis();
  const env = { REDIS_URL: redis.url, LOG_LEVEL: "info" };
  const [a, b] = await Promise.all([startServer({ env }), startServer({ env })]);
  try {
    // The room must exist on both (each has its own data dir); the events are shared.
    await uploadTinyPng(a, "lobby", 1);
    await uploadTinyPng(b, "lobby", 2);
    const viewer = sseReader(await fetch(`${b.url}lobby/events`));
    assertEquals((await viewer.next())?.data, "connected");
    await uploadTinyPng(a, "lobby", 3);
    const fromA = await viewer.next();
    assertEquals(fromA?.data, "updated", "A's upload reached B's viewer");
    await uploadTinyPng(b, "lobby", 4);
    const fromB = await viewer.next();
    assertEquals([fromB?.data, Number(fromB?.id)], ["updated", Number(fromA?.id) + 1]);
    await viewer.close();

    // A viewer that last saw A's event reconnects to A and gets B's, once.
    const resumed = await fetch(`${a.url}lobby/events`, {
      headers: { "last-event-id": fromA!.id! },
    });
    const frames = await readSse(resumed, 3, 1500);
    assertEquals(frames.map((f) => [f.data, f.id]), [["connected", undefined], [
      "updated",
      fromB!.id,
    ]]);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await redis.stop();
  }
});
