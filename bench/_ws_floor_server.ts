// The smallest channel fan-out on Deno.upgradeWebSocket, for the /ws fan-out benches' floor: no hub,
// no auth, no storage; a text message from one socket is re-sent to every other socket.
// With `--durable=PATH`, the smallest durable one: each message is first inserted into a SQLite table
// in PATH (node:sqlite, WAL, synchronous=FULL: the commit fsyncs the WAL on this thread) and only
// then sent, as a chat server must do before it acknowledges a post. No session, no channel check.
// With `--pool-sync` as well, the commit only writes the WAL (synchronous=NORMAL) and the message
// is sent once `FsFile.syncData` of the WAL resolves on Deno's blocking pool: Roomcast's way.
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: { durable: { type: "string" }, "pool-sync": { type: "boolean", default: false } },
});
let insert: ((content: string, createdAt: string) => number) | null = null;
let wal: Deno.FsFile | null = null;
if (values.durable) {
  const db = new DatabaseSync(values.durable);
  const synchronous = values["pool-sync"] ? "NORMAL" : "FULL";
  db.exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=${synchronous}`);
  db.exec(`CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, channel_id INTEGER NOT NULL,
    author TEXT NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL)`);
  const statement = db.prepare(
    "INSERT INTO messages (channel_id, author, content, created_at) VALUES (1, 'sender', ?, ?) RETURNING id",
  );
  insert = (content, createdAt) => (statement.get(content, createdAt) as { id: number }).id;
  if (values["pool-sync"]) {
    wal = await Deno.open(`${values.durable}-wal`, { read: true });
  }
}

const sockets = new Set<WebSocket>();
Deno.serve({
  port: 0,
  hostname: "127.0.0.1",
  onListen: ({ port }) => console.log(`listening ${port}`),
}, (request) => {
  const { socket, response } = Deno.upgradeWebSocket(request);
  let id = 0;
  socket.onmessage = (e) => {
    const message = JSON.parse(e.data);
    if (message.type === "subscribe") {
      sockets.add(socket);
      return socket.send('{"type":"subscribed"}');
    }
    const createdAt = new Date().toISOString();
    const text = JSON.stringify({
      id: insert ? insert(message.content, createdAt) : ++id,
      channelId: 1,
      authorEmail: "sender@example.test",
      authorDisplayName: "sender",
      content: message.content,
      createdAt,
      type: "message",
    });
    const fanOut = () => {
      for (const other of sockets) if (other !== socket) other.send(text);
    };
    if (wal) wal.syncData().then(fanOut);
    else fanOut();
  };
  socket.onclose = () => sockets.delete(socket);
  return response;
});
