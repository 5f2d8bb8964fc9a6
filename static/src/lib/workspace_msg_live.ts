// Rich messages on the page: reaction and pin events applied to the list, the browser's
// notification for a mention while the tab is hidden, and jumping to a message.
import { useRef } from "preact/hooks";
import {
  apiCall,
  mergeMessages,
  type Message,
  type MessagePage,
  type PinChange,
  type ReactionUpdate,
  type WorkspaceEvent,
} from "./workspace_api.ts";
import type { MessageActions } from "./workspace_msg_item.tsx";

type MentionEvent = Extract<WorkspaceEvent, { type: "mention" }>;

export function applyReaction(list: Message[], e: ReactionUpdate): Message[] {
  return list.map((m) => {
    if (m.id !== e.messageId) return m;
    const { reactions: _, ...rest } = m;
    return e.reactions.length ? { ...rest, reactions: e.reactions } : rest;
  });
}

export function applyPin(list: Message[], e: PinChange): Message[] {
  return list.map((m) => {
    if (m.id !== e.messageId) return m;
    const { pinned: _, ...rest } = m;
    return e.pinned ? { ...rest, pinned: true } : rest;
  });
}

/** Asks once, on a click or a send (browsers only ask from a user's gesture). */
export function askNotifications(): void {
  if ("Notification" in globalThis && Notification.permission === "default") {
    void Notification.requestPermission().catch(() => {});
  }
}

/** The browser's notification, only while the tab is hidden and only when the user allowed it. */
export function notifyMention(e: MentionEvent, onClick: () => void): void {
  if (!document.hidden || !("Notification" in globalThis)) return;
  if (Notification.permission !== "granted") return;
  const text = e.message.content.replace(/<@(\d+)>/g, (raw, id) => {
    const who = e.message.mentions?.find((m) => m.id === Number(id));
    return who ? `@${who.displayName}` : raw;
  });
  const note = new Notification(`${e.message.authorDisplayName} mentioned you`, {
    body: [...text].slice(0, 200).join(""),
    tag: `mention-${e.message.id}`,
  });
  note.onclick = () => (globalThis.focus(), onClick(), note.close());
}

/** Scrolls to message `id`, loading older pages (at most 20) while it is not there yet. */
export async function jumpTo(id: number, loadOlder: () => Promise<boolean>): Promise<boolean> {
  const find = () => document.querySelector<HTMLElement>(`#messages [data-message-id="${id}"]`);
  for (let page = 0; !find() && page < 20; page++) {
    if (!await loadOlder()) break;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  const el = find();
  if (!el) return false;
  el.scrollIntoView({ block: "center" });
  el.classList.add("flash");
  setTimeout(() => el.classList.remove("flash"), 1500);
  return true;
}

export interface MessageActionsDeps {
  channelId(): number | null;
  messages: Message[];
  hasMore: boolean;
  page: number;
  setMessages(update: (prev: Message[]) => Message[]): void;
  setHasMore(more: boolean): void;
  setReplyTo(message: Message | null): void;
  setPins(pins: Message[] | null): void;
  fail(error: unknown): void;
  setError(message: string): void;
}

/** The message list's actions (each one API call), older pages, and the pins panel. */
export function useMessageActions(deps: MessageActionsDeps) {
  const { setMessages, fail } = deps;
  const latest = useRef({ messages: deps.messages, hasMore: deps.hasMore });
  latest.current = { messages: deps.messages, hasMore: deps.hasMore };

  /** One older page; false when there is none. */
  const loadOlder = async (): Promise<boolean> => {
    const id = deps.channelId();
    const oldest = latest.current.messages[0]?.id;
    if (!id || !oldest || !latest.current.hasMore) return false;
    const r = await apiCall<MessagePage>(
      "GET",
      `api/channels/${id}/messages?limit=${deps.page}&before=${oldest}`,
    );
    if (deps.channelId() !== id) return false;
    // Kept here too, so a jump that loads page after page sees each one at once.
    latest.current = {
      messages: mergeMessages(latest.current.messages, r.messages),
      hasMore: r.messages.length === deps.page,
    };
    setMessages((prev) => mergeMessages(prev, r.messages));
    deps.setHasMore(latest.current.hasMore);
    return r.messages.length > 0;
  };
  const togglePins = async (show: boolean) => {
    const id = deps.channelId();
    if (!show || !id) return deps.setPins(null);
    const r = await apiCall<MessagePage>("GET", `api/channels/${id}/pins`).catch(fail);
    if (r && deps.channelId() === id) deps.setPins(r.messages);
  };
  const actions: MessageActions = {
    edit: (id, content) =>
      apiCall<Message>("PATCH", `api/messages/${id}`, { content }).then((m) => {
        setMessages((prev) => mergeMessages(prev, [m]));
        return true;
      }, (e) => (fail(e), false)),
    remove(id) {
      if (confirm("Delete this message?")) void apiCall("DELETE", `api/messages/${id}`).catch(fail);
    },
    reply: deps.setReplyTo,
    react(id, emoji, on) {
      const path = `api/messages/${id}/reactions/${encodeURIComponent(emoji)}`;
      apiCall<ReactionUpdate>(on ? "PUT" : "DELETE", path)
        .then((r) => setMessages((prev) => applyReaction(prev, r)), fail);
    },
    pin(id, on) {
      apiCall<PinChange>(on ? "PUT" : "DELETE", `api/messages/${id}/pin`)
        .then((r) => setMessages((prev) => applyPin(prev, r)), fail);
    },
    jump(id) {
      deps.setPins(null);
      void jumpTo(id, loadOlder).then((found) => {
        if (!found) deps.setError("That message is no longer in this channel.");
      }, fail);
    },
  };
  /** The composer's send: resolves once stored, throws the API's reason for a retry. */
  const send = async (channelId: number, content: string, reply: Message | null) => {
    askNotifications();
    const message = await apiCall<Message>("POST", `api/channels/${channelId}/messages`, {
      content,
      ...(reply ? { replyTo: reply.id } : {}),
    });
    if (deps.channelId() === message.channelId) {
      setMessages((prev) => mergeMessages(prev, [message]));
    }
  };
  return { actions, loadOlder, togglePins, send };
}
