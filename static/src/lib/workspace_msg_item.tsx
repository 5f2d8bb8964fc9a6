// One message in the list: day separator, grouping under the previous message by the same author,
// avatar, times, edited mark, reply quote, markdown, reactions and the actions on it.
import { useState } from "preact/hooks";
import type { Message, WorkspaceUser } from "./workspace_api.ts";
import { EMOJI } from "./chat_text.tsx";
import { Markdown } from "./workspace_msg_markdown.tsx";
import { MessageFiles, type MessageWithFiles } from "./workspace_nav_files.tsx";
import { type Named, toDisplay, toWire } from "./workspace_msg_text.ts";

/** What can be done to a message; the page sends each to the API. */
export interface MessageActions {
  edit(id: number, content: string): Promise<boolean>;
  remove(id: number): void;
  reply(message: Message): void;
  react(id: number, emoji: string, on: boolean): void;
  pin(id: number, on: boolean): void;
  jump(id: number): void;
}

/** Messages by one author this close together share one header. */
const GROUP_MS = 5 * 60 * 1000;

const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();

/** A colour and initials from the name, so every author is told apart without an upload. */
export function Avatar({ name, seed }: { name: string; seed: string }) {
  let hash = 0;
  for (const ch of seed) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  const initials = name.split(/\s+/).map((w) => [...w][0] ?? "").join("").slice(0, 2);
  return (
    <span class="ws-avatar" aria-hidden="true" style={{ background: `hsl(${hash % 360} 45% 42%)` }}>
      {initials.toUpperCase()}
    </span>
  );
}

function EditForm(
  props: { message: Message; people: Named[]; done(): void; actions: MessageActions },
) {
  const { message } = props;
  const [draft, setDraft] = useState(toDisplay(message.content, message.mentions ?? []));
  const save = async () => {
    const known = [...props.people, ...(message.mentions ?? [])];
    if (await props.actions.edit(message.id, toWire(draft, known))) props.done();
  };
  return (
    <form class="edit-form" onSubmit={(e) => (e.preventDefault(), void save())}>
      <textarea
        value={draft}
        maxLength={2000}
        rows={Math.min(10, draft.split("\n").length + 1)}
        onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") props.done();
          if (e.key === "Enter" && !e.shiftKey) (e.preventDefault(), void save());
        }}
        autoFocus
      />
      <span class="muted">Enter to save · Shift+Enter for a new line · Esc to cancel</span>
      <button type="submit">Save</button>
    </form>
  );
}

function Reactions(
  props: {
    message: Message;
    user: WorkspaceUser;
    names: Map<number, string>;
    actions: MessageActions;
  },
) {
  const [picking, setPicking] = useState(false);
  const { message, actions } = props;
  return (
    <div class="ws-reactions">
      {(message.reactions ?? []).map((r) => {
        const mine = r.userIds.includes(props.user.id);
        const who = r.userIds.map((id) => props.names.get(id) ?? "someone").join(", ");
        return (
          <button
            type="button"
            key={r.emoji}
            class={`ws-reaction${mine ? " mine" : ""}`}
            data-emoji={r.emoji}
            title={`${who} reacted with ${r.emoji}`}
            aria-pressed={mine}
            onClick={() => actions.react(message.id, r.emoji, !mine)}
          >
            {r.emoji} <span class="count">{r.count}</span>
          </button>
        );
      })}
      {picking && (
        <div class="ws-emoji-picker" role="menu">
          {EMOJI.map((e) => (
            <button
              type="button"
              key={e}
              onClick={() => (setPicking(false), actions.react(message.id, e, true))}
            >
              {e}
            </button>
          ))}
        </div>
      )}
      <button
        type="button"
        class="ws-add-reaction"
        title="Add a reaction"
        onClick={() => setPicking(!picking)}
      >
        ☺+
      </button>
    </div>
  );
}

function ActionsBar(
  props: { message: Message; mine: boolean; actions: MessageActions; edit(): void },
) {
  const { message, mine, actions } = props;
  const edit = props.edit;
  return (
    <span class="actions">
      <button type="button" class="reply" onClick={() => actions.reply(message)}>
        Reply
      </button>
      <button
        type="button"
        class="pin"
        onClick={() => actions.pin(message.id, !message.pinned)}
      >
        {message.pinned ? "Unpin" : "Pin"}
      </button>
      {mine && <button type="button" class="edit" onClick={edit}>Edit</button>}
      {mine && (
        <button
          type="button"
          class="delete"
          onClick={() => actions.remove(message.id)}
        >
          Delete
        </button>
      )}
    </span>
  );
}

