// The workspaces' JSON and /ws events as EchoSphere clients read them. Types only: the workspace
// page imports them with `import type`, so nothing of the server reaches its bundle.
import type { IceServer } from "../../config.ts";
import type { Message } from "../../storage/workspace_messages_store.ts";
import type { Channel, Member, Role } from "../../storage/workspaces_store.ts";
import type {
  MentionView,
  ReactionView,
  ReplyPreview,
} from "../../storage/workspace_message_extras_store.ts";

export type { Channel, IceServer, MentionView, Message, ReactionView, ReplyPreview, Role };

/** The signed-in user, as `/api/bootstrap` and the page's boot data give it. */
export interface WorkspaceUser {
  id: number;
  email: string;
  displayName: string;
}

/** A server as its member sees it: their role in it included. */
export interface ServerView {
  id: number;
  name: string;
  ownerId: number | null;
  role: Role;
  isDefault: boolean;
}

export interface MemberView extends Member {
  online: boolean;
}

/** `GET /api/bootstrap`: everything the page shows first, in one answer. */
export interface Bootstrap {
  user: WorkspaceUser;
  servers: ServerView[];
  activeServerId: number | null;
  channels: Channel[];
  activeChannelId: number | null;
  messages: Message[];
  members: MemberView[];
  unread: UnreadCounts["unread"];
  /** Present only when some channel has unread mentions (EchoSphere's keys stay as they were). */
  mentionCount?: UnreadCounts["mentionCount"];
}

/** `GET /api/unread`: unread messages by others, by text channel id. */
export interface UnreadCounts {
  unread: Record<string, number>;
  /** Of those, the ones that mention the user, by channel id (channels with none left out). */
  mentionCount: Record<string, number>;
  /** The server of every text channel counted, by channel id (for the servers' badges). */
  serverIds: Record<string, number>;
}

/** `GET /api/servers/:id/members`. */
export interface ServerMembers {
  members: MemberView[];
}

/** `GET /api/channels/:id/messages`: oldest first. */
export interface MessagePage {
  messages: Message[];
}

/** A server with its channels: created (`POST /api/servers`), read or joined. */
export interface ServerWithChannels {
  server: ServerView;
  channels: Channel[];
}

/** `POST /api/invites/:code`. */
export interface RedeemedInvite extends ServerWithChannels {
  joined: boolean;
}

export interface InviteView {
  code: string;
  url: string;
  serverId: number;
  /** RFC 3339, or null for an invite that never expires. */
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
}

/** `GET /api/invites/:code`: what someone who was sent the link sees before joining. */
export interface InvitePreview extends InviteView {
  server: { id: number; name: string };
  memberCount: number;
}

/** `GET`/`POST /api/channels/:id/read`, and the `read` event to the reader's other tabs. */
export interface ReadPosition {
  channelId: number;
  lastReadId: number;
  unread: number;
  /** Unread mentions left in the channel; absent when none. */
  mentionCount?: number;
}

/** `PUT`/`DELETE /api/messages/:id/reactions/:emoji`, and the `reaction` event. */
export interface ReactionUpdate {
  channelId: number;
  messageId: number;
  reactions: ReactionView[];
}

/** `PUT`/`DELETE /api/messages/:id/pin`, and the `pin` event. */
export interface PinChange {
  channelId: number;
  messageId: number;
  pinned: boolean;
}

/** `DELETE /api/messages/:id`, and the `message:delete` event. */
export interface DeletedMessage {
  id: number;
  channelId: number;
}

/** A voice participant as EchoSphere sends it (`id` is the socket's, one per tab). */
export interface WirePeer {
  id: string;
  email: string;
  displayName: string;
}

export interface VoiceRoster {
  participants: WirePeer[];
  /** The id of the participant sharing a screen, or null. */
  screen: string | null;
}

/** `GET /api/servers/:id/voice`: rosters by channel id, as of the topic's event `eventId`. */
export interface VoiceRosters {
  voice: Record<string, VoiceRoster>;
  eventId: number;
}

/** `GET /api/voice/ice`: an RTCConfiguration's servers, TURN credentials valid `ttlSeconds`. */
export interface IceConfig {
  iceServers: IceServer[];
  ttlSeconds: number;
}

/** Each /ws event of the workspaces by its `type`, without the envelope's `type`, `topic`, `eventId`. */
export interface WorkspaceEvents {
  /** EchoSphere's envelope nests the message: `{type, channelId, message: {...}}`. */
  message: { channelId: number; message: Message };
  "message:edit": { channelId: number; message: Message };
  "message:delete": DeletedMessage;
  /** A new message in a channel of the server, for unread badges. */
  activity: { serverId: number; channelId: number; messageId: number; authorEmail: string };
  read: ReadPosition;
  reaction: ReactionUpdate;
  pin: PinChange;
  /** On `account:<id>`: a new message mentions this user; their count in that channel. */
  mention: { serverId: number; channelId: number; mentionCount: number; message: Message };
  channel: { serverId: number; channel: Channel };
  member: { serverId: number; member: MemberView };
  /** One member came or went (published), or who is online (the answer to a `presence` request). */
  presence: { serverId: number; userId: number; online: boolean } | {
    serverId: number;
    online: number[];
  };
  typing: { channelId: number; userId: number; email: string; displayName: string };
  "voice:roster": VoiceRoster & { serverId: number; channelId: number };
  /** The answer to `voice:join`: who was already there, and this tab as a peer. */
  "voice:participants": {
    channelId: number;
    participants: WirePeer[];
    self: WirePeer;
    screen: string | null;
  };
  "voice:peer-joined": { channelId: number; peer: WirePeer };
  "voice:peer-left": { channelId: number; peer: WirePeer };
  /** A peer's SDP or ICE candidate, relayed as sent. */
  "voice:signal": {
    channelId: number;
    signal: { from: string; email: string; displayName: string; payload: unknown };
  };
  "voice:screen": { channelId: number; peer: WirePeer | null };
}

/** One workspace event as it arrives on /ws. */
export type WorkspaceEvent = {
  [K in keyof WorkspaceEvents]: { type: K; topic?: string; eventId?: number } & WorkspaceEvents[K];
}[keyof WorkspaceEvents];

/** The workspace page's boot data (`window.__ROOMCAST__`). */
export type WorkspacePageData = { user: WorkspaceUser };
