// Presentational pieces of the workspace app: sidebars, message list, composer, dialogs.
import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Channel, MemberView, Message, ServerView, WorkspaceUser } from "./workspace_api.ts";
import { type MessageActions, MessageItem } from "./workspace_msg_item.tsx";
import type { VoiceView } from "./workspace_voice.ts";
import { type VoiceRoster, VoiceRosterList } from "./workspace_voice_view.tsx";

export function ServerList(props: {
  servers: ServerView[];
  active: number | null;
  /** What a server shows instead of its name (a DM: the other person's). */
  names?: Record<string, string>;
  onPick(id: number): void;
  onCreate(): void;
}) {
  return (
    <nav class="ws-servers" id="servers" aria-label="Servers">
      {props.servers.map((s) => (
        <button
          type="button"
          key={s.id}
          data-server-id={s.id}
          class={s.id === props.active ? "active" : ""}
          title={props.names?.[s.id] ?? s.name}
          onClick={() => props.onPick(s.id)}
        >
          {(props.names?.[s.id] ?? s.name).slice(0, 2)}
        </button>
      ))}
      <button type="button" id="new-server" title="Create a server" onClick={props.onCreate}>
        +
      </button>
    </nav>
  );
}

export function ChannelList(props: {
  server: ServerView | undefined;
  channels: Channel[];
  active: number | null;
  unread: Record<string, number>;
  /** Unread mentions of the user by channel id. */
  mentions: Record<string, number>;
  rosters: Record<string, VoiceRoster>;
  voice: VoiceView;
  onPick(id: number): void;
  /** A voice channel was clicked: join it. */
  onVoice(id: number): void;
  onCreate(): void;
  onInvite(): void;
  /** Members may make invite links here (the server's setting). */
  canInvite?: boolean;
}) {
  const { server } = props;
  // Owners and admins run the server; the setting lets members invite too (community).
  const owner = server?.role === "owner" || server?.role === "admin";
  const invites = owner || !!props.canInvite;
  return (
    <aside class="ws-channels" aria-label="Channels">
      <header>
        <b id="server-name">{server?.name ?? ""}</b>
        {invites && <button type="button" id="invite" onClick={props.onInvite}>Invite</button>}
      </header>
      <ul id="channels">
        {props.channels.map((c) => {
          const count = props.unread[c.id] ?? 0;
          const voice = c.kind === "voice";
          const here = voice && props.voice.channelId === c.id;
          return (
            <li key={c.id}>
              <button
                type="button"
                data-channel-id={c.id}
                data-channel-name={c.name}
                data-kind={c.kind}
                class={`${c.id === props.active || here ? "active" : ""} ${count ? "unread" : ""}`}
                title={voice ? (here ? `In voice: ${c.name}` : `Join voice: ${c.name}`) : c.name}
                onClick={() => (voice ? props.onVoice(c.id) : props.onPick(c.id))}
              >
                <span class="ws-hash">{voice ? "∿" : "#"}</span>
                <span class="ws-channel-name">{c.name}</span>
                {(props.mentions[c.id] ?? 0) > 0 && (
                  <span class="badge mention" title="Mentions">@{props.mentions[c.id]}</span>
                )}
                {count > 0 && <span class="badge">{count > 99 ? "99+" : count}</span>}
              </button>
              {voice && (
                <VoiceRosterList channelId={c.id} roster={props.rosters[c.id]} view={props.voice} />
              )}
            </li>
          );
        })}
      </ul>
      {owner && (
        <button type="button" id="new-channel" class="ws-add" onClick={props.onCreate}>
          + Add channel
        </button>
      )}
    </aside>
  );
}

export function MemberList(props: { members: MemberView[] }) {
  return (
    <aside class="ws-members" aria-label="Members">
      <h3>Members</h3>
      <ul id="members">
        {props.members.map((m) => (
          <li key={m.id} data-member-id={m.id} class={m.online ? "online" : "offline"}>
            <span class="dot" aria-label={m.online ? "online" : "offline"} />
            {m.displayName}
            {m.role !== "member" && <span class="muted">· {m.role}</span>}
          </li>
        ))}
      </ul>
    </aside>
  );
}

export function MessageList(props: {
  channelId: number | null;
  messages: Message[];
  user: WorkspaceUser;
  hasMore: boolean;
  onOlder(): Promise<void>;
  /** Display names by user id, for reactions and mentions. */
  names: Map<number, string>;
  actions: MessageActions;
}) {
  const list = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const before = useRef<{ height: number; top: number } | null>(null);
  const loading = useRef(false);

  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    if (before.current) {
      // Older messages were put on top: keep what the reader looks at in place.
      el.scrollTop = el.scrollHeight - before.current.height + before.current.top;
      before.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [props.messages]);
  useEffect(() => {
    stick.current = true;
  }, [props.channelId]);

  const onScroll = () => {
    const el = list.current!;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 80 && props.hasMore && !loading.current) {
      loading.current = true;
      before.current = { height: el.scrollHeight, top: el.scrollTop };
      props.onOlder().finally(() => (loading.current = false));
    }
  };

  return (
    <div class="ws-messages" ref={list} onScroll={onScroll}>
      {!props.hasMore && <p class="muted ws-start">This is the start of the channel.</p>}
      <ul id="messages">
        {props.messages.map((m, i) => (
          <MessageItem
            key={m.id}
            message={m}
            previous={props.messages[i - 1]}
            user={props.user}
            names={props.names}
            actions={props.actions}
          />
        ))}
      </ul>
    </div>
  );
}

export function Dialog(props: { title: string; onClose(): void; children: ComponentChildren }) {
  return (
    <div
      class="ws-dialog-backdrop"
      onClick={(e) => e.target === e.currentTarget && props.onClose()}
    >
      <div class="ws-dialog" role="dialog" aria-modal="true" aria-label={props.title}>
        <header>
          <h2>{props.title}</h2>
          <button type="button" class="close" aria-label="Close" onClick={props.onClose}>×</button>
        </header>
        {props.children}
      </div>
    </div>
  );
}

/** A dialog with one form; `fields` render inside it, `onSubmit` returns an error or null. */
export function FormDialog(props: {
  title: string;
  submit: string;
  onClose(): void;
  onSubmit(form: FormData): Promise<string | null>;
  children: ComponentChildren;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form
        id="dialog-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const problem = await props.onSubmit(new FormData(e.currentTarget as HTMLFormElement));
          setBusy(false);
          if (problem) setError(problem);
        }}
      >
        {props.children}
        {error && <p class="form-error" role="alert">{error}</p>}
        <button type="submit" class="primary" id="dialog-submit" disabled={busy}>
          {props.submit}
        </button>
      </form>
    </Dialog>
  );
}
