// JSON calls from the workspace app to /api, with errors turned into exceptions carrying the message.
import { url } from "./boot.ts";

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code?: string) {
    super(message);
  }
}

export async function apiCall<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(url(path), {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) {
    location.href = url("login");
  }
  if (!response.ok) {
    throw new ApiError(
      response.status,
      data.error ?? `Request failed (${response.status})`,
      data.code,
    );
  }
  return data as T;
}

export interface User {
  id: number;
  email: string;
  displayName: string;
}
export interface ServerInfo {
  id: number;
  name: string;
  ownerId: number | null;
  role: "owner" | "member";
}
export interface Channel {
  id: number;
  serverId: number;
  name: string;
  kind: "text" | "voice";
}
export interface Message {
  id: number;
  channelId: number;
  authorEmail: string;
  authorDisplayName: string;
  content: string;
  createdAt: string;
  editedAt?: string;
}
/** Other members are shown by name: the server does not send their emails. */
export interface Member {
  id: number;
  displayName: string;
  role: "owner" | "member";
  online: boolean;
}
export interface Bootstrap {
  user: User;
  servers: ServerInfo[];
  activeServerId: number | null;
  channels: Channel[];
  activeChannelId: number | null;
  messages: Message[];
  members: Member[];
  unread: Record<string, number>;
}

/** Merges messages by id, oldest first; a later copy (an edit) wins. */
export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
