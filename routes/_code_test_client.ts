// Test helpers for code sessions: API calls against the real server (and the SSE reader).
import { assertEquals } from "../tests/_assert.ts";
import type { TestServer } from "../tests/_server.ts";

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

// The one SSE reader, re-exported for the code tests that import it from here.
export { type SseFrame, sseReader } from "../tests/_sse.ts";
