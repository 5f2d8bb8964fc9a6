// /metrics against the real server: its token, bounded route labels, transports, hub and RTMP figures.
import { assert, assertEquals } from "../tests/_assert.ts";
import { startServer } from "../tests/_server.ts";
import { ADMIN_TOKEN, api, publishRtmp } from "../tests/_streams.ts";
import { followSse } from "../tests/_sse.ts";
import { openSocket } from "../tests/_ws.ts";
import { waitFor } from "../tests/_wait.ts";
import { createMetrics } from "./metrics.ts";

/** The samples of one scrape as `name{labels}` → value. */
async function scrape(url: string, token?: string): Promise<Map<string, number>> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const response = await fetch(`${url}metrics`, { headers });
  assertEquals(response.status, 200);
  assert(response.headers.get("content-type")!.startsWith("text/plain; version=0.0.4"));
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    const match = /^([a-z_:]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1], Number(match[2]));
  }
  return samples;
}

const withName = (samples: Map<string, number>, prefix: string) =>
  [...samples.keys()].filter((key) => key.startsWith(prefix));

Deno.test("/metrics: 10,000 distinct paths leave the route label set as it was", async () => {
  const server = await startServer();
  try {
    const paths = (i: number) => [`room${i}/live`, `nope/${i}/deeper/${i}`, `api/x${i}`];
    for (let i = 0; i < 30; i++) {
      for (const path of paths(i)) await (await fetch(server.url + path)).body?.cancel();
    }
    const series = (s: Map<string, number>) =>
      withName(s, "roomcast_http_request_duration_seconds_count");
    const before = series(await scrape(server.url));
    // 10,000 more in batches of 25 at once, so the test stays a few seconds on a loaded machine.
    for (let i = 30; i < 30 + 10_000 / 3; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, (_, j) => paths(i + j)).flat().map(async (path) => {
          await (await fetch(server.url + path)).body?.cancel();
        }),
      );
    }
    const after = await scrape(server.url);
    // The scrape above itself is the only new series: GET /metrics 200.
    assertEquals(series(after).filter((s) => !before.includes(s)), [
      'roomcast_http_request_duration_seconds_count{method="GET",route="/metrics",status="200"}',
    ]);
    assert(series(after).every((s) => !/room\d|x\d|nope/.test(s)), series(after).join("\n"));
    const live =
      'roomcast_http_request_duration_seconds_count{method="GET",route="/:room/live",status="404"}';
    assert(after.get(live)! >= 3000, `${live} ${after.get(live)}`);
  } finally {
    await server.close();
  }
});

Deno.test("/metrics: METRICS_TOKEN is asked for as a Bearer token", async () => {
  const server = await startServer({ env: { METRICS_TOKEN: "s3cret-scrape-token" } });
  try {
    for (
      const authorization of [undefined, "Bearer wrong", "Basic czNjcmV0", "s3cret-scrape-token"]
    ) {
      const response = await fetch(`${server.url}metrics`, {
        headers: authorization ? { authorization } : {},
      });
      assertEquals([response.status, await response.json()], [401, { error: "Unauthorized" }]);
      assertEquals(response.headers.get("www-authenticate"), 'Bearer realm="metrics"');
    }
    assert((await scrape(server.url, "s3cret-scrape-token")).has("roomcast_hub_topics"));
  } finally {
    await server.close();
  }
});

