// The message composer: grows with Shift+Enter lines, counts down near 2000 characters, keeps a
// draft per channel, completes @mentions, quotes the message replied to, and keeps failed sends
// beside it with a retry.
import type { RefObject } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { MemberView, Message } from "./workspace_api.ts";
import { draftOf, loadDrafts, mentionQuery, saveDraft, toWire } from "./workspace_msg_text.ts";

const MAX = 2000;
/** The countdown shows from this many characters left. */
const WARN = 200;
/** Failed sends kept for a retry; older ones go first. */
const MAX_FAILED = 10;

interface Outgoing {
  key: number;
  channelId: number;
  content: string;
  replyTo: Message | null;
  state: "sending" | "failed";
  error?: string;
}

export interface ComposerProps {
  channelId: number | null;
  channelName: string;
  disabled: boolean;
  members: MemberView[];
  replyTo: Message | null;
  onCancelReply(): void;
  /** Resolves when stored; throws with the reason when not. */
  onSend(channelId: number, content: string, replyTo: Message | null): Promise<void>;
  onTyping(): void;
}

function MentionMenu(props: { matches: MemberView[]; index: number; onPick(m: MemberView): void }) {
  return (
    <ul class="ws-mention-menu" id="mention-menu" role="listbox">
      {props.matches.map((m, i) => (
        <li key={m.id} role="option" aria-selected={i === props.index}>
          <button type="button" onMouseDown={(e) => (e.preventDefault(), props.onPick(m))}>
            @{m.displayName}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Sends on their way, and failed ones with their reason, Retry and Discard. */
function OutgoingList(
  props: { items: Outgoing[]; onRetry(o: Outgoing): void; onDiscard(o: Outgoing): void },
) {
  if (props.items.length === 0) return null;
  return (
    <ul class="ws-outgoing" id="outgoing">
      {props.items.map((o) => (
        <li key={o.key} class={o.state} data-state={o.state}>
          <span class="text">{o.content}</span>
          {o.state === "sending" ? <span class="muted">sending…</span> : (
            <>
              <span class="form-error">{o.error}</span>
              <button type="button" class="retry" onClick={() => props.onRetry(o)}>Retry</button>
              <button type="button" class="discard" onClick={() => props.onDiscard(o)}>
                Discard
              </button>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

/** The sends on their way and the failed ones: each kept until stored or discarded. */
function useOutgoing(onSend: ComposerProps["onSend"]) {
  const [list, setList] = useState<Outgoing[]>([]);
  const nextKey = useRef(1);
  const deliver = async (item: Outgoing) => {
    try {
      await onSend(item.channelId, item.content, item.replyTo);
      setList((all) => all.filter((o) => o.key !== item.key));
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      setList((all) => all.map((o) => o.key === item.key ? { ...o, state: "failed", error } : o));
    }
  };
  return {
    list,
    send(message: Pick<Outgoing, "channelId" | "content" | "replyTo">) {
      const item: Outgoing = { key: nextKey.current++, ...message, state: "sending" };
      setList((all) => [...all, item].slice(-MAX_FAILED));
      void deliver(item);
    },
    retry(o: Outgoing) {
      setList((all) => all.map((x) => x.key === o.key ? { ...x, state: "sending" } : x));
      void deliver(o);
    },
    discard: (o: Outgoing) => setList((all) => all.filter((x) => x.key !== o.key)),
  };
}

/**
 * Grows the text area with its lines, up to the CSS max-height, then it scrolls. Before the paint
 * (a layout effect): after it, each new line showed one frame at the old height.
 */
function useAutoGrow(area: RefObject<HTMLTextAreaElement | null>, text: string): void {
  useLayoutEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${el.scrollHeight}px`;
  }, [text]);
}

/** Above the composer while replying: whom to, and a button to stop. */
function Replying({ to, onCancel }: { to: Message; onCancel(): void }) {
  return (
    <div class="ws-replying" id="replying">
      Replying to <b>{to.authorDisplayName}</b>
      <button type="button" class="close" aria-label="Cancel reply" onClick={onCancel}>
        ×
      </button>
    </div>
  );
}

/** The members whose name starts with what follows the `@` being typed, at most eight. */
function mentionMatches(members: MemberView[], query: string | null): MemberView[] {
  if (query === null) return [];
  return members.filter((m) => m.displayName.toLowerCase().startsWith(query.toLowerCase()))
    .slice(0, 8);
}

/** The composer's keys: arrows and Enter/Tab in the mention menu, Escape, Enter to send. */
function composerKey(
  e: KeyboardEvent,
  k: {
    matches: MemberView[];
    index: number;
    setIndex(i: number): void;
    pick(m: MemberView): void;
    /** Closes the mention menu; null when it is not open. */
    closeMenu: (() => void) | null;
    cancelReply(): void;
    submit(): void;
  },
): void {
  const { matches, index } = k;
  if (matches.length && ["ArrowDown", "ArrowUp"].includes(e.key)) {
    e.preventDefault();
    const step = e.key === "ArrowDown" ? 1 : -1;
    return k.setIndex((index + step + matches.length) % matches.length);
  }
  if (matches.length && (e.key === "Enter" || e.key === "Tab")) {
    e.preventDefault();
    return k.pick(matches[index]);
  }
  if (e.key === "Escape") return k.closeMenu ? k.closeMenu() : k.cancelReply();
  if (e.key === "Enter" && !e.shiftKey) (e.preventDefault(), k.submit());
}

export function Composer(props: ComposerProps) {
  const [text, setText] = useState("");
  const outgoing = useOutgoing(props.onSend);
  const [query, setQuery] = useState<string | null>(null);
  const [index, setIndex] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    setText(props.channelId ? draftOf(loadDrafts(localStorage), props.channelId) : "");
    setQuery(null);
  }, [props.channelId]);
  useAutoGrow(area, text);
  useEffect(() => {
    if (props.replyTo) area.current?.focus();
  }, [props.replyTo]);

  const matches = mentionMatches(props.members, query);
  const update = (value: string) => {
    setText(value);
    if (props.channelId) saveDraft(localStorage, props.channelId, value);
    const caret = area.current?.selectionStart ?? value.length;
    setQuery(mentionQuery(value.slice(0, caret)));
    setIndex(0);
  };
  const pick = (m: MemberView) => {
    const el = area.current!;
    const caret = el.selectionStart;
    const head = text.slice(0, caret).replace(/@[^\s@]*$/, `@${m.displayName} `);
    update(head + text.slice(caret));
    setQuery(null);
    requestAnimationFrame(() => el.setSelectionRange(head.length, head.length));
  };

  const submit = () => {
    const content = toWire(text.trim(), props.members);
    const channelId = props.channelId;
    if (!content || !channelId || [...text.trim()].length > MAX) return;
    outgoing.send({ channelId, content, replyTo: props.replyTo });
    update("");
    props.onCancelReply();
  };

  const left = MAX - [...text].length;
  const here = outgoing.list.filter((o) => o.channelId === props.channelId);
  return (
    <div class="ws-compose-area">
      <OutgoingList
        items={here}
        onRetry={outgoing.retry}
        onDiscard={outgoing.discard}
      />
      {props.replyTo && <Replying to={props.replyTo} onCancel={props.onCancelReply} />}
      {matches.length > 0 && <MentionMenu matches={matches} index={index} onPick={pick} />}
      <form id="composer" class="ws-composer" onSubmit={(e) => (e.preventDefault(), submit())}>
        <textarea
          ref={area}
          rows={1}
          placeholder={`Message #${props.channelName}`}
          value={text}
          disabled={props.disabled}
          onInput={(e) => (update((e.target as HTMLTextAreaElement).value), props.onTyping())}
          onKeyDown={(e) =>
            composerKey(e, {
              matches,
              index,
              setIndex,
              pick,
              closeMenu: query !== null ? () => setQuery(null) : null,
              cancelReply: props.onCancelReply,
              submit,
            })}
        />
        {left <= WARN && (
          <span class={`ws-count${left < 0 ? " over" : ""}`} id="chars-left" aria-live="polite">
            {left}
          </span>
        )}
        <button type="submit" class="primary" disabled={props.disabled || left < 0}>Send</button>
      </form>
    </div>
  );
}
