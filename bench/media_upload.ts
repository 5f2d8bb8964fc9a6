// Bench: media upload throughput (MB/s) and the server's RSS for 1 and 8 concurrent 10 MB uploads.
// Run: deno run -A bench/media_upload.ts [--rounds=5]
// Each concurrency level gets a fresh server (the real one, a child process), warmed up by one
// upload; then `rounds` batches of N simultaneous uploads. Uploads are curl processes streaming
// from disk, so the bench's own memory stays out of the figures. RSS is VmRSS from
// /proc/<pid>/status, sampled every 5 ms; "growth" is the highest RSS over all rounds minus the
// RSS after warm-up, so memory V8 has not yet given back counts against us.
import { join } from "node:path";
import { startServer } from "../tests/_server.ts";
import { djangoToken, memoryOf, sampleRss, SECRET } from "../tests/_media.ts";
import { tinyPng } from "../tests/_images.ts";

const SIZE = 10_000_000; // 10 MB, under the 10 MiB limit
const rounds = Number(Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 5);

async function curlUpload(url: string, file: string): Promise<void> {
  const { success, stdout } = await new Deno.Command("curl", {
    args: [
      "-sS",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "-F",
      `file=@${file};filename=b.png`,
      url,
    ],
    stdout: "piped",
  }).output();
  const code = new TextDecoder().decode(stdout);
  if (!success || code !== "200") throw new Error(`Cannot upload: curl status ${code}`);
}

async function level(file: string, concurrency: number): Promise<string> {
  const server = await startServer({ env: { MEDIA_SERVER_SECRET: SECRET } });
  try {
    await curlUpload(`${server.url}upload?token=${await djangoToken()}`, file); // warm-up
    const baseline = (await memoryOf(server.pid)).rssKb;
    const speeds: number[] = [];
    let peak = baseline;
    for (let round = 0; round < rounds; round++) {
      const tokens = await Promise.all(Array.from({ length: concurrency }, () => djangoToken()));
      const sampler = sampleRss(server.pid, 5);
      const started = performance.now();
      await Promise.all(tokens.map((t) => curlUpload(`${server.url}upload?token=${t}`, file)));
      speeds.push((concurrency * SIZE) / 1e6 / ((performance.now() - started) / 1000));
      peak = Math.max(peak, await sampler.stop());
    }
    speeds.sort((a, b) => a - b);
    const growth = (peak - baseline) / 1024;
    const mb = (kb: number) => (kb / 1024).toFixed(1);
    return `| ${concurrency} | ${rounds} | ${speeds[Math.floor(speeds.length / 2)].toFixed(0)} ` +
      `(${speeds[0].toFixed(0)}–${speeds[speeds.length - 1].toFixed(0)}) | ${mb(baseline)} | ` +
      `${mb(peak)} | ${growth.toFixed(1)} | ${(growth / concurrency).toFixed(1)} |`;
  } finally {
    await server.close();
  }
}

const dir = await Deno.makeTempDir({ prefix: "roomcast-bench-" });
try {
  const file = join(dir, "ten.png");
  const noise = crypto.getRandomValues(new Uint8Array(65536));
  const body = new Uint8Array(SIZE);
  for (let at = 0; at < SIZE; at += noise.length) body.set(noise.subarray(0, SIZE - at), at);
  body.set(tinyPng()); // a PNG signature first, so the magic-byte check passes
  await Deno.writeFile(file, body);
  const rows = [await level(file, 1), await level(file, 8)];
  console.log(
    "| concurrent | rounds | MB/s median (min–max) | RSS after warm-up (MB) | RSS peak (MB) " +
      "| growth (MB) | growth per upload (MB) |",
  );
  console.log("|---|---|---|---|---|---|---|");
  console.log(rows.join("\n"));
} finally {
  await Deno.remove(dir, { recursive: true });
}
