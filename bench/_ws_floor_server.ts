// The smallest channel fan-out on Deno.upgradeWebSocket, for bench/ws_fanout.ts's floor: no hub,
// no auth, no storage; a text message from one socket is re-sent to every other socket.
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
    const text = JSON.stringify({
      id: ++id,
      channelId: 1,
      authorEmail: "sender@example.test",
      authorDisplayName: "sender",
      content: message.content,
      createdAt: new Date().toISOString(),
      type: "message",
    });
    for (const other of sockets) if (other !== socket) other.send(text);
  };
  socket.onclose = () => sockets.delete(socket);
  return response;
});
