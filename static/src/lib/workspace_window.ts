// Which part of a channel's history the workspace list shows: the newest page, or a window that
// opens at the first unread message (the read position is the server's, so a reload finds it)
// and pages on towards the present; "jump to present" goes back to the newest page.
import { useRef, useState } from "preact/hooks";
import { apiCall, mergeMessages, type Message, type MessagePage } from "./workspace_api.ts";
import type { ReadPosition } from "../../../routes/workspaces/wire.ts";
import { highlightMessage, loadContext } from "./workspace_nav_search.tsx";

/** The part of a channel's history the list shows, and where its divider goes. */
export interface ChannelWindow {
  messages: Message[];
  /** Older messages exist above the first one. */
  hasMore: boolean;
  /** The window stops short of the present: newer messages exist below the last one. */
  hasNewer: boolean;
  /** The read position when the channel opened, while something after it was unread; else null. */
  readMark: number | null;
  /** The read position the server kept. */
  lastReadId: number;
}

/** Messages shown above the first unread one when the window opens there. */
const CONTEXT = 5;

const page = (channelId: number, query: string) =>
  apiCall<MessagePage>("GET", `api/channels/${channelId}/messages?${query}`)
    .then((r) => r.messages);

/**
 * Loads what a channel opens on: the newest page when the first unread message is in it (or
 * nothing is unread), else a window that starts just above the first unread message.
 */
export async function openChannel(
  channelId: number,
  size: number,
  latest?: Message[],
): Promise<ChannelWindow> {
  const [position, newest] = await Promise.all([
    apiCall<ReadPosition>("GET", `api/channels/${channelId}/read`),
    latest ?? page(channelId, `limit=${size}`),
  ]);
  const readMark = position.unread > 0 ? position.lastReadId : null;
  const { lastReadId } = position;
  const reaches = newest.length < size || (newest[0]?.id ?? 0) <= position.lastReadId;
  if (readMark === null || reaches) {
    const hasMore = newest.length === size;
    return { messages: newest, hasMore, hasNewer: false, readMark, lastReadId };
  }
  const [above, unread] = await Promise.all([
    page(channelId, `limit=${CONTEXT}&before=${readMark + 1}`),
    page(channelId, `limit=${size}&after=${readMark}`),
  ]);
  return {
    messages: mergeMessages(above, unread),
    hasMore: above.length === CONTEXT,
    hasNewer: unread.length === size,
    readMark,
    lastReadId: readMark,
  };
}

/** One newer page after `last`: the messages, and whether the present is still further on. */
export async function loadNewer(channelId: number, last: number, size: number) {
  const messages = await page(channelId, `limit=${size}&after=${last}`);
  return { messages, hasNewer: messages.length === size };
}

export interface WindowDeps {
  page: number;
  channelId(): number | null;
  setMessages(update: (prev: Message[]) => Message[]): void;
  setHasMore(more: boolean): void;
  /** A window opened on the channel, which the server had read up to `lastReadId`. */
  onOpened(channelId: number, lastReadId: number): void;
  fail(error: unknown): void;
}

/** The open channel's window: `view` for the list, `open`, `newer` and `present` to move it. */
export function useChannelWindow(deps: WindowDeps) {
  const { page: size, setMessages, fail } = deps;
  // Whether the list stops short of the present, its divider, and a count of windows opened.
  const [view, setView] = useState({ hasNewer: false, readMark: null as number | null, opened: 0 });
  const shortOfPresent = useRef(false);
  const last = useRef<number | undefined>(undefined);

  const apply = (id: number, w: Omit<ChannelWindow, "lastReadId">, lastReadId = 0) => {
    if (deps.channelId() !== id) return;
    shortOfPresent.current = w.hasNewer;
    // Live messages that came while it loaded are kept, unless they would leave a gap.
    const live = (prev: Message[]) => w.hasNewer ? [] : prev.filter((m) => m.channelId === id);
    setMessages((prev) => mergeMessages(live(prev), w.messages));
    deps.setHasMore(w.hasMore);
    setView((v) => ({ hasNewer: w.hasNewer, readMark: w.readMark, opened: v.opened + 1 }));
    deps.onOpened(id, lastReadId);
  };
  return {
    view,
    /** The list stops short of the present: a live message would leave a gap in it. */
    shortOfPresent: () => shortOfPresent.current,
    /** Remembers the newest message shown, where `newer` pages on from. */
    shown(messages: Message[]) {
      last.current = messages.at(-1)?.id;
    },
    /** Opens at the first unread message, or around `around` (a search result). */
    open(id: number, initial?: Message[], around?: number) {
      if (!around) {
        return void openChannel(id, size, initial).then((w) => apply(id, w, w.lastReadId), fail);
      }
      loadContext(around).then((r) => {
        const newer = r.messages.filter((m) => m.id > around).length;
        apply(id, { messages: r.messages, hasMore: true, hasNewer: newer >= 25, readMark: null });
        highlightMessage(around);
      }, fail);
    },
    async newer() {
      const id = deps.channelId();
      if (!id || !last.current) return;
      const r = await loadNewer(id, last.current, size).catch(fail);
      if (!r || deps.channelId() !== id) return;
      shortOfPresent.current = r.hasNewer;
      setMessages((prev) => mergeMessages(prev, r.messages));
      setView((v) => ({ ...v, hasNewer: r.hasNewer }));
    },
    /** Back to the newest page, from a window that stops short of it. */
    async present() {
      const id = deps.channelId();
      if (!id) return;
      const r = await apiCall<MessagePage>("GET", `api/channels/${id}/messages?limit=${size}`);
      if (deps.channelId() !== id) return;
      shortOfPresent.current = false;
      setMessages(() => r.messages);
      deps.setHasMore(r.messages.length === size);
      setView((v) => ({ hasNewer: false, readMark: null, opened: v.opened + 1 }));
    },
  };
}
