// The voice ICE settings (ICE_SERVERS, TURN_URLS, TURN_SECRET), read and checked for config.ts.
import type { Config } from "./config.ts";

/** One entry of RTCConfiguration.iceServers, as the browser takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

const ICE_URL = /^(stuns?|turns?):[^\s]+$/;

/** An RTCIceServer: `urls` (one or several stun:/turn: URLs) and optional string credentials. */
function isIceServer(entry: unknown): entry is IceServer {
  if (entry === null || typeof entry !== "object") return false;
  const { urls, username, credential } = entry as Record<string, unknown>;
  const list = Array.isArray(urls) ? urls : [urls];
  return list.length > 0 && list.every((u) => typeof u === "string" && ICE_URL.test(u)) &&
    [username, credential].every((v) => v === undefined || typeof v === "string");
}

/** ICE_SERVERS (a JSON array of RTCIceServer), TURN_URLS and TURN_SECRET, checked together. */
export function iceSettings(
  str: (name: string) => string | undefined,
  problems: string[],
): Pick<Config, "iceServers" | "turnUrls" | "turnSecret"> {
  let iceServers: IceServer[] = [];
  const raw = str("ICE_SERVERS");
  if (raw !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch { /* reported below */ }
    if (Array.isArray(parsed) && parsed.every(isIceServer)) {
      iceServers = parsed.map(({ urls, username, credential }) => ({
        urls,
        ...(username === undefined ? {} : { username }),
        ...(credential === undefined ? {} : { credential }),
      }));
    } else {
      // The value itself is not repeated: it may hold TURN credentials.
      problems.push(
        'ICE_SERVERS must be a JSON array of {"urls": "stun:…" | "turn:…", "username"?, "credential"?}',
      );
    }
  }
  const turnUrls = (str("TURN_URLS") ?? "").split(",").map((u) => u.trim()).filter(Boolean);
  for (const url of turnUrls) {
    if (!/^turns?:[^\s]+$/.test(url)) {
      problems.push(`TURN_URLS entries must be turn: or turns: URLs, got "${url}"`);
    }
  }
  const turnSecret = str("TURN_SECRET");
  if ((turnUrls.length > 0) !== (turnSecret !== undefined)) {
    problems.push("TURN_URLS and TURN_SECRET must be set together");
  }
  return { iceServers, turnUrls, turnSecret };
}
