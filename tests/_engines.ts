// The harness's one switch: with ROOMCAST_TEST_POSTGRES set (scripts/test.ts sets it for the
// engine pass), every test server gets a PostgreSQL database of its own instead of a SQLite file.
import postgres from "postgres";

/**
 * Env settings that put a test server on the shared engines; empty on the embedded defaults. The
 * database is named after the server's data folder, so a restart on the same folder (durability
 * tests) finds its data again, as it would in its SQLite file.
 */
export async function engineEnv(dataDir: string): Promise<Record<string, string>> {
  const base = Deno.env.get("ROOMCAST_TEST_POSTGRES");
  if (!base) return {};
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(dataDir));
  const name = "t_" + [...new Uint8Array(digest).slice(0, 8)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    const found = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (found.length === 0) await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { DATABASE_URL: url.href };
}
