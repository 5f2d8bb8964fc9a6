// Connection floods against the real server over real TCP: descriptor exhaustion and slowloris.
import { assert, assertEquals } from "./_assert.ts";
import { tinyGif } from "./_images.ts";
import { basic, startServer, type TestServer } from "./_server.ts";
import { openSocket } from "./_ws.ts";

const encoder = new TextEncoder();

/** Opens up to `n` TCP connections that never send a byte; refused ones are skipped. */
async function openIdle(port: number, n: number): Promise<Deno.TcpConn[]> {
  const conns: Deno.TcpConn[] = [];
  for (let i = 0; i < n; i++) {
    try {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    } catch { /* refused while the server listens again */ }
  }
  return conns;
}

function closeAll(conns: Deno.Conn[]): void {
  for (const conn of conns) {
    try {
      conn.close();
    } catch { /* closed by the server already */ }
  }
}

/** Resolves true when every connection was closed by the server within `ms`, else false. */
async function allClosedWithin(conns: Deno.Conn[], ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  const closed = Promise.all(conns.map(closedByServer)).then(() => true);
  try {
    return await Promise.race([closed, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when the peer closes `conn` (read gives EOF or fails). */
async function closedByServer(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(1024);
  try {
    while (await conn.read(buf) !== null) { /* a 400 or nothing, then EOF */ }
  } catch { /* reset: closed as well */ }
}

/** GET /healthz on a fresh connection each try, until 200 or `withinMs`; the milliseconds it took. */
async function healthyWithin(server: TestServer, withinMs: number): Promise<number> {
  const started = performance.now();
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    while (performance.now() - started < withinMs) {
      try {
        const res = await fetch(`${server.url}healthz`, {
          client,
          signal: AbortSignal.timeout(500),
        });
        await res.body?.cancel();
        if (res.status === 200) return performance.now() - started;
      } catch { /* refused, reset or timed out: try again */ }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`/healthz did not answer 200 within ${withinMs} ms`);
  } finally {
    client.close();
  }
}

Deno.test("more idle connections than the open-file limit: the server stays up and serves", async () => {
  const server = await startServer({ nofile: 256 });
  let conns: Deno.TcpConn[] = [];
  try {
    conns = await openIdle(server.port, 400);
    await server.waitForLog(/^HTTP accept failed/, 5000);
    assert(server.running(), "the process is alive after accept failed");
    // The drop closed the idle connections it held, so /healthz answers during the flood too.
    await healthyWithin(server, 5000);
    closeAll(conns);
    conns = [];
    await healthyWithin(server, 5000);
    assert(server.running());
  } finally {
    closeAll(conns);
    await server.close();
  }
});

Deno.test("connections trickling a request head are closed once descriptors pass MAX_CONNECTIONS", async () => {
  const server = await startServer({ env: { MAX_CONNECTIONS: "100" } });
  const conns: Deno.TcpConn[] = [];
  let trickling = true;
  try {
    for (let i = 0; i < 300; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      await conn.write(encoder.encode("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
      conns.push(conn);
    }
    const trickle = (async () => {
      while (trickling) {
        for (const conn of conns) await conn.write(encoder.encode("X-Slow: 1\r\n")).catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    const closed = await allClosedWithin(conns, 5000);
    trickling = false;
    await trickle;
    assert(closed, "all 300 trickling connections closed by the server within 5 s");
    await healthyWithin(server, 2000);
  } finally {
    trickling = false;
    closeAll(conns);
    await server.close();
  }
});

Deno.test("dropping idle connections keeps SSE streams and closes WebSockets with 1001", async () => {
  const server = await startServer({ env: { MAX_CONNECTIONS: "120" } });
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  const upload = async () => {
    const form = new FormData();
    form.append("image", new Blob([tinyGif() as BlobPart]), "a.gif");
    const post = () =>
      fetch(`${server.url}drain/upload`, {
        method: "POST",
        body: form,
        headers: { authorization: basic("admin", "adminpw") },
        client,
      });
    // A drop refuses connections for the 2-3 ms until the port is bound again; clients retry.
    const res = await post().catch(() => new Promise((r) => setTimeout(r, 50)).then(post));
    assertEquals(res.status, 200);
    await res.body?.cancel();
  };
  let conns: Deno.TcpConn[] = [];
  try {
    await upload();
    const events = await fetch(`${server.url}drain/events`, { client });
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    assert((await reader.read()).value?.includes("connected"), "the SSE greeting");
    const socket = await openSocket(`${server.origin.replace("http", "ws")}/ws`);

    conns = await openIdle(server.port, 150);
    await server.waitForLog(/^Too many open descriptors/, 5000);
    assertEquals((await socket.closed).code, 1001);
    assert(await allClosedWithin(conns, 5000), "the idle connections were closed");
    await upload();
    const timer = setTimeout(() => reader.cancel(), 5000);
    let text = "";
    while (!text.includes("data: updated")) {
      const { value, done } = await reader.read();
      assert(!done, "the SSE stream stays open after the drop and gets the next event");
      text += value;
    }
    clearTimeout(timer);
    await reader.cancel();
    const again = await openSocket(`${server.origin.replace("http", "ws")}/ws`);
    await again.close();
  } finally {
    closeAll(conns);
    client.close();
    await server.close();
  }
});
