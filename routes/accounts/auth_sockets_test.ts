// Ending a session closes its /ws sockets (4401) against the real server: logout, sign out
// everywhere, and expiry.
import { serverSql } from "../../tests/_store_engines.ts";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { openSocket } from "../../tests/_ws.ts";
import { api, sessionCookie, signupUser, type TestUser, wsUrl } from "../../tests/_workspaces.ts";

type Socket = Awaited<ReturnType<typeof openSocket>>;

const connect = (server: TestServer, user: TestUser) =>
  openSocket(wsUrl(server), { origin: server.origin, cookie: user.cookie });

async function nextOf(socket: Socket, type: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) {
    const message = await socket.next();
    if (message.type === type) return message;
  }
  throw new Error(`No ${type} message`);
}

/** A second session for `user`, as another device would log in. */
async function loginAgain(server: TestServer, user: TestUser, password = "correct horse") {
  const response = await fetch(`${server.url}api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.origin },
    body: JSON.stringify({ email: user.email, password }),
  });
  await response.body?.cancel();
  assertEquals(response.status, 200);
  return { ...user, cookie: sessionCookie(response)! };
}

/** The close event, or a failure naming how long we waited. */
async function closedWithin(socket: Socket, ms: number): Promise<CloseEvent> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Socket still open after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([socket.closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A bare WebSocket over TCP that writes frames whatever it has been sent: the one way to be sure
 * a frame is written after the server has started closing (a browser drops it once it sees the
 * close frame).
 */
async function rawSocket(server: TestServer, user: TestUser) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const request = [
    `GET ${new URL(wsUrl(server)).pathname} HTTP/1.1`,
    `Host: 127.0.0.1:${server.port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
    `Origin: ${server.origin}`,
    `Cookie: ${user.cookie}`,
  ].join("\r\n") + "\r\n\r\n";
  await conn.write(new TextEncoder().encode(request));
  const head = new Uint8Array(4096);
  const n = (await conn.read(head)) ?? 0;
  assert(/^HTTP\/1\.1 101/.test(new TextDecoder().decode(head.subarray(0, n))), "upgraded");
  return {
    /** Writes one masked text frame (payload under 126 bytes); false when the server hung up. */
    async send(message: unknown): Promise<boolean> {
      const payload = new TextEncoder().encode(JSON.stringify(message));
      const mask = crypto.getRandomValues(new Uint8Array(4));
      const frame = new Uint8Array([0x81, 0x80 | payload.length, ...mask, ...payload]);
      for (let i = 0; i < payload.length; i++) frame[6 + i] ^= mask[i % 4];
      return await conn.write(frame).then(() => true, () => false);
    },
    close: () => conn.close(),
  };
}

async function setup(server: TestServer) {
  const ada = await signupUser(server, "ada");
  const bob = await signupUser(server, "bob");
  const boot = await api(server, ada, "GET", "api/bootstrap");
  return { ada, bob, general: boot.body.activeChannelId as number };
}

Deno.test("auth: logout closes that session's sockets with 4401 at once, and refuses their messages", async () => {
  const server = await startServer();
  const sockets: Socket[] = [];
  try {
    const { ada, bob, general } = await setup(server);
    const adaPhone = await loginAgain(server, ada);
    const [a, aPhone, b] = [
      await connect(server, ada),
      await connect(server, adaPhone),
      await connect(server, bob),
    ];
    sockets.push(a, aPhone, b);
    const raw = await rawSocket(server, ada);
    for (const s of sockets) {
      s.send({ type: "subscribe", channelId: general });
      await nextOf(s, "subscribed");
    }
    await raw.send({ type: "subscribe", channelId: general });

    const logout = await api(server, ada, "POST", "api/auth/logout");
    assertEquals(logout.status, 200);
    const started = performance.now();
    // Written after the logout, whatever close frame is on its way: the server must not post it.
    await raw.send({ type: "message", channelId: general, content: "after logout" });
    const closed = await closedWithin(a, 1000);
    assertEquals(closed.code, 4401);
    console.log(`closed ${(performance.now() - started).toFixed(0)} ms after logout`);
    raw.close();

    aPhone.send({ type: "message", channelId: general, content: "from the phone" });
    const posted = (await nextOf(b, "message")).message as { content: string };
    assertEquals(posted.content, "from the phone", "other sessions stay");
    const history = await api(server, bob, "GET", `api/channels/${general}/messages`);
    const contents = (history.body.messages as { content: string }[]).map((m) => m.content);
    assertEquals(contents, ["from the phone"], "the message after logout was refused");
    assertEquals(aPhone.socket.readyState, WebSocket.OPEN);
  } finally {
    for (const s of sockets) await s.close();
    await server.close();
  }
});

Deno.test("auth: POST /api/auth/logout-all ends every session and closes every socket of the account", async () => {
  const server = await startServer();
  const sockets: Socket[] = [];
  try {
    const { ada, bob } = await setup(server);
    const adaPhone = await loginAgain(server, ada);
    const [a, aPhone, b] = [
      await connect(server, ada),
      await connect(server, adaPhone),
      await connect(server, bob),
    ];
    sockets.push(a, aPhone, b);
    const all = await api(server, adaPhone, "POST", "api/auth/logout-all");
    assertEquals([all.status, all.body], [200, { ok: true, sessionsEnded: 2 }]);
    assertEquals((await closedWithin(a, 1000)).code, 4401);
    assertEquals((await closedWithin(aPhone, 1000)).code, 4401);
    for (const user of [ada, adaPhone]) {
      assertEquals((await api(server, user, "GET", "api/auth/me")).status, 401);
    }
    assertEquals((await api(server, bob, "GET", "api/auth/me")).status, 200);
    assertEquals(b.socket.readyState, WebSocket.OPEN, "another account's socket stays");
    assertEquals((await api(server, null, "POST", "api/auth/logout-all")).status, 401);
  } finally {
    for (const s of sockets) await s.close();
    await server.close();
  }
});

Deno.test("auth: a session that expires closes its sockets with 4401", async () => {
  const server = await startServer();
  const sockets: Socket[] = [];
  try {
    const { ada, bob } = await setup(server);
    const [a, b] = [await connect(server, ada), await connect(server, bob)];
    sockets.push(a, b);
    // Thirty days pass for ada's session only.
    const db = await serverSql(server);
    try {
      const changed = await db.run("UPDATE sessions SET expires_at = ? WHERE user_id = ?", [
        Date.now() - 1,
        ada.id,
      ]);
      assertEquals(changed, 1);
    } finally {
      await db.close();
    }
    const closed = await closedWithin(a, 12_000);
    assertEquals([closed.code, closed.reason], [4401, "Session expired"]);
    assert(b.socket.readyState === WebSocket.OPEN, "a live session's socket stays");
  } finally {
    for (const s of sockets) await s.close();
    await server.close();
  }
});
