// The workspace page (EchoSphere's SPA): servers, channels with unread badges, live messages,
// members, voice channels with their live rosters, and the shared screen.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { boot, url } from "./lib/boot.ts";
import { SiteHeader } from "./lib/site_header.tsx";
import {
  apiCall,
  type Bootstrap,
  type Channel,
  type MemberView,
  mergeMessages,
  type Message,
  type ServerMembers,
  type ServerView,
  type WorkspacePageData,
} from "./lib/workspace_api.ts";
import {
  type ConnectionState,
  connectWs,
  type WsEvent,
  type WsSocket,
  wsUrl,
} from "./lib/ws_socket.ts";
import { ChannelList, MemberList, ServerList } from "./lib/workspace_views.tsx";
import { MessageList } from "./lib/workspace_msg_list.tsx";
import { dividerAt, useUnread } from "./lib/workspace_unread.ts";
import { useChannelWindow } from "./lib/workspace_window.ts";
import { Composer } from "./lib/workspace_msg_composer.tsx";
import { PinsPanel } from "./lib/workspace_msg_item.tsx";
import { useMessageActions } from "./lib/workspace_msg_live.ts";
import { onSocketEvent, type SocketEvent } from "./lib/workspace_events.ts";
import { TypingLine, useTyping } from "./lib/workspace_typing.tsx";
import { type DialogKind, WorkspaceDialog } from "./lib/workspace_dialogs.tsx";
import { ScreenView, useVoice, useVoiceRosters, VoiceBar } from "./lib/workspace_voice_view.tsx";
import {
  followAddress,
  showChannelPath,
  useDrawerEscape,
  useUnreadTitle,
} from "./lib/workspace_nav.ts";
import {
  AttachButton,
  UploadList,
  useDropAndPaste,
  useUploads,
} from "./lib/workspace_nav_files.tsx";
import { type Panel, TopBar } from "./lib/workspace_top.tsx";
import { useCommunity } from "./lib/workspace_community.ts";
import { CommunityBar } from "./lib/workspace_community_dialogs.tsx";

const { user, basePath } = boot<WorkspacePageData>();
const PAGE = 50;

/** This tab is connected, whatever a snapshot taken before its socket registered says. */
const withSelfOnline = (members: MemberView[]) =>
  members.map((m) => (m.id === user.id ? { ...m, online: true } : m));

