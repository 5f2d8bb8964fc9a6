// Helpers for workspace tests: accounts made over the JSON API, and cookie-carrying requests.
import { assertEquals } from "./_assert.ts";
import { api as request, type ApiResponse, type ApiTarget } from "./_api.ts";
import type { TestServer } from "./_server.ts";

export interface TestUser {
  id: number;
  email: string;
  displayName: string;
  /** The `Cookie` header value. */
  cookie: string;
}

/** The `name=value` of the first Set-Cookie header named `roomcast_session`. */
export function sessionCookie(response: { headers: Headers }): string | null {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    if (pair.startsWith("roomcast_session=")) return pair;
  }
  return null;
}

export async function signupUser(
  server: ApiTarget,
  name: string,
  password = "correct horse",
): Promise<TestUser> {
  const response = await request(server, "POST", "api/auth/signup", {
    body: { email: `${name}@example.test`, display_name: name, password },
    origin: null,
  });
  assertEquals(response.status, 201, `signup ${name}: ${JSON.stringify(response.body)}`);
  return { ...response.body.user as TestUser, cookie: sessionCookie(response)! };
}

/** tests/_api.ts's `api()` as `user` (their cookie; Origin the server's own on writes). */
export function api(
  server: ApiTarget,
  user: TestUser | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  return request(server, method, path, { body, cookie: user?.cookie, headers });
}

export const wsUrl = (server: TestServer) => server.url.replace(/^http/, "ws") + "ws";

/** The fields of EchoSphere's message object, sorted: a plain message has these and no more. */
export const ECHOSPHERE_MESSAGE_KEYS = [
  "authorDisplayName",
  "authorEmail",
  "channelId",
  "content",
  "createdAt",
  "id",
];
