// Parses an HTTP Basic `Authorization` header.

export interface Credentials {
  user: string;
  password: string;
}

/** The user and password of a `Basic` header, or null when absent or malformed. */
export function parseBasicAuth(header: string | null | undefined): Credentials | null {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!match) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(match[1]), (ch) => ch.charCodeAt(0)),
    );
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
