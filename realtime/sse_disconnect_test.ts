// SSE's disconnect rule over a real Deno.serve listener and raw TCP viewers: a viewer that leaves
// ends its stream and hub subscription, with no `request.signal` listener (see EventStream).
import { assert, assertEquals } from "../tests/_assert.ts";
import { createHub } from "./hub.ts";
import { createSseTransport, jsonFormat } from "./sse.ts";
import { createTopicTable } from "./topics.ts";

const encoder = new TextEncoder();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A transport on a real listener; `decideMs` delays the namespace's answer. */
function serveSse(decideMs = 0) {
  const hub = createHub();
  const topics = createTopicTable();
  topics.add({
    prefix: "t",
    authorize: () => decideMs ? pause(decideMs).then(() => true) : true,
  });
  // A heartbeat far away: nothing is written to an idle stream while the test runs.
  const sse = createSseTransport(hub, topics, { heartbeatMs: 600_000 });
  let closed = 0;
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (request) =>
      sse.respond("t", request, { format: jsonFormat, greeting: "hi", onClose: () => closed++ }),
  );
  return {
    hub,
    sse,
    closed: () => closed,
    port: server.addr.port,
    async stop() {
      sse.close();
      await server.shutdown();
    },
  };
}

/** A raw TCP viewer: sends the request; with `read`, waits for the greeting too. */
async function viewer(port: number, read: boolean): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode("GET /t HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const buffer = new Uint8Array(1024);
  let text = "";
  while (read && !text.includes("data: hi")) {
    const got = await conn.read(buffer);
    assert(got !== null, "the stream closed before its greeting");
    text += new TextDecoder().decode(buffer.subarray(0, got));
  }
  return conn;
}

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (!condition() && performance.now() < until) await pause(20);
}

Deno.test("SSE: viewers that close their sockets end their streams and subscriptions, nothing written", async () => {
  const server = serveSse();
  try {
    const conns = await Promise.all(Array.from({ length: 50 }, () => viewer(server.port, true)));
    assertEquals(server.sse.size, 50);
    assertEquals(server.hub.subscriberCount("t"), 50);
    for (const conn of conns) conn.close();
    await waitFor(() => server.sse.size === 0, 3000);
    assertEquals(server.sse.size, 0, "every stream ended");
    assertEquals(server.hub.subscriberCount("t"), 0, "every subscription ended");
    assertEquals(server.closed(), 50, "onClose once per stream");
  } finally {
    await server.stop();
  }
});

Deno.test("SSE: a viewer gone while the namespace decides is ended once its response is made", async () => {
  const server = serveSse(300);
  try {
    const conns = await Promise.all(Array.from({ length: 20 }, () => viewer(server.port, false)));
    await pause(50);
    for (const conn of conns) conn.close();
    await pause(300);
    await waitFor(() => server.closed() === 20, 3000);
    assertEquals(server.sse.size, 0);
    assertEquals(server.hub.subscriberCount("t"), 0);
    assertEquals(server.closed(), 20, "onClose once per stream");
  } finally {
    await server.stop();
  }
});

/** A request that counts reads of its `signal`: each read on Deno.serve's requests costs memory. */
class CountingRequest extends Request {
  signalReads = 0;
  override get signal(): AbortSignal {
    this.signalReads++;
    return super.signal;
  }
}

Deno.test("SSE: a held stream keeps no request.signal listener (an AbortSignal and a pending op per viewer)", async () => {
  const hub = createHub();
  const topics = createTopicTable();
  topics.add({ prefix: "t", authorize: () => true });
  const sse = createSseTransport(hub, topics);
  const request = new CountingRequest("http://x/t");
  const response = await sse.respond("t", request, { format: jsonFormat });
  assertEquals(request.signalReads, 0);
  assertEquals(sse.size, 1);
  await response.body!.cancel();
  assertEquals([sse.size, hub.subscriberCount("t")], [0, 0], "cancelling the body ends it");
  sse.close();
});
