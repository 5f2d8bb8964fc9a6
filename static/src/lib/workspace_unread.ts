// Unread on the workspace page: where the "new messages" divider goes, read marks only up to the
// newest message seen, and the servers' badges summed from their channels' counts.
import { useRef, useState } from "preact/hooks";
import { apiCall, type Message, type UnreadCounts, type WorkspaceEvent } from "./workspace_api.ts";
import type { ReadPosition } from "../../../routes/workspaces/wire.ts";

type Activity = Extract<WorkspaceEvent, { type: "activity" }>;
type Mention = Extract<WorkspaceEvent, { type: "mention" }>;

/** The id of the message the "new messages" divider goes above: the first unread one by others. */
export function dividerAt(messages: Message[], readMark: number | null, self: string) {
  if (readMark === null) return null;
  return messages.find((m) => m.id > readMark && m.authorEmail !== self)?.id ?? null;
}

export interface ServerBadge {
  unread: number;
  mentions: number;
}

/** Each server's unread and mention totals over its channels (`serverIds`: channel → server). */
export function serverBadges(
  unread: Record<string, number>,
  mentions: Record<string, number>,
  serverIds: Record<string, number>,
): Record<string, ServerBadge> {
  const badges: Record<string, ServerBadge> = {};
  const add = (channelId: string, key: keyof ServerBadge, n: number) => {
    const serverId = serverIds[channelId];
    if (serverId === undefined || !n) return;
    const badge = badges[serverId] ??= { unread: 0, mentions: 0 };
    badge[key] += n;
  };
  for (const [id, n] of Object.entries(unread)) add(id, "unread", n);
  for (const [id, n] of Object.entries(mentions)) add(id, "mentions", n);
  return badges;
}

/**
 * Marks channels read up to a message the reader has seen, never back, batched over 150 ms:
 * `seen(channelId, id)` is called as messages come into view; `opened` records the position a
 * channel opened with, so what was read before is not marked again. `onRead` gets the server's
 * answer (also published as `read` to the user's other tabs).
 */
export function useReadMarks(onRead: (position: ReadPosition) => void) {
  const marked = useRef(new Map<number, number>());
  const pending = useRef(new Map<number, number>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const flush = () => {
    for (const [channelId, messageId] of pending.current) {
      apiCall<ReadPosition>("POST", `api/channels/${channelId}/read`, { messageId })
        .then(onRead, () => {});
    }
    pending.current.clear();
  };
  const opened = (channelId: number, known: number) => {
    marked.current.set(channelId, Math.max(known, marked.current.get(channelId) ?? 0));
  };
  const seen = (channelId: number, messageId: number) => {
    if (messageId <= (marked.current.get(channelId) ?? 0)) return;
    marked.current.set(channelId, messageId);
    pending.current.set(channelId, messageId);
    clearTimeout(timer.current);
    timer.current = setTimeout(flush, 150);
  };
  return { opened, seen };
}

/**
 * The page's unread and mention counts by channel and by server: from the server on load and
 * after a reconnect, raised live by `activity` and `mention`, set by every read answer and `read`
 * event. A channel whose newest message is in view (`follow`) is not raised: it is being read.
 */
export function useUnread(self: string) {
  const [unread, setUnread] = useState<Record<string, number>>({});
  const [mentions, setMentions] = useState<Record<string, number>>({});
  const [serverIds, setServerIds] = useState<Record<string, number>>({});
  const following = useRef<number | null>(null);
  const learn = (channelId: number, serverId: number) =>
    setServerIds((s) => s[channelId] === serverId ? s : { ...s, [channelId]: serverId });
  const onRead = (p: ReadPosition) => {
    setUnread((u) => ({ ...u, [p.channelId]: p.unread }));
    setMentions((m) => ({ ...m, [p.channelId]: p.mentionCount ?? 0 }));
  };
  const marks = useReadMarks(onRead);
  return {
    unread,
    mentions,
    badges: serverBadges(unread, mentions, serverIds),
    marks,
    onRead,
    follow(channelId: number | null) {
      following.current = channelId;
    },
    async refresh() {
      const counts = await apiCall<UnreadCounts>("GET", "api/unread");
      setUnread(counts.unread);
      setMentions(counts.mentionCount);
      setServerIds(counts.serverIds);
    },
    onActivity(e: Activity) {
      learn(e.channelId, e.serverId);
      if (e.authorEmail === self || following.current === e.channelId) return;
      setUnread((u) => ({ ...u, [e.channelId]: (u[e.channelId] ?? 0) + 1 }));
    },
    onMention(e: Mention) {
      learn(e.channelId, e.serverId);
      if (following.current === e.channelId) return;
      setMentions((m) => ({ ...m, [e.channelId]: e.mentionCount }));
    },
  };
}
