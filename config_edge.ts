// The edge settings (BASE_PATH, ALLOWED_ORIGINS, TRUST_PROXY, MEDIA_ALLOWED_ORIGINS, frame
// ancestors), read and checked for config.ts.
import type { Config } from "./config.ts";
import type { EnvReader } from "./config_env.ts";

/** How the server is reached: its path prefix, the origins it trusts, and the proxies before it. */
export function edgeSettings(
  { str }: EnvReader,
  problems: string[],
): Pick<
  Config,
  | "basePath"
  | "allowedOrigins"
  | "trustProxy"
  | "proxyHops"
  | "mediaAllowedOrigins"
  | "imageViewerFrameAncestors"
> {
  const basePath = normaliseBasePath(str("BASE_PATH") ?? "/");
  if (!/^\/([A-Za-z0-9._~-]+\/)*$/.test(basePath)) {
    problems.push(`BASE_PATH must be a path like /imgcast/, got "${str("BASE_PATH")}"`);
  }
  const allowedOrigins = originList("ALLOWED_ORIGINS", str("ALLOWED_ORIGINS"), problems) ?? [];
  const proxyHops = hops(str("TRUST_PROXY"), problems);
  const mediaOrigins = originList("MEDIA_ALLOWED_ORIGINS", str("MEDIA_ALLOWED_ORIGINS"), problems, {
    star: true,
  }) ?? ["*"];
  return {
    basePath,
    allowedOrigins,
    trustProxy: proxyHops > 0,
    proxyHops,
    mediaAllowedOrigins: mediaOrigins,
    imageViewerFrameAncestors: frameSources(str("IMAGE_VIEWER_FRAME_ANCESTORS"), problems),
  };
}

/** A comma-separated list of origins (and `*` when `star`), or undefined when unset. */
function originList(
  name: string,
  raw: string | undefined,
  problems: string[],
  { star = false } = {},
): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = raw.split(",").map((o) => o.trim()).filter(Boolean);
  for (const origin of list) {
    if (star && origin === "*") continue;
    try {
      if (new URL(origin).origin !== origin) throw new Error();
    } catch {
      problems.push(`${name} entries must be origins like https://example.com, got "${origin}"`);
    }
  }
  return list;
}

/** IMAGE_VIEWER_FRAME_ANCESTORS: space-separated CSP sources, checked so no directive sneaks in. */
function frameSources(raw: string | undefined, problems: string[]): string | undefined {
  for (const source of raw?.split(/\s+/) ?? []) {
    if (!FRAME_SOURCE.test(source)) {
      problems.push(
        `IMAGE_VIEWER_FRAME_ANCESTORS must list origins like https://wall.example (or *), got "${source}"`,
      );
    }
  }
  return raw;
}

/** A CSP host source: `*`, or a scheme and host (wildcard subdomains and ports allowed). */
const FRAME_SOURCE = /^(\*|https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:([0-9]{1,5}|\*))?)$/;

/** TRUST_PROXY: true/false, or how many proxies stand in front (0–10). */
function hops(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return 0;
  const value = raw.toLowerCase();
  if (/^[0-9]+$/.test(value) && Number(value) <= 10) return Number(value);
  if (["true", "yes", "on"].includes(value)) return 1;
  if (["false", "no", "off"].includes(value)) return 0;
  problems.push(
    `TRUST_PROXY must be true, false or a number of proxies from 0 to 10, got "${raw}"`,
  );
  return 0;
}

function normaliseBasePath(raw: string): string {
  let path = raw.startsWith("/") ? raw : `/${raw}`;
  if (!path.endsWith("/")) path += "/";
  return path.replace(/\/{2,}/g, "/");
}
