// Server memory while clients send one 60 MiB frame to /ws: Deno buffers the whole frame
// (fastwebsockets' 64 MiB limit, not settable from Deno.upgradeWebSocket) before ws.ts sees it.
// Usage: deno run -A bench/ws_big_frame.ts [mib=60]. Bounded: loopback, 8 s per case.
import { startServer } from "../tests/_server.ts";
import { fmt, rssBytes, sleep } from "./_util.ts";

const mib = Number(Deno.args[0] ?? 60);

/** Peak resident memory of a process so far (VmHWM), in MiB. */
function peakMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(status.match(/VmHWM:\s+(\d+) kB/)![1]) / 1024;
}

async function run(kind: "text" | "binary", clients: number): Promise<string> {
  const server = await startServer();
  try {
    await sleep(500);
    const [rss0, peak0] = [rssBytes(server.pid) / 2 ** 20, peakMiB(server.pid)];
    const payload = kind === "text" ? "x".repeat(mib * 2 ** 20) : new Uint8Array(mib * 2 ** 20);
    const outcomes: string[] = [];
    const sockets = Array.from({ length: clients }, () => {
      const ws = new WebSocket(`${server.origin.replace("http", "ws")}/ws`);
      ws.onopen = () => ws.send(payload);
      ws.onmessage = (e) => outcomes.push(JSON.parse(e.data).code);
      ws.onclose = (e) => outcomes.push(`close ${e.code}`);
      ws.onerror = () => {};
      return ws;
    });
    await sleep(8000);
    const rss1 = rssBytes(server.pid) / 2 ** 20;
    for (const ws of sockets) ws.close();
    const seen = [...new Set(outcomes)].join(", ") || "nothing";
    return `${kind}, ${clients} client(s): peak +${fmt(peakMiB(server.pid) - peak0)} MiB, ` +
      `+${fmt(rss1 - rss0)} MiB 8 s later; client saw: ${seen}`;
  } finally {
    await server.close();
  }
}

console.log(`one ${mib} MiB frame per client`);
for (const [kind, clients] of [["text", 1], ["text", 4], ["binary", 1]] as const) {
  console.log(`- ${await run(kind, clients)}`);
}
