// The studio's calls to the stream rooms API (the dashboard cookie authenticates them).
import { url } from "./boot.ts";

export interface Health {
  videoCodec: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  videoKbps: number | null;
  audioCodec: string | null;
  sampleRate: number | null;
  channels: number | null;
  audioKbps: number | null;
  keyframeSeconds: number | null;
  stalls: number;
  reconnects: number;
  drops: number;
  lastDropReason: string | null;
}

export interface StudioRoom {
  slug: string;
  name: string;
  description: string;
  private: boolean;
  slowModeSeconds: number;
  isLive: boolean;
  viewers: number;
  liveSince: string | null;
  lastLiveAt: string | null;
  watchUrl: string;
  hlsUrl: string;
  rtmpUrl: string;
  hasKey: boolean;
  health: Health | null;
  viewerGraph: { at: number; viewers: number }[];
  presence: { viewers: number; anonymous: number; nicknames: string[] };
}

export interface Invite {
  id: number;
  label: string;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  state: string;
  url?: string;
}

export interface RoomDetail extends StudioRoom {
  invites: Invite[];
  bans: { id: number; nickname: string }[];
  messages: { id: number; nickname: string; content: string; createdAt: string }[];
}

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