function Workspace() {
  const [servers, setServers] = useState<ServerView[]>([]);
  const [serverId, setServerId] = useState<number | null>(null);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [channelId, setChannelId] = useState<number | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [members, setMembers] = useState<MemberView[]>([]);
  const counts = useUnread(user.email);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [pins, setPins] = useState<Message[] | null>(null);
  const typing = useTyping();
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  const [dialog, setDialog] = useState<DialogKind>(null);
  const [error, setError] = useState<string | null>(null);
  const [panel, setPanel] = useState<Panel>("none");
  const ws = useRef<WsSocket | null>(null);
  const { voice, view: voiceView } = useVoice(
    (m) => ws.current?.send(m) ?? false,
    (message) => setError(message),
  );
  const voiceName = useRef("");
  const rosters = useVoiceRosters(() => now.current.serverId);
  const now = useRef({ serverId, channelId });
  now.current = { serverId, channelId };
  const lastTyping = useRef(0);
  // While back/forward or the first load picks the channel, the address already names it.
  const fromHistory = useRef(false);
  const community = useCommunity({
    userId: user.id,
    serverId: () => now.current.serverId,
    setServers,
    setChannels,
    setMembers,
    follow: (topic) => ws.current?.follow(topic),
    reload: (id) => void load(id ? { serverId: id } : {}).catch(fail),
    notice: setError,
  });

  const fail = (e: unknown) => setError(e instanceof Error ? e.message : String(e));
  const win = useChannelWindow({
    page: PAGE,
    channelId: () => now.current.channelId,
    setMessages,
    setHasMore,
    onOpened: counts.marks.opened,
    fail,
  });
  win.shown(messages);

  const showChannel = (id: number, initial?: Message[], around?: number) => {
    now.current.channelId = id;
    if (now.current.serverId) showChannelPath(now.current.serverId, id, fromHistory.current);
    setChannelId(id);
    typing.reset();
    setReplyTo(null);
    setPins(null);
    setPanel("none");
    ws.current?.followChannel(id);
    localStorage.setItem("roomcast.channel", String(id));
    setMessages([]);
    win.open(id, initial, around);
  };

  const load = async (want: { serverId?: number; channelId?: number; around?: number } = {}) => {
    const query = new URLSearchParams();
    if (want.serverId) query.set("serverId", String(want.serverId));
    if (want.channelId) query.set("channelId", String(want.channelId));
    const b = await apiCall<Bootstrap>("GET", `api/bootstrap?${query}`);
    setServers(b.servers);
    setServerId(b.activeServerId);
    now.current.serverId = b.activeServerId;
    setChannels(b.channels);
    setMembers(withSelfOnline(b.members));
    void counts.refresh().catch(() => {});
    for (const s of b.servers) ws.current?.follow(`workspace:${s.id}`);
    if (b.activeServerId) void rosters.load(b.activeServerId);
    void community.load(b.activeServerId).catch(() => {});
    if (b.activeServerId) localStorage.setItem("roomcast.server", String(b.activeServerId));
    if (b.activeChannelId) showChannel(b.activeChannelId, b.messages, want.around);
    else {
      setChannelId(null);
      ws.current?.followChannel(null);
      setMessages([]);
    }
  };

  const resync = async () => {
    // After a reconnect the counts come from the server again, so badges cannot drift.
    await counts.refresh();
    if (now.current.serverId) {
      const r = await apiCall<ServerMembers>("GET", `api/servers/${now.current.serverId}/members`);
      setMembers(withSelfOnline(r.members));
      await rosters.load(now.current.serverId);
    }
  };

  const onEvent = (raw: WsEvent) =>
    onSocketEvent(raw as SocketEvent, {
      userId: user.id,
      ...now.current,
      ...{ rosters, voice, community, counts, typing, pinsOpen: pins !== null },
      shortOfPresent: win.shortOfPresent,
      ...{ setMessages, setChannels, setMembers, togglePins, load, showChannel, resync, setError },
    });
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    ws.current = connectWs({
      url: wsUrl(basePath),
      onEvent: (e) => handler.current(e),
      onState: setConnection,
      onSignedOut: () => location.assign(url("login")),
      onOpen: (first) => {
        ws.current?.follow(`account:${user.id}`);
        if (!first) {
          void resync().catch(() => {});
          voice.rejoin();
        }
      },
    });
    const saved = (key: string) => Number(localStorage.getItem(key)) || undefined;
    const unfollow = followAddress({
      load,
      show: (id) => showChannel(id),
      serverId: () => now.current.serverId,
      quiet: fromHistory,
      fallback: { serverId: saved("roomcast.server"), channelId: saved("roomcast.channel") },
      fail,
    });
    const invite = new URLSearchParams(location.search).get("invite");
    if (invite) setDialog({ join: invite });
    return () => (ws.current?.close(), unfollow());
  }, []);

  useUnreadTitle(counts.unread, "Workspaces · Roomcast");
  useDrawerEscape(panel !== "none", () => setPanel("none"));
  const files = useUploads((message) => {
    if (now.current.channelId === message.channelId) {
      setMessages((prev) => mergeMessages(prev, [message]));
    }
  });
  const sendFiles = (list: File[]) => {
    if (channelId && list.length) files.start(channelId, list);
  };
  useDropAndPaste(sendFiles);
  const { actions, loadOlder, togglePins, send } = useMessageActions({
    channelId: () => now.current.channelId,
    messages,
    hasMore,
    page: PAGE,
    setMessages,
    setHasMore,
    setReplyTo,
    setPins,
    fail,
    setError,
  });
  const names = new Map(members.map((m) => [m.id, m.displayName]));

  const server = servers.find((s) => s.id === serverId);
  const channel = channels.find((c) => c.id === channelId);

  return (
    <div class={`ws-app panel-${panel}`}>
      <ServerList
        servers={servers}
        names={community.names}
        active={serverId}
        badges={counts.badges}
        onPick={(id) => (setPanel("none"), void load({ serverId: id }).catch(fail))}
        onCreate={() => setDialog("server")}
      />
      <ChannelList
        server={server && { ...server, name: community.nameOf(server) }}
        canInvite={community.view?.membersCanInvite}
        channels={channels}
        active={channelId}
        unread={counts.unread}
        mentions={counts.mentions}
        rosters={rosters.byChannel}
        voice={voiceView}
        onPick={showChannel}
        onVoice={(id) => {
          voiceName.current = channels.find((c) => c.id === id)?.name ?? "";
          setPanel("none");
          void voice.join(id);
        }}
        onCreate={() => setDialog("channel")}
        onInvite={() => setDialog("invite")}
      />
      <main class="ws-main">
        <TopBar
          channelName={channel?.name ?? ""}
          serverId={serverId}
          connection={connection}
          panel={panel}
          setPanel={setPanel}
          onJump={(r) => showChannel(r.channelId, undefined, r.id)}
          onPins={() => void togglePins(!pins)}
        >
          <CommunityBar
            view={community.view}
            channelId={channelId}
            channels={channels}
            members={members}
            userId={user.id}
            onMessage={community.openDm}
            onGone={() => void load().catch(fail)}
            onError={setError}
          />
        </TopBar>
        {error && (
          <p class="form-error ws-error" role="alert" onClick={() => setError(null)}>{error} ×</p>
        )}
        {pins && (
          <PinsPanel
            pins={pins}
            user={user}
            onJump={actions.jump}
            onClose={() => setPins(null)}
          />
        )}
        <VoiceBar view={voiceView} channelName={voiceName.current} voice={voice} />
        <ScreenView
          stream={voiceView.screen}
          own={voiceView.sharer !== null && voiceView.sharer === voiceView.self?.id}
          who={voiceView.peers.find((p) => p.id === voiceView.sharer)?.displayName ?? ""}
        />
        <MessageList
          channelId={channelId}
          messages={messages}
          user={user}
          hasMore={hasMore}
          hasNewer={win.view.hasNewer}
          opened={win.view.opened}
          divider={dividerAt(messages, win.view.readMark, user.email)}
          unread={channelId ? counts.unread[channelId] ?? 0 : 0}
          onOlder={async () => void await loadOlder()}
          onNewer={win.newer}
          onPresent={() => void win.present().catch(fail)}
          onSeen={(id) => channelId && counts.marks.seen(channelId, id)}
          onFollow={(following) => counts.follow(following ? channelId : null)}
          names={names}
          actions={actions}
        />
        <TypingLine names={typing.names} />
        <UploadList uploads={files.uploads} onDismiss={files.dismiss} />
        <div class="ws-compose-row">
          <AttachButton disabled={!channel} onFiles={sendFiles} />
          <Composer
            channelId={channelId}
            channelName={channel?.name ?? ""}
            disabled={!channel}
            members={members}
            replyTo={replyTo}
            onCancelReply={() => setReplyTo(null)}
            onTyping={() => {
              if (!channelId || Date.now() - lastTyping.current < 3000) return;
              lastTyping.current = Date.now();
              ws.current?.send({ type: "typing", channelId });
            }}
            onSend={async (...args) => {
              // A message sent from far back lands at the present: go there first.
              if (win.shortOfPresent()) await win.present();
              await send(...args);
            }}
          />
        </div>
      </main>
      <MemberList members={members} />
      {panel !== "none" && (
        <div
          class="ws-backdrop"
          id="drawer-backdrop"
          onClick={() => setPanel("none")}
        />
      )}
      {dialog && (
        <WorkspaceDialog
          kind={dialog}
          server={server}
          onClose={() => setDialog(null)}
          onServer={(id) => {
            setDialog(null);
            if (location.search) history.replaceState(null, "", url("app"));
            void load({ serverId: id }).catch(fail);
          }}
          onChannel={(c) => {
            setDialog(null);
            setChannels((cs) => cs.some((x) => x.id === c.id) ? cs : [...cs, c]);
            if (c.kind === "text") showChannel(c.id);
          }}
        />
      )}
    </div>
  );
}

render(
  <>
    <SiteHeader here="Workspaces" />
    <Workspace />
  </>,
  document.getElementById("app")!,
);
