// The Socket.IO 4 side of bench/ws_fanout.ts on Node.js, the runtime StreamCircle used.
// Run by the bench: NODE_PATH=.bench/socketio/node_modules node bench/ws_fanout_socketio_node.cjs
// Node 20 has no built-in SQLite, so this server does less per message than Roomcast (no insert):
// any difference favours Socket.IO.
const { createServer } = require("node:http");
const { Server } = require("socket.io");

let nextId = 0;
const http = createServer();
const io = new Server(http, { transports: ["websocket"], serveClient: false });
io.on("connection", (socket) => {
  socket.on("subscribe", (body, ack) => {
    socket.join(`channel:${body.channelId}`);
    if (typeof ack === "function") ack();
  });
  socket.on("message", (body) => {
    const at = Date.now();
    io.to(`channel:${body.channelId}`).emit("message", {
      id: ++nextId,
      channelId: body.channelId,
      authorEmail: "sender@example.test",
      authorDisplayName: "sender",
      content: body.content,
      createdAt: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
  });
});
http.listen(0, "127.0.0.1", () => console.log(`listening ${http.address().port}`));
const stop = () => io.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
