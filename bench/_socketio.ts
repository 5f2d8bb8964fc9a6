// Bench helper: Socket.IO 4 for the fan-out benches' Node peer, installed on first use.

/** Socket.IO's WebSocket path, without the polling handshake. */
export const SOCKET_IO_PATH = "/socket.io/?EIO=4&transport=websocket";
/** Where socket.io for Node lives: the ignored .bench/ folder, never the project's deps. */
export const SOCKET_IO_NODE_MODULES =
  new URL("../.bench/socketio/node_modules", import.meta.url).pathname;

/** Installs socket.io for Node into .bench/ once; false when node or npm is missing. */
export async function prepareNodeSocketIo(): Promise<boolean> {
  try {
    await Deno.stat(`${SOCKET_IO_NODE_MODULES}/socket.io`);
    return true;
  } catch { /* not installed yet */ }
  try {
    const prefix = SOCKET_IO_NODE_MODULES.replace(/\/node_modules$/, "");
    const { success } = await new Deno.Command("npm", {
      args: ["install", "--silent", "--no-save", "--prefix", prefix, "socket.io@4.8.4"],
      stdout: "null",
      stderr: "inherit",
    }).output();
    return success;
  } catch {
    return false;
  }
}
