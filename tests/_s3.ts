// Starts an S3-compatible server (npm:s3rver, in this process) on a free port in a temp dir, for tests.
import S3rver from "s3rver";

export interface TestS3 {
  /** The S3 API's base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Roomcast's settings for this bucket (S3_*), to pass to startServer({env}). */
  env: Record<string, string>;
  /** Keys stored in the bucket now, as S3 lists them (for "nothing was left" checks). */
  keys(prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

export interface StartS3Options {
  /** @default "roomcast-test" */
  bucket?: string;
}

/** Runs s3rver on 127.0.0.1 with one empty bucket; `stop()` closes it and removes its folder. */
export async function startS3(options: StartS3Options = {}): Promise<TestS3> {
  const bucket = options.bucket ?? "roomcast-test";
  const directory = await Deno.makeTempDir({ prefix: "roomcast-s3-" });
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const url = `http://127.0.0.1:${port}`;
  // s3rver's fixed credentials; it checks every request's signature against them.
  const accessKeyId = "S3RVER";
  const secretAccessKey = "S3RVER";
  const region = "us-east-1";
  return {
    url,
    bucket,
    region,
    accessKeyId,
    secretAccessKey,
    env: {
      S3_ENDPOINT: url,
      S3_BUCKET: bucket,
      S3_REGION: region,
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
    },
    keys: (prefix = "") => listKeys(directory, bucket, prefix),
    async stop() {
      await server.close();
      await Deno.remove(directory, { recursive: true }).catch(() => {});
    },
  };
}

/** s3rver keeps object `k` as `<dir>/<bucket>/k._S3rver_object`; listed from disk, no signing. */
async function listKeys(directory: string, bucket: string, prefix: string): Promise<string[]> {
  const root = `${directory}/${bucket}`;
  const keys: string[] = [];
  const walk = async (dir: string, at: string) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) await walk(`${dir}/${entry.name}`, `${at}${entry.name}/`);
      else if (entry.name.endsWith("._S3rver_object")) {
        keys.push(at + entry.name.slice(0, -"._S3rver_object".length));
      }
    }
  };
  await walk(root, "").catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  return keys.filter((k) => k.startsWith(prefix)).sort();
}
