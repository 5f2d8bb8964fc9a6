// JSON calls from the workspace page to /api, with errors turned into exceptions carrying the
// message; the shapes they answer with are the server's own wire types (routes/workspaces/wire.ts).
import { url } from "./boot.ts";
import type { ErrorBody } from "../../../errors.ts";
import type { Message } from "../../../routes/workspaces/wire.ts";

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
    const problem: Partial<ErrorBody> = data;
    throw new ApiError(
      response.status,
      problem.error ?? `Request failed (${response.status})`,
      problem.code,
    );
  }
  return data as T;
}

export type {
  Bootstrap,
  Channel,
  IceConfig,
  InvitePreview,
  InviteView,
  MemberView,
  MentionView,
  Message,
  MessagePage,
  PinChange,
  ReactionUpdate,
  ReactionView,
  RedeemedInvite,
  ServerMembers,
  ServerView,
  ServerWithChannels,
  UnreadCounts,
  VoiceRoster,
  VoiceRosters,
  WirePeer,
  WorkspaceEvent,
  WorkspacePageData,
  WorkspaceUser,
} from "../../../routes/workspaces/wire.ts";

/** Merges messages by id, oldest first; a later copy (an edit) wins. */
export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
