// Two Roomcast instances on one PostgreSQL, one Redis and one bucket, behind the README's nginx:
// issue 13's acceptance, end to end, with real engines and real processes.
import { assert, assertEquals } from "./_assert.ts";
import { call as codeCall, createSession } from "./_code_client.ts";
import { tinyPng } from "./_images.ts";
import { djangoToken, SECRET as MEDIA_SECRET } from "./_media.ts";
import { freePort, startNginx, type TestNginx } from "./_nginx.ts";
import { startPostgres } from "./_postgres.ts";
import { startRedis, type TestRedis } from "./_redis.ts";
import { startS3 } from "./_s3.ts";
import { basic, startServer, type TestServer } from "./_server.ts";
import { followSse } from "./_sse.ts";
import { ADMIN_TOKEN, api as streamApi, publishRtmp } from "./_streams.ts";
import { waitFor } from "./_wait.ts";
import { openSocket } from "./_ws.ts";
import { api, signupUser, type TestUser } from "./_workspaces.ts";

type Socket = Awaited<ReturnType<typeof openSocket>>;

/** The README's one `nginx` block with the test's ports (ops/nginx_test.ts checks it as written). */
function readmeNginx(readme: string, upstreams: number[], port: number): string {
  let config = [...readme.matchAll(/```nginx\n([\s\S]*?)```/g)][0][1];
  config = config.replace("127.0.0.1:8081", `127.0.0.1:${upstreams[0]}`);
  config = config.replace("127.0.0.1:8082", `127.0.0.1:${upstreams[1]}`);
  return config.replace(/\blisten 80;/, `listen 127.0.0.1:${port};`);
}

interface Cluster {
  /** Instances A and B, in the order of their upstream lines. */
  servers: TestServer[];
  /** nginx in front of both, as a client target (`url`, `origin`). */
  edge: { url: string; origin: string };
  redis: TestRedis;
  /** Starts instance `i` again on its port (after it was killed). */
  restart(i: number): Promise<TestServer>;
  stop(): Promise<void>;
}

