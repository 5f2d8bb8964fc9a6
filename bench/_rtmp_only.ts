// Bench helper: Roomcast's RTMP listener alone in its own process, keys `k0`..`k<n-1>`, for CPU/RSS.
// Usage: deno run -A bench/_rtmp_only.ts <hlsDir> <keys> [roomcast|ffmpeg]   (prints {"port": N})
import { startRtmpServer } from "../rtmp/listener.ts";

const [hlsDir, count = "10", packager = "ffmpeg"] = Deno.args;
const rooms = new Map(
  Array.from(
    { length: Number(count) },
    (_, i) => [`k${i}`, { slug: `s${i}`, playbackId: `p${i}` }],
  ),
);
const server = await startRtmpServer({
  hostname: "127.0.0.1",
  port: 0,
  hlsDir,
  packager: packager === "roomcast" ? "roomcast" : "ffmpeg",
  rooms: {
    lookup: (key) => Promise.resolve(rooms.get(key) ?? null),
    onLive() {},
    onOffline() {},
  },
  // Every publisher of the bench comes from 127.0.0.1; the default cap is 4 per IP.
  maxConnectionsPerIp: 64,
  log: (level, msg, fields) =>
    level !== "debug" && console.error(JSON.stringify({ level, msg, ...fields })),
});
console.log(JSON.stringify({ port: server.port }));
Deno.addSignalListener("SIGTERM", async () => {
  await server.close();
  Deno.exit(0);
});
