// Helpers for workspace tests: accounts made over the JSON API, and cookie-carrying requests.
import { assertEquals } from "./_assert.ts";
import type { TestServer } from "./_server.ts";

export interface TestUser {
  id: number;
  email: string;
  displayName: string;
  /** The `Cookie` header value. */
  cookie: string;
}

/** The `name=value` of the first Set-Cookie header named `roomcast_session`. */
export function sessionCookie(response: Response): string | null {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    if (pair.startsWith("roomcast_session=")) return pair;
  }
  return null;
}

export async function signupUser(
  server: TestServer,
  name: string,
  password = "correct horse",
): Promise<TestUser> {
  const response = await fetch(`${server.url}api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: `${name}@example.test`, display_name: name, password }),
  });
  const body = await response.json();
  assertEquals(response.status, 201, `signup ${name}: ${JSON.stringify(body)}`);
  return { ...body.user, cookie: sessionCookie(response)! };
}

/** A JSON request as `user` (Origin set to the server's own for writes, as browsers do). */
export async function api(
  server: TestServer,
  user: TestUser | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(user ? { cookie: user.cookie } : {}),
      ...(method === "GET" ? {} : { origin: server.origin }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export const wsUrl = (server: TestServer) => server.url.replace(/^http/, "ws") + "ws";
