// A WebSocket test client that queues messages, for integration tests of /ws.

/** A WebSocket client that queues every message for `next()`. */
export async function openSocket(url: string, headers?: Record<string, string>) {
  // Deno's WebSocket takes headers (e.g. Origin, Cookie) as its second argument's `headers`.
  const socket = new WebSocket(url, { headers } as unknown as string[]);
  const queue: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  socket.onmessage = (e) => {
    queue.push(JSON.parse(e.data));
    waiters.splice(0).forEach((wake) => wake());
  };
  const closed = new Promise<CloseEvent>((resolve) => socket.addEventListener("close", resolve));
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error("WebSocket failed to open"));
  });
  return {
    socket,
    closed,
    send: (message: unknown) => socket.send(JSON.stringify(message)),
    async next(timeoutMs = 5000): Promise<Record<string, unknown>> {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (Date.now() > deadline) throw new Error("No WebSocket message in time");
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return queue.shift()!;
    },
    async close() {
      socket.close();
      await closed;
    },
  };
}
