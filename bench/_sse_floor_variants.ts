// The smallest held streaming responses, one kind per run, for bench/sse_memory.ts: where the
// memory of an open SSE stream on Deno goes. Run: deno run -A _sse_floor_variants.ts KIND PORT
// `GET /mem` answers this process's Deno.memoryUsage() as JSON (sent after the streams are open).
import { createServer } from "node:http";
// Kind `before`: the same over another checkout's realtime/ (the SSE_BEFORE folder), to compare a
// change with what it replaced in one run.
const realtime = Deno.args[0] === "before"
  ? `file://${Deno.env.get("SSE_BEFORE")}/realtime`
  : new URL("../realtime", import.meta.url).href;
const { createHub } = await import(`${realtime}/hub.ts`) as typeof import("../realtime/hub.ts");
const { createSseTransport, jsonFormat } = await import(
  `${realtime}/sse.ts`
) as typeof import("../realtime/sse.ts");
const { createTopicTable } = await import(
  `${realtime}/topics.ts`
) as typeof import("../realtime/topics.ts");

const [kind] = Deno.args;
const hello = new TextEncoder().encode("data: connected\n\n");
const held: unknown[] = [];
const sseHeaders = { "content-type": "text/event-stream" };
// Roomcast's own SSE path (hub subscriber, stream state, heartbeat set) without HTTP routing.
const topics = createTopicTable();
topics.add({ prefix: "room:", authorize: () => true });
const sse = createSseTransport(createHub(), topics);
// GREETING_BYTES pads the greeting, as stream rooms send their room list as one: what a held
// stream keeps of it.
const greeting = "connected" + " ".repeat(Number(Deno.env.get("GREETING_BYTES") ?? 0));

/** The response for one viewer, by kind; every kind sends `hello` and keeps the stream open. */
function respond(request: Request): Response | Promise<Response> {
  switch (kind) {
    case "transport": // realtime/sse.ts over the in-process hub, as image rooms use it
    case "before":
      return sse.respond("room:1", request, { format: jsonFormat, greeting });
    case "stream": // the default ReadableStream, as Roomcast and most SSE helpers make it
      return new Response(
        new ReadableStream({ start: (c) => (c.enqueue(hello), held.push(c)) }),
        { headers: sseHeaders },
      );
    case "signal": // `stream`, plus a listener on the request's abort signal
      request.signal.addEventListener("abort", () => {}, { once: true });
      return new Response(
        new ReadableStream({ start: (c) => (c.enqueue(hello), held.push(c)) }),
        { headers: sseHeaders },
      );
    case "bytes": // a byte stream
      return new Response(
        new ReadableStream({
          type: "bytes",
          start: (c) => (c.enqueue(hello.slice()), held.push(c)),
        }),
        { headers: sseHeaders },
      );
    case "hwm0": // no queue at all
      return new Response(
        new ReadableStream({ start: (c) => (c.enqueue(hello), held.push(c)) }, {
          highWaterMark: 0,
        }),
        { headers: sseHeaders },
      );
    case "transform": // a TransformStream's readable, written through its writer
    {
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
      const writer = writable.getWriter();
      writer.write(hello);
      held.push(writer);
      return new Response(readable, { headers: sseHeaders });
    }
    case "async": // `stream`, but the handler's promise resolves it a tick later (an async route)
      return Promise.resolve().then(() =>
        new Response(
          new ReadableStream({ start: (c) => (c.enqueue(hello), held.push(c)) }),
          { headers: sseHeaders },
        )
      );
    case "queue256k": // `stream` with realtime/sse.ts's queuing strategy (256 KiB by bytes)
      return new Response(
        new ReadableStream({ start: (c) => (c.enqueue(hello), held.push(c)) }, {
          highWaterMark: 256 * 1024,
          size: (chunk: Uint8Array) => chunk.byteLength,
        }),
        { headers: sseHeaders },
      );
    case "url": // `stream`, after reading the request's URL and a header as lastEventId() does
      held.push(new URL(request.url).searchParams.get("x"), request.headers.get("last-event-id"));
      return new Response(
        new ReadableStream({ start: (c) => (c.enqueue(hello), held.push(c)) }),
        { headers: sseHeaders },
      );
    case "request": // `url` and `signal` and `queue256k` in one: what the transport asks of Deno
      held.push(new URL(request.url).searchParams.get("x"), request.headers.get("last-event-id"));
      request.signal.addEventListener("abort", () => {}, { once: true });
      return new Response(
        new ReadableStream({ start: (c) => (c.enqueue(hello), held.push(c)) }, {
          highWaterMark: 256 * 1024,
          size: (chunk: Uint8Array) => chunk.byteLength,
        }),
        { headers: sseHeaders },
      );
    case "pending": // no response yet: the request alone, held open
      return new Promise<Response>((resolve) => held.push(resolve));
    default:
      throw new Error(`Unknown kind ${kind}`);
  }
}

const memory = () => new Response(JSON.stringify(Deno.memoryUsage()));

if (kind === "node") {
  // node:http in Deno, for comparison: the same stream on Deno's Node compatibility layer.
  const server = createServer((req, res) => {
    if (req.url === "/mem") return res.end(JSON.stringify(Deno.memoryUsage()));
    res.writeHead(200, sseHeaders);
    res.write(hello);
    held.push(res);
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    console.log(`ready ${typeof address === "object" ? address?.port : address}`);
  });
} else {
  Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: ({ port }) => console.log(`ready ${port}`) },
    (request) => new URL(request.url).pathname === "/mem" ? memory() : respond(request),
  );
}
