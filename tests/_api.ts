// The one HTTP helper for API tests: a request as a browser or script sends it, the answer parsed.

/**
 * Where requests go: the real server (tests/_server.ts) or the app in process (tests/_app.ts),
 * which answers through `fetch` without a port.
 */
export interface ApiTarget {
  /** Base URL with a trailing slash (BASE_PATH included). */
  url: string;
  /** The server's own origin, which a browser sends on writes. */
  origin: string;
  fetch?: (request: Request) => Promise<Response>;
}

export interface ApiOptions {
  /** Bytes, forms, streams and strings go as they are (strings typed as JSON); the rest as JSON. */
  body?: unknown;
  /** The `Cookie` header, e.g. a TestUser's `cookie`. */
  cookie?: string;
  headers?: Record<string, string>;
  /** `Origin` for the request; by default the target's own on writes (as browsers do), none on GET. */
  origin?: string | null;
}

export interface ApiResponse {
  status: number;
  /** The JSON body, `{}` when empty, `{text}` when not JSON. */
  body: Record<string, unknown>;
  headers: Headers;
}

/** Sends `method path` to `target` and returns its status, parsed body and headers. */
export async function api(
  target: ApiTarget,
  method: string,
  path: string,
  options: ApiOptions = {},
): Promise<ApiResponse> {
  const { body, cookie } = options;
  const origin = options.origin === undefined
    ? (method === "GET" || method === "HEAD" ? null : target.origin)
    : options.origin;
  // Bytes and forms carry their own type; a string is sent as it is, as (maybe broken) JSON.
  const raw = body instanceof Uint8Array || body instanceof FormData || body instanceof Blob ||
    body instanceof ReadableStream || body instanceof URLSearchParams;
  const headers = new Headers({
    ...(cookie ? { cookie } : {}),
    ...(origin ? { origin } : {}),
    ...(body === undefined || raw ? {} : { "content-type": "application/json" }),
  });
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  const request = new Request(`${target.url}${path.replace(/^\//, "")}`, {
    method,
    headers,
    body: body === undefined
      ? undefined
      : raw || typeof body === "string"
      ? body as BodyInit
      : JSON.stringify(body),
  });
  const response = await (target.fetch ?? fetch)(request);
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
