// Blobs in an S3-compatible bucket (MinIO, Garage, Ceph, AWS; s3rver in tests), on @aws-sdk/client-s3.
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { type BlobEntry, type BlobStore, checkKey } from "./blobs.ts";
import { createUploader } from "./blobs_s3_upload.ts";

export interface S3BlobOptions {
  bucket: string;
  region: string;
  /** The S3 API's base URL; AWS's own when unset. */
  endpoint?: string;
  /** Both or neither; without them the SDK's own chain (instance roles, ~/.aws) is used. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `endpoint/bucket/key` URLs (MinIO, Garage, Ceph, s3rver) instead of `bucket.endpoint/key`. */
  forcePathStyle: boolean;
  /** The endpoint as browsers reach it: reads are answered with a URL presigned for it. */
  publicUrl?: string;
  /** Bytes buffered per multipart part; S3 wants at least 5 MiB but for the last. @default 8 MiB */
  partBytes?: number;
  /** How long a presigned URL is valid. @default 1200 */
  linkSeconds?: number;
}

const MiB = 1024 * 1024;

const missing = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

function clientConfig(options: S3BlobOptions, endpoint: string | undefined): S3ClientConfig {
  const { accessKeyId, secretAccessKey } = options;
  return {
    region: options.region,
    endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    // The SDK's default CRC32 trailers are refused by several S3-compatible servers; send them
    // only where the API requires a checksum.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
}

/** Reads of single objects (a range of one, its size and tag) and of a prefix's listing. */
function objectReads(client: S3Client, bucket: string): Pick<BlobStore, "open" | "stat" | "list"> {
  return {
    async open(key, range) {
      try {
        const out = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: checkKey(key),
            Range: range ? `bytes=${range.start}-${range.end}` : undefined,
          }),
        );
        return out.Body ? out.Body.transformToWebStream() as ReadableStream<Uint8Array> : null;
      } catch (error) {
        if (missing(error) || (error as Error).name === "NoSuchKey") return null;
        throw error;
      }
    },

    async stat(key) {
      try {
        const out = await client.send(
          new HeadObjectCommand({ Bucket: bucket, Key: checkKey(key) }),
        );
        return {
          size: out.ContentLength ?? 0,
          mtime: out.LastModified?.getTime() ?? 0,
          etag: out.ETag ?? '""',
        };
      } catch (error) {
        if (missing(error)) return null;
        throw error;
      }
    },

    async list(prefix) {
      if (!prefix.endsWith("/")) throw new Error(`Cannot list blobs: ${prefix} must end in "/"`);
      const found: BlobEntry[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            Delimiter: "/",
            ContinuationToken: token,
          }),
        );
        for (const item of page.Contents ?? []) {
          found.push({
            key: item.Key!,
            size: item.Size ?? 0,
            mtime: item.LastModified?.getTime() ?? 0,
            etag: item.ETag ?? '""',
          });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return found;
    },
  };
}

/** An S3 bucket as a BlobStore; `close()` releases the client's sockets. */
export function createS3Blobs(options: S3BlobOptions): BlobStore {
  const { bucket, partBytes = 8 * MiB, linkSeconds = 1200 } = options;
  const client = new S3Client(clientConfig(options, options.endpoint));
  // Signing needs no request: a second client only to sign for the public host.
  const signer = options.publicUrl ? new S3Client(clientConfig(options, options.publicUrl)) : null;
  const upload = createUploader(client, bucket, partBytes);

  return {
    put: (key, data, putOptions) => upload(checkKey(key), data, putOptions),

    ...objectReads(client, bucket),

    async move(from, to) {
      // A copy appears whole at its key (S3 writes objects atomically); the source goes after.
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: checkKey(to),
          CopySource: `${bucket}/${checkKey(from)}`,
        }),
      );
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: from }));
    },

    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: checkKey(key) }));
    },

    async link(key, { contentType, cacheControl }) {
      if (!signer) return null;
      // Signed at the start of a window half the validity long: the same URL for that window,
      // so browsers cache the image itself across redirects.
      const window = (linkSeconds / 2) * 1000;
      const signingDate = new Date(Math.floor(Date.now() / window) * window);
      return await getSignedUrl(
        signer,
        new GetObjectCommand({
          Bucket: bucket,
          Key: checkKey(key),
          ResponseContentType: contentType,
          ResponseCacheControl: cacheControl,
        }),
        { expiresIn: linkSeconds, signingDate },
      );
    },

    localPath: () => null,

    close() {
      client.destroy();
      signer?.destroy();
    },
  };
}
