// The smallest SSE server on Deno.serve: holds every stream open, sends one frame. For bench floors.
const port = Number(Deno.args[0]);
const open: ReadableStreamDefaultController[] = [];
const hello = new TextEncoder().encode("data: connected\n\n");
Deno.serve(
  { port, hostname: "127.0.0.1", onListen: () => console.log("ready") },
  () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(hello);
          open.push(controller);
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    ),
);
