// The workspace's message list: older pages above, newer ones below while the window stops short
// of the present, the "new messages" divider, "jump to present", and which messages were seen.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Message, WorkspaceUser } from "./workspace_api.ts";
import { type MessageActions, MessageItem } from "./workspace_msg_item.tsx";

/** Within this many pixels of the end the reader is at the bottom. */
const BOTTOM = 40;
/** A message counts as seen once this much of it (or all of a shorter one) is in view. */
const SEEN_PX = 24;

/** The message before the divider as one by nobody: the day still shows, the group breaks. */
const apart = (m: Message | undefined) => m && { ...m, authorEmail: "" };

/** The id of the newest message with at least `SEEN_PX` of it inside the list's view. */
function newestInView(el: HTMLElement): number | null {
  const bottom = el.getBoundingClientRect().bottom;
  const items = el.querySelectorAll<HTMLElement>("#messages > [data-message-id]");
  for (let i = items.length - 1; i >= 0; i--) {
    const box = items[i].getBoundingClientRect();
    if (box.top + Math.min(box.height, SEEN_PX) <= bottom) {
      return Number(items[i].dataset.messageId);
    }
  }
  return null;
}

/** Where a newly opened window starts: at the divider with a little of what was read above it
 * (scrollTop is capped, so when the unread all fit this is the bottom), else the bottom. */
function openingTop(el: HTMLElement): number {
  const line = el.querySelector<HTMLElement>("#new-divider");
  if (!line) return el.scrollHeight;
  const top = line.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop;
  return Math.min(top - 48, el.scrollHeight);
}

type Kept<T> = { current: T };

/** Loads a page at whichever end the reader came near, one at a time; `before` notes where the
 * reader was, so older messages put on top do not move what they look at. */
function pageAtEdges(
  el: HTMLElement,
  props: MessageListProps,
  loading: Kept<boolean>,
  before: Kept<{ height: number; top: number } | null>,
) {
  if (loading.current) return;
  if (el.scrollTop < 80 && props.hasMore) {
    loading.current = true;
    before.current = { height: el.scrollHeight, top: el.scrollTop };
    props.onOlder().finally(() => (loading.current = false));
  } else if (el.scrollHeight - el.scrollTop - el.clientHeight < 80 && props.hasNewer) {
    loading.current = true;
    props.onNewer().finally(() => (loading.current = false));
  }
}

export interface MessageListProps {
  channelId: number | null;
  messages: Message[];
  user: WorkspaceUser;
  hasMore: boolean;
  /** The list stops short of the present: newer pages load at the bottom. */
  hasNewer: boolean;
  /** Changes each time a channel opens on a new window, so it is scrolled into place once. */
  opened: number;
  /** The id of the message the "new messages" divider goes above, or null. */
  divider: number | null;
  /** Unread messages left in the channel, for the "jump to present" bar. */
  unread: number;
  onOlder(): Promise<void>;
  onNewer(): Promise<void>;
  /** Back to the newest messages (a new window when this one stops short of them). */
  onPresent(): void;
  /** The newest message in view while the tab is visible. */
  onSeen(messageId: number): void;
  /** True while the newest message of the channel is in view in a visible tab. */
  onFollow(following: boolean): void;
  /** Display names by user id, for reactions and mentions. */
  names: Map<number, string>;
  actions: MessageActions;
}

export function MessageList(props: MessageListProps) {
  const list = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const placed = useRef(-1);
  const before = useRef<{ height: number; top: number } | null>(null);
  const loading = useRef(false);
  const [away, setAway] = useState(false);
  const latest = useRef(props);
  latest.current = props;

  /** Reports what is in view: the newest message seen, and whether the present is. */
  const look = () => {
    const el = list.current;
    if (!el) return;
    const { hasNewer, onSeen, onFollow } = latest.current;
    const gap = el.scrollHeight - el.scrollTop - el.clientHeight;
    stick.current = gap < BOTTOM && !hasNewer;
    setAway(hasNewer || gap > el.clientHeight / 2);
    onFollow(stick.current && !document.hidden);
    const seen = document.hidden ? null : newestInView(el);
    if (seen !== null) onSeen(seen);
  };

  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    if (placed.current !== props.opened && props.messages.length) {
      placed.current = props.opened;
      before.current = null;
      el.scrollTop = openingTop(el);
    } else if (before.current) {
      // Older messages were put on top: keep what the reader looks at in place.
      el.scrollTop = el.scrollHeight - before.current.height + before.current.top;
      before.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
    look();
  }, [props.messages, props.opened]);
  useEffect(() => {
    stick.current = true;
  }, [props.channelId]);
  useEffect(() => {
    addEventListener("visibilitychange", look);
    addEventListener("focus", look);
    return () => (removeEventListener("visibilitychange", look),
      removeEventListener("focus", look));
  }, []);

  const onScroll = () => {
    look();
    pageAtEdges(list.current!, props, loading, before);
  };
  const present = () => {
    if (props.hasNewer) return props.onPresent();
    const el = list.current!;
    el.scrollTop = el.scrollHeight;
  };

  return (
    <div class="ws-messages" ref={list} onScroll={onScroll}>
      {!props.hasMore && <p class="muted ws-start">This is the start of the channel.</p>}
      <ul id="messages">
        {props.messages.map((m, i) => [
          m.id === props.divider && <Divider key="divider" />,
          <MessageItem
            key={m.id}
            message={m}
            previous={m.id === props.divider ? apart(props.messages[i - 1]) : props.messages[i - 1]}
            user={props.user}
            names={props.names}
            actions={props.actions}
          />,
        ])}
      </ul>
      {away && <JumpToPresent unread={props.unread} onClick={present} />}
    </div>
  );
}

const Divider = () => (
  <li id="new-divider" class="ws-new-divider" role="separator">
    <span>New messages</span>
  </li>
);

function JumpToPresent(props: { unread: number; onClick(): void }) {
  const { unread } = props;
  return (
    <button type="button" id="jump-present" class="ws-present" onClick={props.onClick}>
      {unread > 0 ? `${unread > 99 ? "99+" : unread} new · Jump to present` : "Jump to present"}
    </button>
  );
}
