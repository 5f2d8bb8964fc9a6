// The README's nginx block, run as written in front of two real servers: HTTP, SSE and /ws through it.
import { assert, assertEquals } from "../tests/_assert.ts";
import { uploadTinyPng } from "../tests/_images.ts";
import { startNginx } from "../tests/_nginx.ts";
import { startServer, type TestServer } from "../tests/_server.ts";
import { followSse } from "../tests/_sse.ts";
import { openSocket } from "../tests/_ws.ts";

/** The README's one `nginx` block. */
async function readmeNginx(): Promise<string> {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const blocks = [...readme.matchAll(/```nginx\n([\s\S]*?)```/g)].map((m) => m[1]);
  assertEquals(blocks.length, 1, "the README has one nginx example");
  return blocks[0];
}

/** `config` with the test's ports for the documented ones, and nothing else changed. */
function withPorts(config: string, upstreams: number[], port: number): string {
  for (const [documented, actual] of [["8081", upstreams[0]], ["8082", upstreams[1]]]) {
    assert(config.includes(`127.0.0.1:${documented}`), `upstream ${documented} in the README`);
    config = config.replace(`127.0.0.1:${documented}`, `127.0.0.1:${actual}`);
  }
  assert(/\blisten 80;/.test(config), "listen 80 in the README");
  return config.replace(/\blisten 80;/, `listen 127.0.0.1:${port};`);
}

/** How many `GET /healthz` an instance answered, from its own /metrics. */
async function healthzCount(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}metrics`)).text();
  const line = text.split("\n").find((l) =>
    l.startsWith('roomcast_http_request_duration_seconds_count{method="GET",route="/healthz"')
  );
  return Number(line?.split(" ")[1] ?? 0);
}

Deno.test("nginx with the README's config balances two instances for HTTP, SSE and /ws", async () => {
  const env = { TRUST_PROXY: "1" };
  const servers = await Promise.all([startServer({ env }), startServer({ env })]);
  const config = await readmeNginx();
  const cleanup: (() => Promise<void> | void)[] = [];
  const proxy = await startNginx((port) => withPorts(config, servers.map((s) => s.port), port))
    .catch(async (error) => {
      await Promise.all(servers.map((server) => server.close()));
      throw error;
    });
  try {
    // The same room on both instances (each has its own storage until the shared engines are set).
    for (const server of servers) await uploadTinyPng(server, "lobby", 1);

    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${proxy.url}healthz`);
      assertEquals([response.status, await response.json()], [200, {
        status: "ok",
        service: "Roomcast",
      }]);
    }
    const counts = await Promise.all(servers.map(healthzCount));
    assert(counts.every((n) => n > 0), `both upstreams reached: ${counts}`);
    assertEquals(counts[0] + counts[1], 20);

    const sse = await followSse(`${proxy.url}lobby/events`);
    cleanup.push(() => sse.close());
    await sse.waitFor((f) => f.data === "connected", 5000);
    const ws = await openSocket(`${proxy.url.replace("http", "ws")}ws`, {
      origin: proxy.url.slice(0, -1),
    });
    cleanup.push(() => ws.close());
    ws.send({ type: "subscribe", topic: "image:lobby" });
    assertEquals((await ws.next()).type, "subscribed");

    // Whichever instance each landed on, an upload to both reaches them at once, unbuffered.
    for (const server of servers) await uploadTinyPng(server, "lobby", 2);
    await sse.waitFor((f) => f.data === "updated", 5000);
    const event = await ws.next();
    assertEquals([event.type, event.topic], ["updated", "image:lobby"]);
  } catch (error) {
    console.error(await proxy.errors());
    throw error;
  } finally {
    for (const close of cleanup.reverse()) await close();
    await proxy.stop();
    await Promise.all(servers.map((server) => server.close()));
  }
});
