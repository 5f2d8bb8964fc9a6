// What the workspace page does with each event its socket hears, on the state the page hands it.
import type { WsError, WsReset } from "../../../realtime/wire.ts";
import {
  type Channel,
  type MemberView,
  mergeMessages,
  type Message,
  type WorkspaceEvent,
} from "./workspace_api.ts";
import { applyPin, applyReaction, notifyMention } from "./workspace_msg_live.ts";
import type { VoiceEvent } from "./workspace_voice.ts";

/** What the page's socket hears: the workspace events and the transport's reset and errors. */
export type SocketEvent = WorkspaceEvent | WsReset | WsError;
const isVoice = (e: SocketEvent): e is Exclude<VoiceEvent, WsError> => e.type.startsWith("voice:");

type Update<T> = (f: (prev: T) => T) => void;

/** The page's state and steps an event may touch. */
export interface EventPage {
  userId: number;
  channelId: number | null;
  serverId: number | null;
  rosters: { onEvent(e: Extract<SocketEvent, { type: "voice:roster" }>): void };
  voice: { handle(e: Exclude<VoiceEvent, WsError> | WsError): void };
  community: { onEvent(e: SocketEvent): boolean };
  counts: {
    onActivity(e: Extract<WorkspaceEvent, { type: "activity" }>): void;
    onRead(e: Extract<WorkspaceEvent, { type: "read" }>): void;
    onMention(e: Extract<WorkspaceEvent, { type: "mention" }>): void;
  };
  typing: { heard(userId: number, name: string): void; posted(name: string): void };
  /** A window short of the present gets new messages when it reaches there. */
  shortOfPresent(): boolean;
  pinsOpen: boolean;
  setMessages: Update<Message[]>;
  setChannels: Update<Channel[]>;
  setMembers: Update<MemberView[]>;
  togglePins(open: boolean): Promise<void>;
  load(want: { serverId?: number; channelId?: number }): Promise<void>;
  showChannel(id: number): void;
  resync(): Promise<void>;
  setError(message: string): void;
}

export function onSocketEvent(e: SocketEvent, page: EventPage): void {
  if (e.type === "voice:roster") return page.rosters.onEvent(e);
  if (isVoice(e)) return page.voice.handle(e);
  if (page.community.onEvent(e)) return;
  if (onMessageEvent(e, page)) return;
  const open = page.channelId;
  switch (e.type) {
    case "activity":
      return page.counts.onActivity(e);
    case "read":
      return page.counts.onRead(e);
    case "mention":
      notifyMention(e, () => void page.load({ serverId: e.serverId, channelId: e.channelId }));
      return page.counts.onMention(e);
    case "channel":
      if (e.serverId !== page.serverId) return;
      return page.setChannels((cs) =>
        cs.some((c) => c.id === e.channel.id) ? cs : [...cs, e.channel]
      );
    case "member":
      if (e.serverId !== page.serverId) return;
      return page.setMembers((ms) => ms.some((m) => m.id === e.member.id) ? ms : [...ms, e.member]);
    case "presence": {
      if (!("userId" in e)) return;
      const { userId, online } = e;
      return page.setMembers((ms) => ms.map((m) => m.id === userId ? { ...m, online } : m));
    }
    case "typing":
      if (e.channelId !== open || e.userId === page.userId) return;
      return page.typing.heard(e.userId, e.displayName);
    case "reset":
      if (e.topic.startsWith("channel:") && open) return page.showChannel(open);
      return void page.resync().catch(() => {});
    case "error":
      page.voice.handle(e);
      return page.setError(e.error);
  }
}

/** The open channel's messages: new, edited, deleted, reacted to, pinned; false for others. */
function onMessageEvent(e: SocketEvent, page: EventPage): boolean {
  const open = page.channelId;
  switch (e.type) {
    case "message": {
      if (e.channelId !== open) return true;
      const { message } = e;
      if (!page.shortOfPresent()) page.setMessages((prev) => mergeMessages(prev, [message]));
      page.typing.posted(message.authorDisplayName);
      return true;
    }
    case "message:edit":
      if (e.channelId === open) page.setMessages((prev) => mergeMessages(prev, [e.message]));
      return true;
    case "message:delete":
      page.setMessages((prev) => prev.filter((m) => m.id !== e.id));
      return true;
    case "reaction":
      page.setMessages((prev) => applyReaction(prev, e));
      return true;
    case "pin":
      if (e.channelId === open && page.pinsOpen) void page.togglePins(true);
      page.setMessages((prev) => applyPin(prev, e));
      return true;
  }
  return false;
}
