// `deno task test`: every test on the embedded defaults, then the feature suites again on the shared
// engines (PostgreSQL, Redis, S3) started here, and one summary line in Deno's format for .ci/run.
import { startPostgres } from "../tests/_postgres.ts";
import { startRedis } from "../tests/_redis.ts";
import { startS3 } from "../tests/_s3.ts";

const root = new URL("../", import.meta.url).pathname;

/** The feature suites the engine pass repeats: every API test under routes/ (browsers excepted). */
async function featureSuites(): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(`${root}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (path.endsWith("_test.ts") && !path.endsWith("_browser_test.ts")) found.push(path);
    }
  };
  await walk("routes");
  return found.sort();
}

interface Tally {
  passed: number;
  failed: number;
  ok: boolean;
}

/** Runs `deno test` with these arguments, passing its output through, and reads its summary. */
async function denoTest(args: string[], env: Record<string, string> = {}): Promise<Tally> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--parallel", ...args],
    cwd: root,
    env,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let tail = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4096);
  }
  const status = await child.status;
  // "ok | 41 passed (3 steps) | 0 failed (12s)" or "FAILED | 40 passed | 1 failed"
  // deno-lint-ignore no-control-regex -- ANSI colour codes start with ESC.
  const plain = tail.replace(/\x1b\[[0-9;]*m/g, "");
  const summary = [...plain.matchAll(/^(ok|FAILED) \| (\d+) passed.*?\| (\d+) failed/gm)].at(-1);
  const passed = summary ? Number(summary[2]) : 0;
  const failed = summary ? Number(summary[3]) : 0;
  // A run that fails outside a test (a type error, a crash) counts as one failure.
  return { passed, failed: status.success || failed ? failed : 1, ok: status.success };
}

const only = Deno.args.filter((arg) => !arg.startsWith("--"));
const total: Tally = { passed: 0, failed: 0, ok: true };
const add = (tally: Tally) => {
  total.passed += tally.passed;
  total.failed += tally.failed;
  total.ok &&= tally.ok;
};

// `--engines-only`: just the second pass (what a change to a store or an engine needs).
const enginesOnly = Deno.args.includes("--engines-only");
if (!enginesOnly) add(await denoTest(only));
if (only.length === 0 && Deno.env.get("ROOMCAST_TEST_ENGINES") !== "off") {
  console.log("\nThe feature suites again on PostgreSQL, Redis and S3 (tests/_engines.ts):\n");
  const [postgres, redis, s3] = await Promise.all([startPostgres(), startRedis(), startS3()]);
  try {
    add(
      await denoTest(await featureSuites(), {
        ROOMCAST_TEST_POSTGRES: postgres.url,
        ROOMCAST_TEST_REDIS: redis.url,
        ROOMCAST_TEST_S3: s3.url,
      }),
    );
  } finally {
    await Promise.all([postgres.stop(), redis.stop(), s3.stop()]);
  }
}
console.log(`\n${total.ok ? "ok" : "FAILED"} | ${total.passed} passed | ${total.failed} failed`);
Deno.exit(total.ok ? 0 : 1);
