// What the server hands every page (window.__ROOMCAST__), typed.

export interface Boot {
  basePath: string;
  [key: string]: unknown;
}

export function boot<T extends Record<string, unknown> = Record<string, never>>(): Boot & T {
  return (globalThis as unknown as { __ROOMCAST__: Boot & T }).__ROOMCAST__;
}

/** A path under the server's BASE_PATH. */
export function url(path: string): string {
  return boot().basePath + path.replace(/^\//, "");
}

export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}
