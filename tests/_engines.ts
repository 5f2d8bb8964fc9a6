// The harness's one switch: with ROOMCAST_TEST_POSTGRES / _REDIS / _S3 set (scripts/run_tests.ts sets
// them for the engine pass), every test server runs on those shared engines, each with its own
// database, Redis key prefix and bucket, instead of SQLite, the in-process hub and DATA_DIR files.
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import postgres from "postgres";

/** A name for the server's data folder: a restart on the same folder finds its data again. */
async function nameOf(dataDir: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(dataDir));
  return "t" + [...new Uint8Array(digest).slice(0, 8)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Env settings that put a test server on the shared engines; empty on the embedded defaults. */
export async function engineEnv(dataDir: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const name = await nameOf(dataDir);
  const pg = Deno.env.get("ROOMCAST_TEST_POSTGRES");
  if (pg) env.DATABASE_URL = await database(pg, name);
  const redis = Deno.env.get("ROOMCAST_TEST_REDIS");
  if (redis) Object.assign(env, { REDIS_URL: redis, REDIS_PREFIX: `${name}:` });
  const s3 = Deno.env.get("ROOMCAST_TEST_S3");
  if (s3) Object.assign(env, await bucket(s3, name));
  return env;
}

async function database(base: string, name: string): Promise<string> {
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    const found = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (found.length === 0) await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.href;
}

/** The settings tests/_s3.ts's server takes (s3rver checks no keys), with a bucket of its own. */
async function bucket(endpoint: string, name: string): Promise<Record<string, string>> {
  const env = {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: name,
    S3_REGION: "us-east-1",
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
  };
  const client = new S3Client({
    endpoint,
    region: env.S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    const code = (error as { name?: string }).name;
    if (code !== "BucketAlreadyOwnedByYou" && code !== "BucketAlreadyExists") throw error;
  } finally {
    client.destroy();
  }
  return env;
}

/**
 * False in the engine pass, where images, media and thumbnails are objects in a bucket: a test's
 * checks of DATA_DIR's file layout then have nothing to look at (images_s3_test.ts and
 * media_s3_test.ts check the same things in the bucket).
 */
export const blobsOnDisk = (): boolean => !Deno.env.get("ROOMCAST_TEST_S3");
