// Bench helper: the seed's ingest, nginx with Debian's libnginx-mod-rtmp, on a free port in a temp dir.
import { join } from "node:path";

export interface Nginx {
  port: number;
  pid: number;
  close(): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts nginx-rtmp writing HLS (`hls_nested`: `<hlsPath>/<name>/index.m3u8`) with 1 s fragments. */
export async function startNginxRtmp(workDir: string, hlsPath: string): Promise<Nginx> {
  const port = freePort();
  const conf = join(workDir, "nginx.conf");
  await Deno.writeTextFile(
    conf,
    `load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
${Deno.uid() === 0 ? "user root root;" : ""}
worker_processes 1;
daemon off;
pid ${join(workDir, "nginx.pid")};
error_log ${join(workDir, "nginx-error.log")} warn;
events { worker_connections 256; }
rtmp {
  access_log off;
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    application live {
      live on;
      record off;
      hls on;
      hls_path ${hlsPath};
      hls_nested on;
      hls_fragment 1s;
      hls_playlist_length 6s;
      hls_cleanup on;
    }
  }
}
`,
  );
  const child = new Deno.Command("nginx", {
    args: ["-c", conf, "-p", workDir, "-e", join(workDir, "nginx-error.log")],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Ready once the port accepts connections.
  const deadline = Date.now() + 10_000;
  while (true) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(await Deno.readTextFile(join(workDir, "nginx-error.log")).catch(() => "?"));
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    pid: child.pid,
    async close() {
      try {
        child.kill("SIGQUIT");
      } catch { /* gone */ }
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await child.status;
      clearTimeout(timer);
    },
  };
}
