// The community area's JSON and /ws events (roles, settings, moderation, DMs, profiles). Types
// only: the workspace page imports them with `import type`.
import type { Channel, Role } from "../../storage/workspaces_store.ts";

/** `GET /api/servers/:id/community`: what the page needs beyond EchoSphere's server view. */
export interface CommunityView {
  serverId: number;
  name: string;
  role: Role;
  membersCanInvite: boolean;
  /** A direct message (two members, one channel): nobody runs it. */
  dm: boolean;
  isDefault: boolean;
  /** Channel topics by channel id; channels without one are absent. */
  topics: Record<string, string>;
  /** Avatar URLs of the members who uploaded one, by user id; the rest use generated ones. */
  avatars: Record<string, string>;
}

export interface BanView {
  userId: number;
  displayName: string;
  createdAt: string;
}

/** `GET /api/dms` and `POST /api/dms`. */
export interface DmView {
  serverId: number;
  channelId: number;
  peer: { id: number; displayName: string; avatarUrl: string | null };
}

export type RemovedReason = "kicked" | "banned" | "left" | "deleted";

/** The profile as `PATCH /api/profile` and the avatar routes answer it. */
export interface ProfileView {
  id: number;
  email: string;
  displayName: string;
  avatarUrl: string | null;
}

/** Each community event on /ws by `type` (on `workspace:<id>` unless said otherwise). */
export interface CommunityEvents {
  "server:update": { serverId: number; name: string; membersCanInvite: boolean };
  /** `channelTopic`, as `topic` is the /ws envelope's own field. */
  "channel:update": { serverId: number; channel: Channel; channelTopic: string };
  "channel:delete": { serverId: number; channelId: number };
  "channels:order": { serverId: number; channelIds: number[] };
  "member:role": { serverId: number; userId: number; role: Role };
  /** A member was kicked, banned or left; a deleted server sends `removed` to every member. */
  "member:remove": { serverId: number; userId: number; reason: RemovedReason };
  /** A member changed their name or avatar. */
  "member:profile": {
    serverId: number;
    userId: number;
    displayName: string;
    avatarUrl: string | null;
  };
  /** On `account:<id>`: a DM this user is in was opened. */
  dm: { dm: DmView };
  /** Sent straight to each socket of a removed user, after it stopped following the server. */
  removed: { serverId: number; reason: RemovedReason };
}

/** One community event as it arrives on /ws. */
export type CommunityEvent = {
  [K in keyof CommunityEvents]: { type: K; topic?: string; eventId?: number } & CommunityEvents[K];
}[keyof CommunityEvents];
