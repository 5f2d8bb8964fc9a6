// Test helpers for code sessions: API calls against the real server and an incremental SSE reader.
import { assertEquals } from "./_assert.ts";
import type { TestServer } from "./_server.ts";
import { type SseFrame, takeSseFrames } from "./_sse.ts";

export const api = (server: TestServer, path = "") => `${server.url}api/v1/sessions/anon${path}`;

export async function call(
  server: TestServer,
  method: string,
  path: string,
  options: { body?: unknown; auth?: string; raw?: BodyInit } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.auth !== undefined) headers.authorization = options.auth;
  const response = await fetch(api(server, path), {
    method,
    headers,
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

/** Creates a session with a known creator token; returns its code. */
export async function createSession(server: TestServer, token = "s3cret-token-for-tests") {
  const created = await call(server, "POST", "", {
    body: { creator_token: token, display_name: "Demo" },
  });
  assertEquals(created.status, 201);
  return { code: String(created.body.session_code), id: String(created.body.id), token };
}

export type { SseFrame };

/** Reads SSE frames one at a time from a response; `next()` waits for the next data frame. */
export function sseReader(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: SseFrame[] = [];
  let buffer = "";
  let ended = false;
  return {
    async next(timeoutMs = 5000): Promise<SseFrame | null> {
      const timer = setTimeout(() => reader.cancel(), timeoutMs);
      try {
        while (frames.length === 0 && !ended) {
          const { done, value } = await reader.read();
          if (done) {
            ended = true;
            break;
          }
          const taken = takeSseFrames(buffer + value);
          buffer = taken.rest;
          frames.push(...taken.frames);
        }
      } finally {
        clearTimeout(timer);
      }
      return frames.shift() ?? null;
    },
    close: () => reader.cancel().catch(() => {}),
  };
}
