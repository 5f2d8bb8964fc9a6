// STORAGE_URL and S3_*: parsed, merged, and every bad value reported without echoing secrets.
import { assert, assertEquals } from "./tests/_assert.ts";
import { ConfigError, loadConfig } from "./config.ts";

const env = (vars: Record<string, string>) => ({ get: (name: string) => vars[name] });

function problems(vars: Record<string, string>): string[] {
  try {
    loadConfig(env(vars));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

Deno.test("loadConfig() keeps files in DATA_DIR when no storage setting is set", () => {
  assertEquals(loadConfig(env({})).storage, undefined);
});

Deno.test("loadConfig() reads STORAGE_URL, and an S3_* variable wins over its part", () => {
  const storage = loadConfig(env({
    STORAGE_URL:
      "s3://minio:s3cr%2Ft@roomcast-media?endpoint=http://minio:9000/&region=eu-west-1&public_url=https://media.example.com",
    S3_REGION: "eu-central-1",
  })).storage;
  assertEquals(storage, {
    bucket: "roomcast-media",
    region: "eu-central-1",
    endpoint: "http://minio:9000",
    accessKeyId: "minio",
    secretAccessKey: "s3cr/t",
    forcePathStyle: true,
    publicUrl: "https://media.example.com",
  });
  assert(Object.isFrozen(storage));
  const aws = loadConfig(env({ S3_BUCKET: "my-bucket" })).storage;
  assertEquals([aws?.region, aws?.endpoint, aws?.forcePathStyle], ["us-east-1", undefined, false]);
});

Deno.test("loadConfig() refuses storage settings that cannot work, naming each", () => {
  assertEquals(problems({ S3_ENDPOINT: "http://minio:9000" }), [
    "S3_BUCKET (or STORAGE_URL) must be set when S3_* settings are",
  ]);
  assertEquals(problems({ S3_BUCKET: "Bad_Bucket", S3_ACCESS_KEY_ID: "k" }), [
    'S3_BUCKET must be an S3 bucket name (a-z, 0-9, ".", "-"), got "Bad_Bucket"',
    "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together",
  ]);
  assertEquals(
    problems({ S3_BUCKET: "media", S3_ENDPOINT: "ftp://x", S3_PUBLIC_URL: "nope" }),
    [
      'S3_ENDPOINT must be an http(s) URL, got "ftp://x"',
      'S3_PUBLIC_URL must be an http(s) URL, got "nope"',
    ],
  );
  const secret = problems({ STORAGE_URL: "https://key:hunter2@bucket" });
  assertEquals(secret.length, 1);
  assert(!secret[0].includes("hunter2"), "the secret is not repeated");
  assertEquals(problems({ STORAGE_URL: "s3://media?endpont=http://x" }), [
    'STORAGE_URL has an unknown parameter "endpont"',
  ]);
  assertEquals(problems({ S3_BUCKET: "media", S3_FORCE_PATH_STYLE: "maybe" }), [
    'S3_FORCE_PATH_STYLE must be true or false, got "maybe"',
  ]);
});
