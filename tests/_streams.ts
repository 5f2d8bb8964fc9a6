// Helpers for stream room tests: an SSE client that keeps every event, and the admin API calls.

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  json: { id?: number; type: string; data: Record<string, unknown> & { slug?: string } };
}

/** Follows an SSE stream, keeping every event; `waitFor` resolves on the first match. */
export async function followSse(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  if (!response.ok) throw new Error(`Cannot follow ${url}: ${response.status}`);
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const reading = (async () => {
    let buffer = "";
    try {
      for await (const text of response.body!.pipeThrough(new TextDecoderStream())) {
        buffer += text;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const lines = buffer.slice(0, end).split("\n");
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            lines.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2));
          const data = field("data");
          if (data.length === 0) continue;
          const joined = data.join("\n");
          let json;
          try {
            json = JSON.parse(joined);
          } catch {
            json = { type: "text", data: {} };
          }
          events.push({
            id: field("id")[0],
            event: field("event")[0] ?? "message",
            data: joined,
            json,
          });
          for (const wake of waiters) wake();
        }
      }
    } catch { /* aborted by close() */ }
  })();
  return {
    events,
    waitFor(match: (e: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`No matching SSE event within ${timeoutMs} ms: ${JSON.stringify(events)}`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      abort.abort();
      await reading;
    },
  };
}

export const ADMIN_TOKEN = "test-admin-token-0123456789";

/** Calls the stream rooms API; `admin` adds the x-admin-token header. */
export async function api(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; admin?: string | false } = {},
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (options.admin !== false) headers["x-admin-token"] = options.admin ?? ADMIN_TOKEN;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${base}${path.replace(/^\//, "")}`, {
    method,
    headers,
    body: options.body === undefined
      ? undefined
      : typeof options.body === "string"
      ? options.body
      : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

/** Posts an nginx-rtmp style form to a hook, e.g. `/hooks/rtmp/publish`. */
export async function hook(base: string, which: "publish" | "done", key: string) {
  const response = await fetch(`${base}hooks/rtmp/${which}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ app: "live", name: key, addr: "127.0.0.1", call: which }),
  });
  return { status: response.status, body: await response.json() };
}
