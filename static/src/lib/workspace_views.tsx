// Presentational pieces of the workspace app: the server rail with its badges, channels, members,
// dialogs.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { Channel, MemberView, ServerView } from "./workspace_api.ts";
import type { ServerBadge } from "./workspace_unread.ts";
import type { VoiceView } from "./workspace_voice.ts";
import { type VoiceRoster, VoiceRosterList } from "./workspace_voice_view.tsx";

export function ServerList(props: {
  servers: ServerView[];
  active: number | null;
  /** What a server shows instead of its name (a DM: the other person's). */
  names?: Record<string, string>;
  /** Unread and mention totals by server id (servers with neither left out). */
  badges: Record<string, ServerBadge>;
  onPick(id: number): void;
  onCreate(): void;
}) {
  const count = (n: number) => (n > 99 ? "99+" : String(n));
  return (
    <nav class="ws-servers" id="servers" aria-label="Servers">
      {props.servers.map((s) => {
        const badge = props.badges[s.id];
        const name = props.names?.[s.id] ?? s.name;
        const label = badge
          ? `${name}: ${badge.unread} unread${badge.mentions ? `, ${badge.mentions} mentions` : ""}`
          : name;
        return (
          <button
            type="button"
            key={s.id}
            data-server-id={s.id}
            class={`${s.id === props.active ? "active" : ""} ${badge ? "unread" : ""}`}
            title={label}
            aria-label={label}
            onClick={() => props.onPick(s.id)}
          >
            {name.slice(0, 2)}
            {badge?.mentions
              ? <span class="ws-server-badge mention">@{count(badge.mentions)}</span>
              : badge && <span class="ws-server-badge">{count(badge.unread)}</span>}
          </button>
        );
      })}
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
