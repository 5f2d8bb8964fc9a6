// The servers the /ws fan-out benches compare: Roomcast (any checkout), Socket.IO 4, the bare floor.
import { type StartOptions, startServer, type TestServer } from "../tests/_server.ts";
import { api, signupUser } from "../tests/_workspaces.ts";
import { NO_POSTING_LIMIT, sleep } from "./_util.ts";
import { type FanoutTarget as Target, findPid, openRawWs, type RawWs } from "./_ws_client.ts";
import { SOCKET_IO_NODE_MODULES, SOCKET_IO_PATH } from "./_socketio.ts";

/**
 * Roomcast's `main.ts` (from `options.root`, another checkout, when given) with /ws readers. The
 * sender posts over REST (the SPA's path) or, with `post: "ws"`, over its own /ws socket as
 * EchoSphere's clients do (`{type:"message", channelId, content}`; the socket's frame limit lifted).
 */
export async function roomcast(
  name = "Roomcast",
  options: Pick<StartOptions, "root" | "denoArgs"> & { post?: "rest" | "ws" } = {},
): Promise<Target> {
  const { post = "rest", ...start } = options;
  const server: TestServer = await startServer({
    env: {
      LOG_LEVEL: "info",
      ...NO_POSTING_LIMIT,
      WS_MESSAGES_PER_SECOND: "100000",
      WS_MESSAGE_BURST: "100000",
    },
    ...start,
  });
  const user = await signupUser(server, "bench");
  const channelId = (await api(server, user, "GET", "api/bootstrap")).body
    .activeChannelId as number;
  const headers = { cookie: user.cookie, origin: server.origin };
  let inFlight = 0;
  const sender = post === "ws" ? await wsSender(server.port, headers, channelId) : null;
  return {
    name,
    pid: await findPid(server.port),
    receiver: {
      port: server.port,
      path: "/ws",
      proto: "roomcast",
      headers,
      subscribe: JSON.stringify({ type: "subscribe", channelId }),
    },
    connect: (onMessage) =>
      new Promise((resolve, reject) => {
        let subscribed = false;
        openRawWs(server.port, "/ws", headers, (text, ws) => {
          if (text.includes('"type":"message"')) onMessage(text);
          else if (text.includes('"type":"subscribed"') && !subscribed) {
            subscribed = true;
            resolve(ws);
          }
        }).then((ws) => ws.send(JSON.stringify({ type: "subscribe", channelId })), reject);
      }),
    send(content) {
      if (sender) {
        return (sender.send(JSON.stringify({ type: "message", channelId, content })), true);
      }
      // The SPA's path: REST POST; a few in flight so a slow answer does not slow the rate.
      if (inFlight >= 256) return false;
      inFlight++;
      fetch(`${server.url}api/channels/${channelId}/messages`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ content }),
      }).then((r) => r.body?.cancel()).finally(() => inFlight--);
      return true;
    },
    async close() {
      sender?.close();
      await server.close();
    },
  };
}

/** A /ws socket subscribed to the channel, to post on (it hears its own posts and drops them). */
function wsSender(port: number, headers: Record<string, string>, channelId: number) {
  return new Promise<RawWs>((resolve, reject) => {
    openRawWs(port, "/ws", headers, (text, ws) => {
      if (text.includes('"type":"subscribed"')) resolve(ws);
      else if (text.includes('"type":"error"')) console.error(`/ws sender: ${text}`);
    }).then((ws) => ws.send(JSON.stringify({ type: "subscribe", channelId })), reject);
  });
}

/** Socket.IO's wire protocol by hand (Engine.IO v4 packets), over the same raw client as Roomcast's. */
function socketIoClient(port: number, onMessage: (content: string) => void): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    openRawWs(port, SOCKET_IO_PATH, {}, (packet, ws) => {
      if (packet === "2") return ws.send("3"); // Engine.IO ping → pong
      if (packet.startsWith("0")) return ws.send("40"); // open → connect to namespace "/"
      if (packet.startsWith("40")) return ws.send('421["subscribe",{"channelId":1}]');
      if (packet.startsWith("431")) return resolve(ws); // the join's acknowledgement
      if (packet.startsWith('42["message"')) onMessage(packet);
    }).catch(reject);
  });
}

