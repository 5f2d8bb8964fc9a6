// The studio's calls to the stream rooms API (the dashboard cookie authenticates them).
import { url } from "./boot.ts";

// deno-lint-ignore no-explicit-any
export async function call(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(url(path), {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (response.status === 401) location.reload(); // the session ended: back to the sign-in form
  if (!response.ok) throw new Error(json.error ?? `Request failed (${response.status})`);
  return json;
}

export function copyText(text: string): Promise<boolean> {
  return navigator.clipboard?.writeText(text).then(() => true, () => false) ??
    Promise.resolve(false);
}
