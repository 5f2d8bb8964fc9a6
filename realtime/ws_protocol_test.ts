// /ws transport rules EchoSphere's protocol needs, on a bare transport: the keep-alive (a raw TCP
// client that never answers pings is dropped; EchoSphere: 60 s, 2 s here) and the `internal` error.
import { assert, assertEquals } from "../tests/_assert.ts";
import { silentLogger } from "../log.ts";
import { createHub } from "./hub.ts";
import { createTopicTable } from "./topics.ts";
import { createWsTransport, type WsFeature } from "./ws.ts";
import { openSocket } from "../tests/_ws.ts";

/** Opens a WebSocket by hand, so nothing answers the server's pings. */
async function rawSocket(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const request = [
    "GET /ws HTTP/1.1",
    `Host: 127.0.0.1:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    "",
    "",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(request));
  return conn;
}

/** Reads until the connection ends, noting when each frame's opcode first appears. */
async function frameTimes(conn: Deno.TcpConn, start: number): Promise<Map<number, number>> {
  const seen = new Map<number, number>();
  const buffer = new Uint8Array(4096);
  let headerDone = false;
  let pending = new Uint8Array(0);
  for (;;) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    pending = new Uint8Array([...pending, ...buffer.subarray(0, n)]);
    if (!headerDone) {
      const text = new TextDecoder().decode(pending);
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) continue;
      assert(text.startsWith("HTTP/1.1 101"), text);
      headerDone = true;
      pending = pending.subarray(end + 4);
    }
    // Server frames are unmasked; the pings and the close carry short payloads.
    while (pending.length >= 2 && pending.length >= 2 + (pending[1] & 0x7f)) {
      const opcode = pending[0] & 0x0f;
      if (!seen.has(opcode)) seen.set(opcode, Date.now() - start);
      pending = pending.subarray(2 + (pending[1] & 0x7f));
    }
  }
  seen.set(-1, Date.now() - start);
  return seen;
}

Deno.test("createWsTransport() pings a silent client after half the idle timeout and drops it at the end", async () => {
  const hub = createHub();
  const ws = createWsTransport({
    hub,
    topics: createTopicTable(),
    log: silentLogger,
    features: [],
    authenticate: () => Promise.resolve(null),
    allowedOrigins: [],
    client: { basePath: "/", trustProxy: false },
    idleTimeoutSeconds: 2,
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => ws.upgrade(request),
  );
  try {
    const start = Date.now();
    const conn = await rawSocket(server.addr.port);
    // A client that does answer (Deno's WebSocket pongs by itself) outlives the timeout.
    const healthy = new WebSocket(`ws://127.0.0.1:${server.addr.port}/ws`);
    await new Promise((resolve) => (healthy.onopen = resolve));
    const times = await frameTimes(conn, start);
    conn.close();
    const ping = times.get(0x9);
    const ended = times.get(0x8) ?? times.get(-1)!;
    assert(ping !== undefined && ping >= 800 && ping < 1600, `ping after ${ping} ms`);
    assert(ended >= 1800 && ended < 3000, `dropped after ${ended} ms`);
    await new Promise((r) => setTimeout(r, 1500));
    assertEquals(healthy.readyState, WebSocket.OPEN, "a client that pongs stays");
    const closed = new Promise((resolve) => (healthy.onclose = resolve));
    healthy.close();
    await closed;
  } finally {
    ws.close();
    await server.shutdown();
    hub.close();
  }
});

Deno.test("createWsTransport() answers a handler that fails unexpectedly with internal, and goes on", async () => {
  const hub = createHub();
  const broken: WsFeature = {
    types: ["explode", "echo"],
    handle(client, message) {
      if (message.type === "explode") throw new Error("Cannot reach the database");
      client.send({ type: "echo" });
    },
  };
  const ws = createWsTransport({
    hub,
    topics: createTopicTable(),
    log: silentLogger,
    features: [broken],
    authenticate: () => Promise.resolve(null),
    allowedOrigins: [],
    client: { basePath: "/", trustProxy: false },
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => ws.upgrade(request),
  );
  try {
    const client = await openSocket(`ws://127.0.0.1:${server.addr.port}/ws`);
    client.send({ type: "explode" });
    const failed = await client.next();
    assertEquals([failed.type, failed.code], ["error", "internal"]);
    assert(!String(failed.error).includes("database"), "no internals leak to the client");
    client.send({ type: "echo" });
    assertEquals((await client.next()).type, "echo", "the socket stays usable");
    await client.close();
  } finally {
    ws.close();
    await server.shutdown();
    hub.close();
  }
});