async function startCluster(): Promise<Cluster> {
  const [pg, redis, s3] = await Promise.all([startPostgres(), startRedis(), startS3()]);
  const databaseUrl = await pg.createDatabase();
  // One DATA_DIR for both, as a shared volume: only the htpasswd files are read from it.
  const dataDir = await Deno.makeTempDir({ prefix: "roomcast-cluster-" });
  const ports = [freePort(), freePort()];
  const start = (port: number) =>
    startServer({
      dataDir,
      env: {
        ...s3.env,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        PORT: String(port),
        INSTANCE_URL: `http://127.0.0.1:${port}/`,
        SERVER_ADMIN_TOKEN: ADMIN_TOKEN,
        MEDIA_SERVER_SECRET: MEDIA_SECRET,
        TRUST_PROXY: "1",
      },
    });
  // One after the other: the first migrates, the second finds the schema (both would be safe).
  const servers = [await start(ports[0]), await start(ports[1])];
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const nginx = await startNginx((port) => readmeNginx(readme, ports, port));
  const edge: TestNginx = nginx;
  return {
    servers,
    edge: { url: edge.url, origin: new URL(edge.url).origin },
    redis,
    async restart(i) {
      await servers[i].close();
      servers[i] = await start(ports[i]);
      return servers[i];
    },
    async stop() {
      await nginx.stop();
      await Promise.all(servers.map((server) => server.close()));
      await Promise.all([pg.stop(), redis.stop(), s3.stop()]);
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Open WebSockets on one instance, from its /metrics. */
async function openSockets(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}metrics`)).text();
  const line = text.split("\n").find((l) =>
    l.startsWith('roomcast_open_connections{transport="websocket"}')
  );
  return Number(line?.split(" ")[1] ?? 0);
}

async function subscribed(server: { url: string }, user: TestUser, channelId: number) {
  const url = server.url.replace(/^http/, "ws") + "ws";
  const socket = await openSocket(url, { cookie: user.cookie, origin: new URL(server.url).origin });
  socket.send({ type: "subscribe", channelId });
  await nextOf(socket, "subscribed");
  return socket;
}

async function nextOf(socket: Socket, type: string, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = await socket.next(Math.max(1, deadline - Date.now()));
    if (message.type === type) return message;
  }
}

async function upload(base: string, room: string, seed: number) {
  const form = new FormData();
  form.append("image", new Blob([tinyPng(seed) as BlobPart]), "x.png");
  const response = await fetch(`${base}${room}/upload`, {
    method: "POST",
    body: form,
    headers: { authorization: basic("admin", "adminpw") },
  });
  await response.body?.cancel();
  assertEquals(response.status, 200);
}

Deno.test("scale-out: two instances on Postgres, Redis and S3 behind nginx share everything", async (t) => {
  const cluster = await startCluster();
  try {
    const [a, b] = cluster.servers;
    const edge = cluster.edge;
    const ada = await signupUser(a, "ada");
    const bob = await signupUser(b, "bob");
    const channelId = Number((await api(a, ada, "GET", "api/bootstrap")).body.activeChannelId);

    await t.step("a chat message posted through A reaches /ws clients on B", async () => {
      const onB = await subscribed(b, bob, channelId);
      const posted = await api(a, ada, "POST", `api/channels/${channelId}/messages`, {
        content: "across instances",
      });
      assertEquals(posted.status, 201);
      const got = await nextOf(onB, "message");
      assertEquals((got.message as { content: string }).content, "across instances");
      await onB.close();
    });

    // imgcast's stream: `data: connected`, then `data: updated` with the hub's id per upload.
    await t.step("an SSE viewer on B gets A's upload; Last-Event-ID resumes on B", async () => {
      await upload(a.url, "wall", 1); // creates the room (the admin's first upload)
      const viewer = await followSse(`${b.url}wall/events`);
      await viewer.waitFor((f) => f.data === "connected");
      await upload(a.url, "wall", 2);
      const first = await viewer.waitFor((f) => f.data === "updated");
      await viewer.close();
      // Two more on A while nobody follows; B resumes after the first without a gap.
      await upload(a.url, "wall", 3);
      await upload(a.url, "wall", 4);
      const resumed = await followSse(`${b.url}wall/events`, { "last-event-id": first.id! });
      await waitFor(() => resumed.frames.filter((f) => f.data === "updated").length >= 2 || null);
      const ids = resumed.frames.filter((f) => f.data === "updated").map((f) => Number(f.id));
      assertEquals(ids, [Number(first.id) + 1, Number(first.id) + 2]);
      await resumed.close();
    });

    await t.step(
      "an image uploaded through A is served by B; media and code are shared",
      async () => {
        const live = await fetch(`${b.url}wall/live`);
        assertEquals(live.status, 200);
        assertEquals(new Uint8Array(await live.arrayBuffer()), tinyPng(4));
        const meta = await (await fetch(`${b.url}wall/meta`)).json();
        assertEquals(meta.recent.length, 4, "the history strip, as B reads it");
        const image = await fetch(new URL(meta.recent[3].url, b.url));
        assertEquals(new Uint8Array(await image.arrayBuffer()), tinyPng(1));
        const form = new FormData();
        form.append("file", new Blob([tinyPng(9) as BlobPart]), "cat.png");
        const saved = await fetch(`${a.url}upload?token=${await djangoToken()}`, {
          method: "POST",
          body: form,
        });
        assertEquals(saved.status, 200);
        const { filename } = await saved.json();
        const lists = await Promise.all(
          [a, b].map(async (s) => await (await fetch(`${s.url}media`)).json()),
        );
        assertEquals(lists[0].images.map((i: { filename: string }) => i.filename), [filename]);
        const names = (list: { count: number; images: { filename: string }[] }) => [
          list.count,
          list.images.map((image) => image.filename),
        ];
        assertEquals(names(lists[1]), names(lists[0]), "media listed the same on both");
        const file = await fetch(`${b.url}media/${filename}`);
        assertEquals(new Uint8Array(await file.arrayBuffer()), tinyPng(9));
        const { code } = await createSession(a);
        const joins = await Promise.all(
          Array.from(
            { length: 25 },
            (_, i) =>
              codeCall(i % 2 ? b : a, "POST", `/${code}/join`, { body: { display_name: `p${i}` } }),
          ),
        );
        assertEquals(
          joins.filter((r) => r.status === 201).length,
          20,
        );
        assertEquals(joins.filter((r) => r.status === 403).length, 5);
      },
    );

    await t.step("a stream published over RTMP to A plays through B's /hls/", async () => {
      const rtmpPort = Number((await a.waitForLog(/^RTMP listening$/)).port);
      const { body: room } = await streamApi(a.url, "POST", "api/rooms", {
        body: { name: "Film" },
      });
      const publisher = publishRtmp(rtmpPort, room.streamKey, 6);
      try {
        const playlist = await waitFor(async () => {
          const r = await fetch(`${b.url}hls/${room.playbackId}/index.m3u8`);
          const text = await r.text();
          return r.ok && text.includes("#EXT") ? text : null;
        }, { timeoutMs: 20_000 });
        assert(playlist.startsWith("#EXTM3U"));
      } finally {
        await publisher.stop();
      }
    });

    await t.step(
      "kill -9 an instance: the other's clients see nothing; its own resume on the other",
      async () => {
        const direct = [await subscribed(a, bob, channelId), await subscribed(b, bob, channelId)];
        const viaEdge = await subscribed(edge, ada, channelId);
        // The instance nginx gave the socket to is the one to kill.
        const victim = (await openSockets(a)) === 2 ? 0 : 1;
        const survivor = cluster.servers[1 - victim];
        const posted = await api(edge, ada, "POST", `api/channels/${channelId}/messages`, {
          content: "acknowledged before the crash",
        });
        assertEquals(posted.status, 201);
        const seen = await nextOf(viaEdge, "message");
        await nextOf(direct[1 - victim], "message");
        Deno.kill(cluster.servers[victim].pid, "SIGKILL");
        await waitFor(() => !cluster.servers[victim].running() || null);
        await viaEdge.closed;
        // Posted while the victim is down: the reconnecting client must get it on resume.
        await api(survivor, bob, "POST", `api/channels/${channelId}/messages`, {
          content: "during",
        });
        const live = await nextOf(direct[1 - victim], "message");
        assertEquals((live.message as { content: string }).content, "during", "survivor's client");
        const again = await subscribedSince(edge, ada, channelId, seen.eventId as number);
        const contents = again.map((m) => (m.message as { content: string }).content);
        assertEquals(contents, ["during"], "resumed through nginx: exactly what was missed");
        const history = await api(survivor, bob, "GET", `api/channels/${channelId}/messages`);
        const stored = JSON.stringify(history.body);
        assert(
          stored.includes("acknowledged before the crash"),
          "the acknowledged message is stored",
        );
        await direct[1 - victim].close();
        direct[victim].socket.close();
        await cluster.restart(victim);
      },
    );

    await t.step(
      "Redis restarts: live delivery resumes within 5 s, nothing stored is lost",
      async () => {
        const onB = await subscribed(b, bob, channelId);
        await cluster.redis.down();
        await cluster.redis.up();
        const started = Date.now();
        const delivered = await waitFor(async () => {
          await api(cluster.servers[0], ada, "POST", `api/channels/${channelId}/messages`, {
            content: `after restart ${Date.now()}`,
          });
          const message = await nextOf(onB, "message", 500).catch(() => null);
          return message;
        }, { timeoutMs: 10_000 });
        assert(delivered, "a message after the restart");
        assert(Date.now() - started < 5000, `resumed in ${Date.now() - started} ms`);
        const history = await api(b, bob, "GET", `api/channels/${channelId}/messages`);
        assert(JSON.stringify(history.body).includes("across instances"), "stored messages kept");
        await onB.close();
      },
    );
  } finally {
    await cluster.stop();
  }
});

/** Subscribes again (as a reconnecting client) from `since`; returns the replayed messages. */
async function subscribedSince(
  server: { url: string; origin: string },
  user: TestUser,
  channelId: number,
  since: number,
) {
  const url = server.url.replace(/^http/, "ws") + "ws";
  const socket = await waitFor(
    () =>
      openSocket(url, { cookie: user.cookie, origin: new URL(server.url).origin }).catch(() =>
        null
      ),
    { timeoutMs: 10_000 },
  );
  socket.send({ type: "subscribe", channelId, since });
  const messages: Record<string, unknown>[] = [];
  for (;;) {
    const message = await socket.next(8000);
    if (message.type === "message") messages.push(message);
    if (message.type === "subscribed") break;
  }
  // Replay arrives before the ack; give a live straggler a moment too.
  const extra = await socket.next(300).catch(() => null);
  if (extra?.type === "message") messages.push(extra);
  await socket.close();
  return messages;
}
