// The server dialog: settings, channels (name, topic, order, delete), members (message, roles,
// kick, ban), bans, leave and delete; what a member may not do is not shown to them.
import { useEffect, useState } from "preact/hooks";
import { apiCall, type Channel, type MemberView } from "./workspace_api.ts";
import { Dialog } from "./workspace_views.tsx";
import { Avatar, ProfileDialog } from "./workspace_community_profile.tsx";
import { type CommunityView, manages } from "./workspace_community.ts";
import type { BanView } from "../../../routes/workspaces/community_wire.ts";

interface Props {
  view: CommunityView;
  channels: Channel[];
  members: MemberView[];
  userId: number;
  onClose(): void;
  /** Opens (making it if need be) the DM with this member. */
  onMessage(userId: number): void;
  /** The server is gone for this user (left or deleted). */
  onGone(): void;
  onError(message: string): void;
}

const RANK = { owner: 3, admin: 2, member: 1 } as const;
const problem = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** An input's text, kept here so a re-render (a live event) never resets what is being typed. */
function useField(initial: string) {
  const [value, setValue] = useState(initial);
  return {
    value,
    onInput: (e: Event) => setValue((e.target as HTMLInputElement).value),
  };
}

function SettingsSection(props: Props & { act(work: () => Promise<unknown>): void }) {
  const { view } = props;
  const name = useField(view.name);
  const [invite, setInvite] = useState(view.membersCanInvite);
  return (
    <form
      class="ws-community-row"
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        props.act(() =>
          apiCall("PATCH", `api/servers/${view.serverId}`, {
            name: data.get("name"),
            membersCanInvite: invite,
          })
        );
      }}
    >
      <input name="name" id="server-rename" required maxLength={100} {...name} />
      <label class="ws-check">
        <input
          type="checkbox"
          id="members-can-invite"
          checked={invite}
          onChange={(e) => setInvite((e.target as HTMLInputElement).checked)}
        />
        Members may invite
      </label>
      <button type="submit" id="server-save">Save</button>
    </form>
  );
}

function ChannelRow(props: {
  channel: Channel;
  topic: string;
  index: number;
  count: number;
  move(from: number, to: number): void;
  act(work: () => Promise<unknown>): void;
}) {
  const { channel: c } = props;
  const name = useField(c.name);
  const topic = useField(props.topic);
  return (
    <li class="ws-community-item" data-manage-channel={c.id}>
      <form
        class="ws-community-row"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          props.act(() =>
            apiCall("PATCH", `api/channels/${c.id}`, {
              name: data.get("name"),
              topic: data.get("topic") ?? "",
            })
          );
        }}
      >
        <input name="name" required maxLength={64} {...name} aria-label="Channel name" />
        {c.kind === "text" && (
          <input name="topic" maxLength={1024} {...topic} placeholder="Topic" aria-label="Topic" />
        )}
        <button type="submit">Save</button>
        <button
          type="button"
          aria-label="Move up"
          disabled={props.index === 0}
          onClick={() => props.move(props.index, props.index - 1)}
        >
          ↑
        </button>
        <button
          type="button"
          aria-label="Move down"
          disabled={props.index === props.count - 1}
          onClick={() => props.move(props.index, props.index + 1)}
        >
          ↓
        </button>
        <button
          type="button"
          class="danger"
          onClick={() =>
            confirm(`Delete #${c.name} and its messages?`) &&
            props.act(() => apiCall("DELETE", `api/channels/${c.id}`))}
        >
          Delete
        </button>
      </form>
    </li>
  );
}

function MemberRow(props: Props & { member: MemberView; act(work: () => Promise<unknown>): void }) {
  const { member: m, view, act } = props;
  const mine = RANK[view.role];
  const outranks = manages(view) && m.id !== props.userId && RANK[m.role] < mine;
  const base = `api/servers/${view.serverId}/members/${m.id}`;
  const role = (r: string) => act(() => apiCall("PATCH", base, { role: r }));
  return (
    <li class="ws-community-item" data-manage-member={m.id}>
      <Avatar name={m.displayName} url={view.avatars[m.id]} />
      <span class="ws-community-name">
        {m.displayName} <span class="muted">{m.role}</span>
      </span>
      {m.id !== props.userId && (
        <button
          type="button"
          class="dm-open"
          onClick={() => props.onMessage(m.id)}
        >
          Message
        </button>
      )}
      {view.role === "owner" && m.id !== props.userId && (
        <>
          {m.role === "member" && (
            <button type="button" onClick={() => role("admin")}>Make admin</button>
          )}
          {m.role === "admin" && (
            <button type="button" onClick={() => role("member")}>Remove admin</button>
          )}
          <button
            type="button"
            onClick={() => confirm(`Hand ${view.name} over to ${m.displayName}?`) && role("owner")}
          >
            Make owner
          </button>
        </>
      )}
      {outranks && (
        <>
          <button type="button" class="kick" onClick={() => act(() => apiCall("DELETE", base))}>
            Kick
          </button>
          <button
            type="button"
            class="danger ban"
            onClick={() =>
              confirm(`Ban ${m.displayName}? Their invite links stop working.`) &&
              act(() => apiCall("POST", `api/servers/${view.serverId}/bans`, { userId: m.id }))}
          >
            Ban
          </button>
        </>
      )}
    </li>
  );
}

