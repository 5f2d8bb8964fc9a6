// The watch page's chat panel: nickname form, messages (links clickable), emoji, presence, moderation.
import { useEffect, useRef, useState } from "preact/hooks";
import type { MessageView, Presence } from "../../../routes/streams/wire.ts";
import { ChatText, EMOJI } from "./chat_text.tsx";

export interface ChatPanelProps {
  messages: MessageView[];
  presence: Presence | null;
  nickname: string | null;
  /** The nickname last used in this browser, to prefill the form. */
  lastNickname: string;
  admin: boolean;
  slowModeSeconds: number;
  onJoin(nickname: string): Promise<string | null>;
  onSend(content: string): Promise<string | null>;
  onDelete(id: number): void;
  onBan(id: number): void;
  /** Admin only: slow mode (0 = off) and clearing the chat. */
  onSlowMode(seconds: number): void;
  onClear(): void;
}

const MAX = 500;

function JoinForm(
  props: { lastNickname: string; onJoin(nickname: string): Promise<string | null> },
) {
  const [nickname, setNickname] = useState(props.lastNickname);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(await props.onJoin(nickname));
  };
  return (
    <form class="chat-join" id="join-form" onSubmit={submit}>
      <label for="nickname">Pick a nickname to chat</label>
      <div class="chat-row">
        <input
          id="nickname"
          value={nickname}
          maxLength={32}
          required
          autocomplete="nickname"
          onInput={(e) => setNickname(e.currentTarget.value)}
        />
        <button type="submit">Join chat</button>
      </div>
      {error && <p class="chat-error" role="alert">{error}</p>}
    </form>
  );
}

function Composer(props: { onSend(content: string): Promise<string | null>; slow: number }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [picker, setPicker] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const insert = (emoji: string) => {
    const el = input.current;
    const at = el?.selectionStart ?? text.length;
    setText(text.slice(0, at) + emoji + text.slice(el?.selectionEnd ?? at));
    setPicker(false);
    el?.focus();
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) return;
    const failed = await props.onSend(text);
    setError(failed);
    if (!failed) setText("");
  };
  return (
    <form class="chat-send" id="chat-form" onSubmit={submit}>
      {picker && (
        <div class="emoji-picker" id="emoji-picker" role="listbox" aria-label="Emoji">
          {EMOJI.map((emoji) => (
            <button
              type="button"
              key={emoji}
              onClick={() => insert(emoji)}
              aria-label={emoji}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
      <div class="chat-row">
        <button
          type="button"
          id="emoji-button"
          aria-label="Emoji"
          aria-expanded={picker}
          onClick={() => setPicker(!picker)}
        >
          😊
        </button>
        <input
          id="chat-input"
          ref={input}
          value={text}
          maxLength={MAX}
          placeholder={props.slow
            ? `Slow mode: one message every ${props.slow} s`
            : "Say something"}
          aria-label="Message"
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit">Send</button>
      </div>
      {error && <p class="chat-error" id="chat-error" role="alert">{error}</p>}
    </form>
  );
}

function PresenceLine({ presence }: { presence: Presence | null }) {
  if (!presence) return null;
  const { nicknames, anonymous } = presence;
  return (
    <p class="presence muted" id="presence">
      {nicknames.length > 0 && (
        <>
          In chat: <span id="presence-names">{nicknames.join(", ")}</span>
        </>
      )}
      {nicknames.length > 0 && anonymous > 0 && " and "}
      {anonymous > 0 && `${anonymous} watching without chatting`}
    </p>
  );
}

/** The admin's chat controls on the watch page; the studio has the same and more. */
function ModBar(props: Pick<ChatPanelProps, "slowModeSeconds" | "onSlowMode" | "onClear">) {
  return (
    <div class="chat-row chat-modbar" id="mod-bar">
      <select
        id="mod-slow"
        aria-label="Slow mode"
        value={props.slowModeSeconds}
        onChange={(e) => props.onSlowMode(Number(e.currentTarget.value))}
      >
        {[0, 5, 10, 30, 60].map((s) => (
          <option key={s} value={s}>{s === 0 ? "Slow mode off" : `Slow: ${s} s`}</option>
        ))}
      </select>
      <button
        type="button"
        id="mod-clear"
        onClick={() => confirm("Delete every message of this room?") && props.onClear()}
      >
        Clear chat
      </button>
    </div>
  );
}

export function ChatPanel(props: ChatPanelProps) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = list.current;
    // Follow new messages unless the viewer scrolled up to read.
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 120) {
      el.scrollTop = el.scrollHeight;
    }
  }, [props.messages]);
  return (
    <div class="chat-panel">
      <PresenceLine presence={props.presence} />
      {props.admin && <ModBar {...props} />}
      <ol class="chat-messages" id="chat-messages" ref={list} aria-live="polite">
        {props.messages.length === 0 && <li class="muted">No messages yet.</li>}
        {props.messages.map((m) => (
          <li key={m.id} data-id={m.id} class="chat-message">
            <strong class="chat-nick">{m.nickname}</strong> <ChatText text={m.content} />
            {props.admin && (
              <span class="chat-mod">
                <button type="button" title="Delete" onClick={() => props.onDelete(m.id)}>
                  Delete
                </button>
                <button type="button" title="Ban" onClick={() => props.onBan(m.id)}>Ban</button>
              </span>
            )}
          </li>
        ))}
      </ol>
      {props.nickname === null
        ? <JoinForm lastNickname={props.lastNickname} onJoin={props.onJoin} />
        : (
          <>
            <p class="muted chat-me">
              Chatting as <strong id="chat-nickname">{props.nickname}</strong>
            </p>
            <Composer onSend={props.onSend} slow={props.slowModeSeconds} />
          </>
        )}
    </div>
  );
}
