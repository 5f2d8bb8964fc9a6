// The object-storage settings (STORAGE_URL, S3_*), read and checked for config.ts.

/** An S3-compatible bucket for images, media and thumbnails. */
export interface S3Settings {
  bucket: string;
  /** @default "us-east-1" */
  region: string;
  /** The S3 API's URL (MinIO, Garage, Ceph…); AWS's own when unset. */
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `endpoint/bucket/key` addressing. @default true with an endpoint, false without */
  forcePathStyle: boolean;
  /** The endpoint as browsers reach it; set, reads are redirected to presigned URLs there. */
  publicUrl?: string;
}

type Read = (name: string) => string | undefined;

// S3's bucket naming rules (lowercase, digits, dots, hyphens; 3..63).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://[key:secret@]bucket?endpoint=…&region=…&path_style=…&public_url=…`, as fields. */
function parseStorageUrl(raw: string, problems: string[]): Partial<Record<string, string>> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    url = new URL("invalid:");
  }
  if (url.protocol !== "s3:" || !url.hostname || (url.pathname !== "" && url.pathname !== "/")) {
    // The value is not repeated: it may hold the secret key.
    problems.push(
      "STORAGE_URL must look like s3://bucket?endpoint=https://s3.example.com&region=…",
    );
    return {};
  }
  const q = url.searchParams;
  const known = ["endpoint", "region", "path_style", "public_url"];
  for (const name of q.keys()) {
    if (!known.includes(name)) problems.push(`STORAGE_URL has an unknown parameter "${name}"`);
  }
  return {
    S3_BUCKET: url.hostname,
    S3_ACCESS_KEY_ID: url.username ? decodeURIComponent(url.username) : undefined,
    S3_SECRET_ACCESS_KEY: url.password ? decodeURIComponent(url.password) : undefined,
    S3_ENDPOINT: q.get("endpoint") ?? undefined,
    S3_REGION: q.get("region") ?? undefined,
    S3_FORCE_PATH_STYLE: q.get("path_style") ?? undefined,
    S3_PUBLIC_URL: q.get("public_url") ?? undefined,
  };
}

const httpUrl = (name: string, raw: string | undefined, problems: string[]) => {
  if (raw === undefined) return undefined;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") return raw.replace(/\/+$/, "");
  } catch { /* reported below */ }
  problems.push(`${name} must be an http(s) URL, got "${raw}"`);
  return undefined;
};

/**
 * The bucket from STORAGE_URL and/or S3_* (an S3_* variable wins over the URL's part); undefined
 * when none is set, which keeps files in DATA_DIR.
 */
export function storageSettings(str: Read, problems: string[]): S3Settings | undefined {
  const names = [
    "S3_BUCKET",
    "S3_ENDPOINT",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_FORCE_PATH_STYLE",
    "S3_PUBLIC_URL",
  ];
  const fromUrl = str("STORAGE_URL") ? parseStorageUrl(str("STORAGE_URL")!, problems) : {};
  const get = (name: string) => str(name) ?? fromUrl[name];
  if (!str("STORAGE_URL") && names.every((name) => str(name) === undefined)) return undefined;
  const bucket = get("S3_BUCKET");
  if (bucket === undefined) {
    // A STORAGE_URL without one was already reported as malformed.
    if (!str("STORAGE_URL")) {
      problems.push("S3_BUCKET (or STORAGE_URL) must be set when S3_* settings are");
    }
  } else if (!BUCKET.test(bucket)) {
    problems.push(`S3_BUCKET must be an S3 bucket name (a-z, 0-9, ".", "-"), got "${bucket}"`);
  }
  const accessKeyId = get("S3_ACCESS_KEY_ID");
  const secretAccessKey = get("S3_SECRET_ACCESS_KEY");
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    problems.push("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together");
  }
  const endpoint = httpUrl("S3_ENDPOINT", get("S3_ENDPOINT"), problems);
  const pathStyle = get("S3_FORCE_PATH_STYLE")?.toLowerCase();
  if (pathStyle !== undefined && !["true", "false"].includes(pathStyle)) {
    problems.push(`S3_FORCE_PATH_STYLE must be true or false, got "${pathStyle}"`);
  }
  const region = get("S3_REGION") ?? "us-east-1";
  if (!/^[a-z0-9-]{1,40}$/.test(region)) {
    problems.push(`S3_REGION must be a region name like eu-west-1, got "${region}"`);
  }
  return Object.freeze({
    bucket: bucket ?? "",
    region,
    endpoint,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: pathStyle === undefined ? endpoint !== undefined : pathStyle === "true",
    publicUrl: httpUrl("S3_PUBLIC_URL", get("S3_PUBLIC_URL"), problems),
  });
}