/** The line that opens a new day in the list. */
function DaySeparator({ time }: { time: Date }) {
  return (
    <li class="ws-day" role="separator">
      <span>
        {time.toLocaleDateString([], {
          weekday: "long",
          year: "numeric",
          month: "long",
          day: "numeric",
        })}
      </span>
    </li>
  );
}

/** The message a reply answers, quoted; a click jumps to it. */
function ReplyQuote(
  { reply, people, onJump }: {
    reply: NonNullable<Message["replyTo"]>;
    people: { id: number; displayName: string }[];
    onJump(id: number): void;
  },
) {
  return (
    <button type="button" class="ws-reply-quote" onClick={() => onJump(reply.id)}>
      ↪ {reply.excerpt === null ? <i>The original message was deleted</i> : (
        <>
          <b>@{reply.authorDisplayName}</b> {toDisplay(reply.excerpt, people)}
        </>
      )}
    </button>
  );
}

export function MessageItem(props: {
  message: Message;
  previous: Message | undefined;
  user: WorkspaceUser;
  /** Display names by user id (the server's members), for who reacted and mentions typed. */
  names: Map<number, string>;
  actions: MessageActions;
}) {
  const { message, previous, user, actions } = props;
  const [editing, setEditing] = useState(false);
  const time = new Date(message.createdAt);
  const before = previous && new Date(previous.createdAt);
  const newDay = !before || !sameDay(before, time);
  const grouped = !newDay && !message.replyTo && previous.authorEmail === message.authorEmail &&
    time.getTime() - before.getTime() < GROUP_MS;
  const mine = message.authorEmail === user.email;
  const mentioned = (message.mentions ?? []).some((m) => m.id === user.id);
  const people = [...props.names].map(([id, displayName]) => ({ id, displayName }));
  const reply = message.replyTo;
  const classes = [
    "message",
    grouped ? "grouped" : "",
    mentioned ? "mentioned" : "",
    message.pinned ? "pinned" : "",
  ];
  return (
    <>
      {newDay && <DaySeparator time={time} />}
      <li class={classes.join(" ").trim()} data-message-id={message.id}>
        {reply && <ReplyQuote reply={reply} people={people} onJump={actions.jump} />}
        {grouped
          ? (
            <time class="ws-side-time" dateTime={message.createdAt} title={time.toLocaleString()}>
              {time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
            </time>
          )
          : <Avatar name={message.authorDisplayName} seed={message.authorEmail} />}
        <div class="ws-body">
          {!grouped && (
            <div class="meta">
              <b>{message.authorDisplayName}</b>
              <time dateTime={message.createdAt} title={time.toLocaleString()}>
                {time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
              </time>
              {message.pinned && <span class="muted ws-pin-mark">pinned</span>}
            </div>
          )}
          {editing
            ? (
              <EditForm
                message={message}
                people={people}
                done={() => setEditing(false)}
                actions={actions}
              />
            )
            : <Markdown text={message.content} mentions={message.mentions} me={user.id} />}
          {message.editedAt && !editing && (
            <span class="muted ws-edited" title={new Date(message.editedAt).toLocaleString()}>
              (edited)
            </span>
          )}
          <MessageFiles files={(message as MessageWithFiles).attachments} />
          <Reactions message={message} user={user} names={props.names} actions={actions} />
        </div>
        {!editing && (
          <ActionsBar
            message={message}
            mine={mine}
            actions={actions}
            edit={() => setEditing(true)}
          />
        )}
      </li>
    </>
  );
}

/** The channel's pins, the most recently pinned first; a click jumps to the message. */
export function PinsPanel(
  props: { pins: Message[]; user: WorkspaceUser; onJump(id: number): void; onClose(): void },
) {
  return (
    <div class="ws-pins" id="pins" role="dialog" aria-label="Pinned messages">
      <header>
        <b>Pinned messages</b>
        <button type="button" class="close" aria-label="Close" onClick={props.onClose}>×</button>
      </header>
      {props.pins.length === 0 && <p class="muted">Nothing is pinned in this channel yet.</p>}
      <ul>
        {props.pins.map((m) => (
          <li key={m.id}>
            <button type="button" onClick={() => props.onJump(m.id)}>
              <b>{m.authorDisplayName}</b>
              <Markdown text={m.content} mentions={m.mentions} me={props.user.id} />
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
