// Stream rooms' JSON and live events, as the API answers and the stream room, home and studio pages
// read them. Types only: the pages import them with `import type`, so no server code is bundled.

/** The status part of a room that changes live, as sent on `stream:<slug>` and `streams`. */
export interface RoomStatus {
  slug: string;
  isLive: boolean;
  viewers: number;
  liveSince: string | null;
}

/** `live` / `offline` on `stream:<slug>` and `streams`. */
export interface LiveChange extends RoomStatus {
  /** When the room last went offline, for "last live 2 h ago". */
  lastLiveAt: string | null;
}

/** `presence` on `stream:<slug>`: chatters by nickname, and everyone else as a count. */
export interface Presence {
  slug: string;
  viewers: number;
  anonymous: number;
  nicknames: string[];
}

/** A room as anyone who may see it gets it (`GET /api/rooms`, `/api/rooms/<slug>`): never the key. */
export interface RoomView extends LiveChange {
  name: string;
  description: string;
  private: boolean;
  slowModeSeconds: number;
  playbackId: string;
  hlsUrl: string;
  thumbnailUrl: string | null;
  watchUrl: string;
  createdAt: string;
}

/** OBS's two fields: the server URL and the key (`GET /api/rooms/<slug>/key`). */
export interface ObsSettings {
  streamKey: string | null;
  rtmpUrl: string;
}

/** `POST /api/rooms` and `POST /api/rooms/<slug>/rotate`: the room with its new key, shown once. */
export type RoomWithKey = RoomView & ObsSettings;

/** A chat message (`GET /api/rooms/<slug>/messages`, oldest first; `message` events). */
export interface MessageView {
  id: number;
  room: string;
  nickname: string;
  content: string;
  createdAt: string;
}

/** `POST /api/rooms/<slug>/join`: the chat token, kept in the browser. */
export interface Joined {
  token: string;
  nickname: string;
  room: string;
  expiresAt: string;
}

/** What `publishRoom` sends on `stream:<slug>` only, by type: chat, moderation, room changes. */
export interface RoomEvents {
  room: RoomView;
  message: { message: MessageView };
  "message-deleted": { slug: string; id: number };
  "chat-cleared": { slug: string };
  banned: { slug: string; nickname: string };
}

/** /ws answers to `stream:enter` and `stream:message` (`ref` echoes the sender's). */
export interface StreamEntered {
  type: "stream:entered";
  topic: string;
  nickname: string | null;
}
export interface StreamSent {
  type: "stream:sent";
  topic: string;
  id: number;
  ref?: unknown;
}

/** Stream health from what the publisher sends, over the last seconds. */
export interface StreamHealth {
  videoCodec: string | null;
  width: number | null;
  height: number | null;
  /** Frames per second of publisher timestamps over the last `windowMs`. */
  fps: number | null;
  videoKbps: number | null;
  audioCodec: string | null;
  sampleRate: number | null;
  channels: number | null;
  audioKbps: number | null;
  /** Seconds between the last two keyframes. */
  keyframeSeconds: number | null;
  /** Times media stopped for over 2 s while live. */
  stalls: number;
  /** Times the publisher left and came back within a minute, in this stream. */
  reconnects: number;
  /** Times the server dropped the publisher (key rotated, ffmpeg stalled or exited), this stream. */
  drops: number;
  lastDropReason: string | null;
  lastMediaAt: string | null;
}

/** One point of the viewer graph (`at` in ms since the epoch). */
export interface ViewerPoint {
  at: number;
  viewers: number;
}

/** A room in the studio (`GET /api/studio/rooms`). */
export interface StudioRoom extends RoomView {
  hasKey: boolean;
  rtmpUrl: string;
  health: StreamHealth | null;
  viewerGraph: ViewerPoint[];
  presence: Presence;
}

export type InviteState = "active" | "revoked" | "expired" | "used up";

/** An invite link as the admin sees it (never its token, but when it is made). */
export interface InviteView {
  id: number;
  room: string;
  label: string;
  createdAt: string | null;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  revokedAt: string | null;
  state: InviteState;
}

/** `POST /api/rooms/<slug>/invites`: the token and link, shown once. */
export interface CreatedInvite extends InviteView {
  token: string;
  url: string;
}

/** `GET /api/rooms/<slug>/bans` (`createdAt` in ms since the epoch). */
export interface BanView {
  id: number;
  nickname: string;
  createdAt: number;
}

/** `GET /api/studio/rooms/<slug>`: everything the dashboard shows for one room, in one poll. */
export interface StudioRoomDetail extends StudioRoom {
  invites: InviteView[];
  bans: BanView[];
  messages: MessageView[];
}

/** The stream room page's boot data (a type alias: boot() wants a plain record). */
export type StreamRoomBoot = {
  slug: string;
  room: RoomView | null;
  /**
   * The room topic's newest event id, read before the room: the page's socket resumes from it, so
   * a change between the page and the socket (the stream going live as the page loads) is replayed.
   */
  eventId?: number;
  socketPass?: string;
  admin?: boolean;
  quality?: boolean;
  locked?: boolean;
  inviteError?: string | null;
};

/** The studio page's boot data. */
export type StudioBoot = {
  signedIn: boolean;
  adminConfigured: boolean;
  /** A Roomcast account is signed in, but not an admin's (the page is a 403). */
  notAdmin: boolean;
  error: string | null;
};