Deno.test("/metrics: open SSE and WebSocket connections, hub topics, subscribers and deliveries", async () => {
  const server = await startServer();
  // Internal topics (the community removal relay) are there from the start: counted from here.
  const base = await scrape(server.url);
  const create = await fetch(`${server.url}api/v1/sessions/anon`, {
    method: "POST",
    body: JSON.stringify({ creator_token: "metrics-token", display_name: "Metrics" }),
  });
  const { session_code: code } = await create.json();
  const sse = await followSse(`${server.url}api/v1/sessions/anon/${code}/events`);
  const ws = await openSocket(`${server.url.replace("http", "ws")}ws`);
  try {
    ws.send({ type: "subscribe", topic: `code:${code}` });
    await ws.next();
    // Joining announces the watcher count (code_watchers.ts): let those deliveries land first.
    let before = await scrape(server.url);
    for (let settled = 0; settled < 3;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = await scrape(server.url);
      const same = now.get("roomcast_hub_deliveries_total") ===
        before.get("roomcast_hub_deliveries_total");
      settled = same ? settled + 1 : 0;
      before = now;
    }
    assertEquals(before.get('roomcast_open_connections{transport="sse"}'), 1);
    assertEquals(before.get('roomcast_open_connections{transport="websocket"}'), 1);
    // This scrape is the one plain HTTP exchange in flight.
    assertEquals(before.get('roomcast_open_connections{transport="http"}'), 1);
    assertEquals(before.get("roomcast_hub_topics")! - base.get("roomcast_hub_topics")!, 1);
    const subscribers = (s: typeof base) => s.get("roomcast_hub_subscribers")!;
    assertEquals(subscribers(before) - subscribers(base), 2);
    assertEquals(before.get("roomcast_hub_drops_total"), 0);
    for (let i = 0; i < 3; i++) {
      const push = await fetch(`${server.url}api/v1/sessions/anon/${code}/snippets`, {
        method: "POST",
        headers: { authorization: "metrics-token" },
        body: JSON.stringify({ file_name: "a.ts", content: `let a = ${i};` }),
      });
      assertEquals(push.status, 201);
    }
    await sse.waitFor((f) => f.event === "snippet" && f.data.includes("let a = 2"));
    const after = await scrape(server.url);
    // Three snippets, each to both subscribers.
    const delivered = after.get("roomcast_hub_deliveries_total")! -
      before.get("roomcast_hub_deliveries_total")!;
    assertEquals(delivered, 6);
  } finally {
    await ws.close();
    sse.close();
    await server.close();
  }
});

Deno.test("/metrics: an RTMP publisher, its bitrate, its connection and the ffmpeg it runs", async () => {
  // The ffmpeg packager, whose process this counts (the default packager runs none per stream).
  const server = await startServer({
    env: { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, STREAM_PACKAGER: "ffmpeg" },
  });
  const port = Number((await server.waitForLog(/^RTMP listening$/)).port);
  const { body: room } = await api(server.url, "POST", "api/rooms", { body: { name: "Metered" } });
  const publisher = publishRtmp(port, room.streamKey, 30, { videoKbps: 800 });
  try {
    const live = await waitFor(async () => {
      const samples = await scrape(server.url);
      const video = samples.get(
        `roomcast_rtmp_publisher_bitrate_bits{room="${room.slug}",track="video"}`,
      );
      return video && video > 0 ? samples : null;
    }, { what: "a live publisher's bitrate" });
    assertEquals(live.get("roomcast_rtmp_publishers"), 1);
    assertEquals(live.get('roomcast_open_connections{transport="rtmp"}'), 1);
    const video = live.get(
      `roomcast_rtmp_publisher_bitrate_bits{room="${room.slug}",track="video"}`,
    )!;
    assert(video > 200_000 && video < 3_000_000, `video ${video} b/s for 800 kb/s CBR`);
    // STREAM_PACKAGER=ffmpeg: one ffmpeg packages the publish into HLS.
    assert(live.get("roomcast_ffmpeg_processes")! >= 1, `${live.get("roomcast_ffmpeg_processes")}`);
    await publisher.stop();
    const gone = await waitFor(async () => {
      const samples = await scrape(server.url);
      return samples.get("roomcast_rtmp_publishers") === 0 ? samples : null;
    }, { what: "the publisher gone from /metrics" });
    assertEquals(withName(gone, "roomcast_rtmp_publisher_bitrate_bits"), []);
    assertEquals(gone.get('roomcast_open_connections{transport="rtmp"}'), 0);
  } finally {
    await publisher.stop();
    await server.close();
  }
});

Deno.test("createMetrics() exposes engine errors as counters from the first scrape", async () => {
  const metrics = createMetrics();
  const first = await metrics.scrape();
  assert(first.text.includes('roomcast_engine_errors_total{engine="redis"} 0'), first.text);
  metrics.engineErrors.count("redis");
  metrics.engineErrors.count("redis");
  metrics.engineErrors.count("storage");
  const { text } = await metrics.scrape();
  assert(text.includes('roomcast_engine_errors_total{engine="redis"} 2'), text);
  assert(text.includes('roomcast_engine_errors_total{engine="storage"} 1'), text);
  assert(text.includes('roomcast_engine_errors_total{engine="database"} 0'), text);
});
