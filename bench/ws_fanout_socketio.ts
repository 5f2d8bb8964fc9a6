// The Socket.IO 4 side of bench/ws_fanout.ts: the same channel fan-out StreamCircle's stack would do.
// Run by the bench as a subprocess: deno run -A bench/ws_fanout_socketio.ts  (prints "listening <port>").
import { createServer } from "node:http";
import { DatabaseSync } from "node:sqlite";
import { Server } from "socket.io";

// Same work per message as Roomcast: one SQLite insert (WAL), then one broadcast to the room.
const dir = Deno.makeTempDirSync({ prefix: "sio-bench-" });
const db = new DatabaseSync(`${dir}/bench.db`);
db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
db.exec(
  "CREATE TABLE messages (id INTEGER PRIMARY KEY, channel_id INTEGER, content TEXT, created_at INTEGER)",
);
const insert = db.prepare(
  "INSERT INTO messages (channel_id, content, created_at) VALUES (?, ?, ?) RETURNING id",
);

const http = createServer();
const io = new Server(http, { transports: ["websocket"], serveClient: false });
io.on("connection", (socket) => {
  socket.on("subscribe", (body: { channelId: number }, ack?: () => void) => {
    socket.join(`channel:${body.channelId}`);
    ack?.();
  });
  socket.on("message", (body: { channelId: number; content: string }) => {
    const at = Date.now();
    const { id } = insert.get(body.channelId, body.content, at) as { id: number };
    io.to(`channel:${body.channelId}`).emit("message", {
      id,
      channelId: body.channelId,
      authorEmail: "sender@example.test",
      authorDisplayName: "sender",
      content: body.content,
      createdAt: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
  });
});
http.listen(0, "127.0.0.1", () => {
  const address = http.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
});
const stop = () => {
  io.close();
  db.close();
  Deno.removeSync(dir, { recursive: true });
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