function BansSection(props: { serverId: number; act(work: () => Promise<unknown>): void }) {
  const [bans, setBans] = useState<BanView[]>([]);
  const refresh = () =>
    apiCall<{ bans: BanView[] }>("GET", `api/servers/${props.serverId}/bans`).then(
      (r) => setBans(r.bans),
      () => {},
    );
  useEffect(() => void refresh(), [props.serverId]);
  if (!bans.length) return null;
  return (
    <section>
      <h3>Banned</h3>
      <ul>
        {bans.map((b) => (
          <li class="ws-community-item" key={b.userId}>
            <span class="ws-community-name">{b.displayName}</span>
            <button
              type="button"
              onClick={() =>
                props.act(async () => {
                  await apiCall("DELETE", `api/servers/${props.serverId}/bans/${b.userId}`);
                  await refresh();
                })}
            >
              Unban
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ServerDialog(props: Props) {
  const { view, channels } = props;
  const act = (work: () => Promise<unknown>) => void work().catch((e) => props.onError(problem(e)));
  const move = (from: number, to: number) => {
    const ids = channels.map((c) => c.id);
    const [id] = ids.splice(from, 1);
    ids.splice(to, 0, id);
    act(() => apiCall("PUT", `api/servers/${view.serverId}/channel-order`, { channelIds: ids }));
  };
  const manager = manages(view);
  return (
    <Dialog title={view.dm ? "Direct message" : view.name} onClose={props.onClose}>
      <div class="ws-community" id="server-dialog">
        {manager && <SettingsSection {...props} act={act} />}
        {manager && (
          <section>
            <h3>Channels</h3>
            <ul>
              {channels.map((c, i) => (
                <ChannelRow
                  key={c.id}
                  channel={c}
                  topic={view.topics[c.id] ?? ""}
                  index={i}
                  count={channels.length}
                  move={move}
                  act={act}
                />
              ))}
            </ul>
          </section>
        )}
        <section>
          <h3>Members</h3>
          <ul>
            {props.members.map((m) => <MemberRow key={m.id} {...props} member={m} act={act} />)}
          </ul>
        </section>
        {manager && <BansSection serverId={view.serverId} act={act} />}
        {!view.dm && (
          <section class="ws-community-row">
            {view.role !== "owner" && (
              <button
                type="button"
                class="danger"
                id="leave-server"
                onClick={() =>
                  confirm(`Leave ${view.name}?`) &&
                  act(async () => {
                    await apiCall("POST", `api/servers/${view.serverId}/leave`);
                    props.onGone();
                  })}
              >
                Leave server
              </button>
            )}
            {manager && !view.isDefault && (
              <button
                type="button"
                class="danger"
                id="delete-server"
                onClick={() =>
                  confirm(`Delete ${view.name}, its channels and messages, for everyone?`) &&
                  act(async () => {
                    await apiCall("DELETE", `api/servers/${view.serverId}`);
                    props.onGone();
                  })}
              >
                Delete server
              </button>
            )}
          </section>
        )}
      </div>
    </Dialog>
  );
}

/** The header's community part: the channel topic, the server button and the profile button. */
export function CommunityBar(
  props: Omit<Props, "view" | "onClose"> & {
    view: CommunityView | null;
    channelId: number | null;
  },
) {
  const [open, setOpen] = useState<"server" | "profile" | null>(null);
  const { view } = props;
  const topic = view && props.channelId ? view.topics[props.channelId] ?? "" : "";
  return (
    <>
      <span class="ws-topic muted" id="channel-topic" title={topic}>{topic}</span>
      {view && (
        <button
          type="button"
          class="ws-toggle-always"
          id="server-settings"
          aria-label={manages(view) ? "Server settings" : "Server"}
          title={manages(view) ? "Server settings" : "Server"}
          onClick={() => setOpen("server")}
        >
          ⚙
        </button>
      )}
      <button
        type="button"
        class="ws-toggle-always"
        id="open-profile"
        aria-label="Profile"
        title="Profile"
        onClick={() => setOpen("profile")}
      >
        ☺
      </button>
      {open === "server" && view && (
        <ServerDialog
          {...props}
          view={view}
          onClose={() => setOpen(null)}
          onMessage={(id) => (setOpen(null), props.onMessage(id))}
          onGone={() => (setOpen(null), props.onGone())}
        />
      )}
      {open === "profile" && <ProfileDialog onClose={() => setOpen(null)} />}
    </>
  );
}
