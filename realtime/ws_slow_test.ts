// The /ws slow-consumer rule over real sockets: a client that stops reading is closed with 1013 once
// more than `queueBytes` wait for it, and one that keeps reading is never closed, however much passes.
import { assert, assertEquals } from "../tests/_assert.ts";
import { openSocket } from "../tests/_ws.ts";
import { waitFor } from "../tests/_wait.ts";
import { silentLogger } from "../log.ts";
import { createHub } from "./hub.ts";
import { createTopicTable } from "./topics.ts";
import { CLOSE_SLOW, createWsTransport } from "./ws.ts";

const QUEUE = 64 * 1024;
const encoder = new TextEncoder();

function serve() {
  const hub = createHub();
  const topics = createTopicTable();
  topics.add({ prefix: "room:", authorize: () => true });
  const ws = createWsTransport({
    hub,
    topics,
    log: silentLogger,
    features: [],
    authenticate: () => Promise.resolve(null),
    allowedOrigins: [],
    client: { basePath: "/", trustProxy: false },
    queueBytes: QUEUE,
  });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (request) => ws.upgrade(request),
  );
  return {
    hub,
    port: server.addr.port,
    async close() {
      ws.close();
      await hub.close();
      await server.shutdown();
    },
  };
}

/** A client on raw TCP that subscribes and then reads nothing until asked (`drain`). */
async function stalledClient(port: number, topic: string) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  const payload = encoder.encode(JSON.stringify({ type: "subscribe", topic }));
  // A masked text frame whose mask key is zero, so the payload goes as it is.
  const frame = new Uint8Array([0x81, 0x80 | payload.length, 0, 0, 0, 0, ...payload]);
  await conn.write(frame);
  return {
    /** Reads what the server sent, up to its close frame; returns that frame's code. */
    async drain(): Promise<number | null> {
      const buffer = new Uint8Array(64 * 1024);
      let all = new Uint8Array(0);
      let code: number | null = null;
      let n: number | null;
      // The server waits for the client's half of the close handshake, so stop at its frame.
      while (code === null && (n = await conn.read(buffer)) !== null) {
        const joined = new Uint8Array(all.length + n);
        joined.set(all);
        joined.set(buffer.subarray(0, n), all.length);
        all = joined;
        code = closeCode(all);
      }
      conn.close();
      return code;
    },
  };
}

/** The close code of the last frame in `bytes` (after the HTTP 101 head), or null. */
function closeCode(bytes: Uint8Array): number | null {
  let at = new TextDecoder().decode(bytes.subarray(0, 1024)).indexOf("\r\n\r\n") + 4;
  let code: number | null = null;
  while (at + 2 <= bytes.length) {
    let length = bytes[at + 1] & 0x7f;
    let head = 2;
    if (length === 126) (length = (bytes[at + 2] << 8) | bytes[at + 3], head = 4);
    else if (length === 127) {
      length = Number(new DataView(bytes.buffer, at + 2, 8).getBigUint64(0));
      head = 10;
    }
    if (at + head + length > bytes.length) break;
    if ((bytes[at] & 0x0f) === 8) code = (bytes[at + head] << 8) | bytes[at + head + 1];
    at += head + length;
  }
  return code;
}

Deno.test("/ws: a client that stops reading is closed with 1013 past queueBytes; a reader is not", async () => {
  const server = serve();
  const reader = await openSocket(`ws://127.0.0.1:${server.port}/ws`);
  try {
    reader.send({ type: "subscribe", topic: "room:1" });
    assertEquals((await reader.next()).type, "subscribed");
    const stalled = await stalledClient(server.port, "room:1");
    await waitFor(() => server.hub.subscriberCount("room:1") === 2);
    const text = "x".repeat(2000);
    let sent = 0;
    // Bursts of 32 KiB, half the queue, with a pause for the reader to keep up: only the stalled
    // client falls behind, once the kernel's socket buffers and the 64 KiB queue are full.
    while (server.hub.stats().dropped === 0 && sent < 20_000) {
      for (let i = 0; i < 16; i++) server.hub.publish("room:1", "tick", { n: ++sent, text });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assertEquals(server.hub.stats().dropped, 1, "the stalled client is dropped");
    assert(sent * 2000 > QUEUE, `dropped only after more than the queue was sent (${sent})`);
    assertEquals(await stalled.drain(), CLOSE_SLOW);
    // The reader got every event and is still subscribed.
    for (let n = 1; n <= sent; n++) assertEquals((await reader.next()).n, n);
    // Then 4 MiB more, 64 times the queue, in the same bursts: it keeps up, so it stays.
    const from = sent + 1;
    for (let burst = 0; burst < 128; burst++) {
      for (let i = 0; i < 16; i++) server.hub.publish("room:1", "tick", { n: ++sent, text });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (let n = from; n <= sent; n++) assertEquals((await reader.next()).n, n);
    assertEquals(server.hub.subscriberCount("room:1"), 1);
    assertEquals(server.hub.stats().dropped, 1);
  } finally {
    await reader.close();
    await server.close();
  }
});
