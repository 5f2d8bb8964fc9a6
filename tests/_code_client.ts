// Test helpers for code sessions: API calls against the real server (and the SSE reader).
import { assertEquals } from "./_assert.ts";
import { api as request, type ApiTarget } from "./_api.ts";

export const api = (server: ApiTarget, path = "") => `${server.url}api/v1/sessions/anon${path}`;

/** A CodeCast API call through tests/_api.ts (the real server or the app in process). */
export async function call(
  server: ApiTarget,
  method: string,
  path: string,
  options: { body?: unknown; auth?: string; raw?: BodyInit } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.auth !== undefined) headers.authorization = options.auth;
  const { status, body } = await request(server, method, `api/v1/sessions/anon${path}`, {
    body: options.raw ?? options.body,
    headers,
    origin: null,
  });
  return { status, body };
}

/** Creates a session with a known creator token; returns its code. */
export async function createSession(server: ApiTarget, token = "s3cret-token-for-tests") {
  const created = await call(server, "POST", "", {
    body: { creator_token: token, display_name: "Demo" },
  });
  assertEquals(created.status, 201);
  return { code: String(created.body.session_code), id: String(created.body.id), token };
}

// The one SSE reader, re-exported for the code tests that import it from here.
export { type SseFrame, sseReader } from "../tests/_sse.ts";