/** Runs a bench server script as a subprocess; resolves with its port once it prints `listening <port>`. */
export async function spawnServer(
  script: string,
  runtime: "deno" | "node" = "deno",
  scriptArgs: string[] = [],
) {
  const path = new URL(script, import.meta.url).pathname;
  const child = new Deno.Command(runtime === "deno" ? Deno.execPath() : "node", {
    args: runtime === "deno" ? ["run", "-A", path, ...scriptArgs] : [path, ...scriptArgs],
    env: runtime === "node" ? { NODE_PATH: SOCKET_IO_NODE_MODULES } : {},
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/listening (\d+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${script} exited`);
    text += value;
  }
  return {
    port: Number(text.match(/listening (\d+)/)![1]),
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await reader.cancel().catch(() => {});
    },
  };
}

/** The bare floor's name, which the benches divide by (a --label may start with "floor" too). */
export const FLOOR_NAME = "floor: bare Deno.upgradeWebSocket";

/**
 * A bare Deno.upgradeWebSocket broadcast: what any Deno WebSocket server pays per delivery. With
 * `durable`, each message is first inserted into SQLite with a synchronous commit (its WAL fsynced):
 * what any chat server that stores a message before sending it pays at least. With `poolSync`, the
 * WAL's fdatasync runs on Deno's blocking pool and the message is sent after it, as Roomcast does.
 */
export async function floor(
  { durable = false, poolSync = false } = {},
): Promise<Target> {
  const dir = durable ? await Deno.makeTempDir({ prefix: "rc-floor-" }) : null;
  const args = dir ? [`--durable=${dir}/floor.db`, ...(poolSync ? ["--pool-sync"] : [])] : [];
  const { port, stop } = await spawnServer("./_ws_floor_server.ts", "deno", args);
  const connect = (onText: (text: string, ws: RawWs) => void) =>
    openRawWs(port, "/", {}, onText).then((ws) => (ws.send('{"type":"subscribe"}'), ws));
  const sender = await openRawWs(port, "/", {}, () => {});
  return {
    name: !durable
      ? FLOOR_NAME
      : `durable floor: + SQLite insert, ${
        poolSync ? "WAL fdatasync on the pool" : "fsynced commit"
      }`,
    pid: await findPid(port),
    receiver: { port, path: "/", proto: "floor", subscribe: '{"type":"subscribe"}' },
    connect: (onMessage) =>
      new Promise((resolve, reject) => {
        let subscribed = false;
        connect((text, ws) => {
          if (text.includes('"type":"message"')) onMessage(text);
          else if (!subscribed) (subscribed = true, resolve(ws));
        }).catch(reject);
      }),
    send(content) {
      sender.send(JSON.stringify({ type: "message", content }));
      return true;
    },
    async close() {
      sender.close();
      await stop();
      if (dir) await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Socket.IO 4.8.4 on Deno (with one SQLite insert per message) or on Node (`label`: its version). */
export async function socketIo(runtime: "deno" | "node", label: string): Promise<Target> {
  const script = runtime === "deno" ? "./ws_fanout_socketio.ts" : "./ws_fanout_socketio_node.cjs";
  const { port, stop } = await spawnServer(script, runtime);
  const sender = await openRawWs(port, SOCKET_IO_PATH, {}, (packet, ws) => {
    if (packet === "2") ws.send("3");
    else if (packet.startsWith("0")) ws.send("40");
  });
  await sleep(300);
  return {
    name: `Socket.IO 4.8.4 on ${label}`,
    pid: await findPid(port),
    receiver: { port, path: SOCKET_IO_PATH, proto: "socketio" },
    connect: (onMessage) => socketIoClient(port, onMessage),
    send(content) {
      sender.send(`42${JSON.stringify(["message", { channelId: 1, content }])}`);
      return true;
    },
    async close() {
      sender.close();
      await stop();
    },
  };
}

/** Node's version string (`v20.20.2`), for the Socket.IO row's name. */
export async function nodeVersion(): Promise<string> {
  const out = await new Deno.Command("node", { args: ["--version"] }).output();
  return new TextDecoder().decode(out.stdout).trim();
}
