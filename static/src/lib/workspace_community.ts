// The workspace page's community state: the open server's role, topics, settings and avatars,
// the DM list, and what each community /ws event changes in the page's own lists.
import { useRef, useState } from "preact/hooks";
import { apiCall, type Channel, type MemberView, type ServerView } from "./workspace_api.ts";
import type {
  CommunityEvent,
  CommunityEvents,
  CommunityView,
  DmView,
} from "../../../routes/workspaces/community_wire.ts";

export type { CommunityView, DmView };

/** The page's own lists this state keeps in step, and how to reload a server. */
export interface CommunityHost {
  userId: number;
  serverId(): number | null;
  setServers(f: (s: ServerView[]) => ServerView[]): void;
  setChannels(f: (c: Channel[]) => Channel[]): void;
  setMembers(f: (m: MemberView[]) => MemberView[]): void;
  follow(topic: string): void;
  /** Loads the server (or, without one, the first there is), as a fresh page would. */
  reload(serverId?: number): void;
  notice(message: string): void;
}

const COMMUNITY_TYPES = new Set([
  "server:update",
  "channel:update",
  "channel:delete",
  "channels:order",
  "member:role",
  "member:remove",
  "member:profile",
  "dm",
  "removed",
]);

const REMOVED_TEXT = {
  kicked: "You were removed from the server",
  banned: "You were banned from the server",
  left: "You left the server",
  deleted: "The server was deleted",
};

/** Whether a /ws event is one of the community's. */
export const isCommunityEvent = (e: { type: string }): e is CommunityEvent =>
  COMMUNITY_TYPES.has(e.type);

/** Whether `role` runs the server (owner or admin). */
export const manages = (view: CommunityView | null) =>
  !!view && !view.dm && (view.role === "owner" || view.role === "admin");

type Setter<T> = (f: (value: T) => T) => void;

/** What one community event changes: the page's lists through the host, and this state. */
function applyEvent(
  e: CommunityEvent,
  ctx: {
    host: CommunityHost;
    setView: Setter<CommunityView | null>;
    setDms: Setter<DmView[]>;
  },
): void {
  const { host: h, setView } = ctx;
  const here = (serverId: number) => h.serverId() === serverId;
  const patchView = (serverId: number, change: Partial<CommunityView>) =>
    setView((v) => (v && v.serverId === serverId ? { ...v, ...change } : v));
  switch (e.type) {
    case "server:update":
      h.setServers((ss) => ss.map((s) => (s.id === e.serverId ? { ...s, name: e.name } : s)));
      patchView(e.serverId, { name: e.name, membersCanInvite: e.membersCanInvite });
      break;
    case "channel:update":
      if (!here(e.serverId)) break;
      h.setChannels((cs) => cs.map((c) => (c.id === e.channel.id ? e.channel : c)));
      setView((v) => v && { ...v, topics: { ...v.topics, [e.channel.id]: e.channelTopic } });
      break;
    case "channel:delete":
      if (here(e.serverId)) h.reload(e.serverId);
      break;
    case "channels:order":
      if (!here(e.serverId)) break;
      h.setChannels((cs) =>
        [...cs].sort((a, b) => e.channelIds.indexOf(a.id) - e.channelIds.indexOf(b.id))
      );
      break;
    case "member:role":
      if (e.userId === h.userId) {
        h.setServers((ss) => ss.map((s) => (s.id === e.serverId ? { ...s, role: e.role } : s)));
        patchView(e.serverId, { role: e.role });
      }
      if (here(e.serverId)) {
        h.setMembers((ms) => ms.map((m) => (m.id === e.userId ? { ...m, role: e.role } : m)));
      }
      break;
    case "member:remove":
      if (here(e.serverId)) h.setMembers((ms) => ms.filter((m) => m.id !== e.userId));
      break;
    case "member:profile":
      if (here(e.serverId)) applyProfile(e, ctx);
      break;
    case "dm":
      applyDm(e, ctx);
      break;
    case "removed":
      h.setServers((ss) => ss.filter((s) => s.id !== e.serverId));
      h.notice(REMOVED_TEXT[e.reason]);
      if (here(e.serverId)) h.reload();
      break;
  }
}

type Ctx = Parameters<typeof applyEvent>[1];

/** A member's new name or picture, wherever this page shows them. */
function applyProfile(e: CommunityEvents["member:profile"], { host, setView, setDms }: Ctx) {
  host.setMembers((ms) =>
    ms.map((m) => (m.id === e.userId ? { ...m, displayName: e.displayName } : m))
  );
  setView((v) => {
    if (!v) return v;
    const avatars = { ...v.avatars };
    if (e.avatarUrl) avatars[e.userId] = e.avatarUrl;
    else delete avatars[e.userId];
    return { ...v, avatars };
  });
  setDms((list) =>
    list.map((d) =>
      d.peer.id === e.userId
        ? { ...d, peer: { ...d.peer, displayName: e.displayName, avatarUrl: e.avatarUrl } }
        : d
    )
  );
}

/** A DM opened with this user: listed, in the rail, and followed for its badges. */
function applyDm(e: CommunityEvents["dm"], { host, setDms }: Ctx) {
  setDms((list) => [e.dm, ...list.filter((d) => d.serverId !== e.dm.serverId)]);
  host.setServers((ss) =>
    ss.some((s) => s.id === e.dm.serverId) ? ss : [...ss, {
      id: e.dm.serverId,
      name: "Direct message",
      ownerId: null,
      role: "member",
      isDefault: false,
    }]
  );
  host.follow(`workspace:${e.dm.serverId}`);
}

export function useCommunity(host: CommunityHost) {
  const [view, setView] = useState<CommunityView | null>(null);
  const [dms, setDms] = useState<DmView[]>([]);
  const hostRef = useRef(host);
  hostRef.current = host;

  const load = async (serverId: number | null) => {
    const [community, list] = await Promise.all([
      serverId ? apiCall<CommunityView>("GET", `api/servers/${serverId}/community`) : null,
      apiCall<{ dms: DmView[] }>("GET", "api/dms"),
    ]);
    if (hostRef.current.serverId() === serverId) setView(community);
    setDms(list.dms);
  };

  /** Applies a community event; false for any other event. */
  const onEvent = (e: { type: string }): boolean => {
    if (!isCommunityEvent(e)) return false;
    applyEvent(e, { host: hostRef.current, setView, setDms });
    return true;
  };

  /** The name a server shows: a DM's is the other person's. */
  const nameOf = (server: ServerView | undefined): string => {
    if (!server) return "";
    return dms.find((d) => d.serverId === server.id)?.peer.displayName ?? server.name;
  };
  const names = Object.fromEntries(dms.map((d) => [d.serverId, `@${d.peer.displayName}`]));

  /** Opens the DM with `userId` (made on first use) as the current "server". */
  const openDm = (userId: number) =>
    void apiCall<{ dm: DmView }>("POST", "api/dms", { userId }).then(
      ({ dm }) => hostRef.current.reload(dm.serverId),
      (e) => hostRef.current.notice(e instanceof Error ? e.message : String(e)),
    );

  return { view, dms, load, onEvent, nameOf, names, openDm };
}
