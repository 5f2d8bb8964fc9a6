// Connection floods against the real server under a low open-file limit: idle connections,
// slowloris (heads trickled), slowloris that reconnects, and slowloris through nginx.
// Usage: deno run -A bench/connections.ts [nofile=1024] [conns=1300] [seconds=30]
// Bounded: loopback only, each scenario stops after `seconds`.
import { join } from "node:path";
import { startServer, type TestServer } from "../tests/_server.ts";
import { fmt, percentile, sleep } from "./_util.ts";

const [nofile, conns, seconds] = [1024, 1300, 30].map((d, i) => Number(Deno.args[i] ?? d));
const encoder = new TextEncoder();
const HEAD = encoder.encode("GET /healthz HTTP/1.1\r\nHost: x\r\n");
const LINE = encoder.encode("X-Slow: 1\r\n");

/** Probes GET /healthz on a fresh connection every 200 ms until `stop`; 500 ms timeout each. */
async function probe(url: string, stop: () => boolean) {
  const times: number[] = [];
  let failed = 0;
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  while (!stop()) {
    const t0 = performance.now();
    try {
      const res = await fetch(`${url}healthz`, { client, signal: AbortSignal.timeout(500) });
      await res.body?.cancel();
      if (res.status === 200) times.push(performance.now() - t0);
      else failed++;
    } catch {
      failed++;
    }
    await sleep(200);
  }
  client.close();
  times.sort((a, b) => a - b);
  const total = times.length + failed;
  return `${times.length}/${total} ok, p50 ${fmt(percentile(times, 50))} ms, p99 ${
    fmt(percentile(times, 99))
  } ms`;
}

/** One slowloris connection: trickles a head line every second; ms until the server closed it. */
async function slow(port: number, deadline: number, reconnect: boolean): Promise<number[]> {
  const closedAfter: number[] = [];
  while (performance.now() < deadline) {
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(HEAD);
    } catch {
      await sleep(100);
      continue;
    }
    const opened = performance.now();
    let closed = false;
    const reading = (async () => {
      const buf = new Uint8Array(512);
      try {
        while (await conn.read(buf) !== null) { /* until EOF */ }
      } catch { /* reset */ }
      closed = true;
    })();
    while (!closed && performance.now() < deadline) {
      await sleep(1000);
      await conn.write(LINE).catch(() => closed = true);
    }
    if (closed) closedAfter.push(performance.now() - opened);
    try {
      conn.close();
    } catch { /* closed */ }
    await reading;
    if (!reconnect) break;
  }
  return closedAfter;
}

async function slowloris(server: TestServer, port: number, reconnect: boolean) {
  let stop = false;
  const probing = probe(server.url, () => stop);
  const deadline = performance.now() + seconds * 1000;
  const all = await Promise.all(
    Array.from({ length: conns }, () => slow(port, deadline, reconnect)),
  );
  stop = true;
  const closes = all.flat().sort((a, b) => a - b);
  const heldWhole = all.filter((c) => c.length === 0).length;
  return `${heldWhole}/${conns} held the whole ${seconds} s; ${closes.length} closes by the server, ` +
    `after p50 ${fmt(percentile(closes, 50) / 1000)} s, max ${fmt(closes.at(-1)! / 1000)} s; ` +
    `/healthz ${await probing}; alive ${server.running()}`;
}

async function idleFlood(server: TestServer) {
  const held: Deno.TcpConn[] = [];
  let refused = 0;
  for (let i = 0; i < 3 * nofile && server.running(); i++) {
    try {
      held.push(await Deno.connect({ hostname: "127.0.0.1", port: server.port }));
    } catch {
      refused++;
    }
  }
  await sleep(1000);
  const until = performance.now() + 3000;
  const during = server.running() ? await probe(server.url, () => performance.now() > until) : "";
  for (const c of held) c.close();
  const t0 = performance.now();
  while (server.running() && performance.now() - t0 < 10_000) {
    const ok = await fetch(`${server.url}healthz`).then(
      (r) => r.body?.cancel().then(() => r.ok),
      () => false,
    );
    if (ok) break;
    await sleep(100);
  }
  return server.running()
    ? `alive after ${held.length} connections (${refused} refused); /healthz during: ${during}; ` +
      `200 again ${fmt(performance.now() - t0, 0)} ms after closing them`
    : `process exited after ${held.length} connections: ${server.logs.at(-2)?.slice(0, 90)}`;
}

async function withServer(run: (s: TestServer) => Promise<string>): Promise<string> {
  const server = await startServer({ nofile });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

/** nginx as the reverse proxy: client_header_timeout closes trickling heads. */
async function viaNginx(server: TestServer): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "roomcast-nginx-" });
  const port = 20000 + Math.floor(Math.random() * 20000);
  await Deno.writeTextFile(
    join(dir, "nginx.conf"),
    `daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
worker_processes 1; worker_rlimit_nofile 8192;
events { worker_connections 4096; }
http { access_log off; client_header_timeout 10s; keepalive_timeout 15s;
  client_body_temp_path ${dir}; proxy_temp_path ${dir};
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://127.0.0.1:${server.port}; } } }`,
  );
  const nginx = new Deno.Command("nginx", { args: ["-c", join(dir, "nginx.conf")], stderr: "null" })
    .spawn();
  await sleep(500);
  try {
    return await slowloris({ ...server, url: `http://127.0.0.1:${port}/` }, port, false);
  } finally {
    nginx.kill("SIGTERM");
    await nginx.status;
    await Deno.remove(dir, { recursive: true });
  }
}

console.log(`nofile ${nofile}, ${conns} slowloris connections, ${seconds} s each`);
console.log(`- idle flood (up to ${3 * nofile}): ${await withServer(idleFlood)}`);
console.log(`- slowloris: ${await withServer((s) => slowloris(s, s.port, false))}`);
console.log(`- slowloris, reconnecting: ${await withServer((s) => slowloris(s, s.port, true))}`);
console.log(`- slowloris via nginx: ${await withServer(viaNginx)}`);
