// A stream room's page: the live video, room details, chat with presence, share menu, theatre mode.
import { render } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { boot, timeAgo, url } from "./lib/boot.ts";
import { canPlayHls } from "./lib/hls_player.ts";
import { type ChatMessage, ChatPanel, type Presence } from "./lib/stream_chat.tsx";
import { Player } from "./lib/stream_player.tsx";
import { connectRoom, type RoomSocket } from "./lib/stream_socket.ts";
import { duration } from "./lib/stream_time.ts";
import type { WsEvent } from "./lib/ws_socket.ts";

interface RoomView {
  slug: string;
  name: string;
  description: string;
  private: boolean;
  slowModeSeconds: number;
  isLive: boolean;
  viewers: number;
  liveSince: string | null;
  lastLiveAt: string | null;
  hlsUrl: string;
  watchUrl: string;
}

interface Joined {
  token: string;
  nickname: string;
  expiresAt: string;
}

const data = boot<{
  slug: string;
  room: RoomView | null;
  socketPass?: string;
  admin?: boolean;
  quality?: boolean;
  locked?: boolean;
  inviteError?: string | null;
}>();
const { slug } = data;
const tokenKey = `roomcast.chat.${slug}`;

/** The chat token kept in this browser for this room, while it is valid. */
function storedToken(): Joined | null {
  try {
    const saved = JSON.parse(localStorage.getItem(tokenKey) ?? "null") as Joined | null;
    return saved && Date.parse(saved.expiresAt) > Date.now() + 60_000 ? saved : null;
  } catch {
    return null;
  }
}

async function request(method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url(path), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, body: json };
}

function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

function copy(text: string, done: (ok: boolean) => void) {
  navigator.clipboard?.writeText(text).then(() => done(true), () => done(false)) ?? done(false);
}

function ShareMenu({ room }: { room: RoomView }) {
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState("");
  const item = (id: string, label: string, value: string) => (
    <div class="share-item">
      <span class="muted">{label}</span>
      <div class="chat-row">
        <input id={`${id}-link`} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          id={`${id}-copy`}
          onClick={() => copy(value, (ok) => setCopied(ok ? id : ""))}
        >
          {copied === id ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
  return (
    <div class="share">
      <button type="button" id="share" aria-expanded={open} onClick={() => setOpen(!open)}>
        Share
      </button>
      {open && (
        <div class="share-menu" id="share-menu">
          {item(
            "watch",
            room.private ? "This page (invited browsers only)" : "This page",
            room.watchUrl,
          )}
          {item("hls", "HLS link, for VLC or other players", room.hlsUrl)}
        </div>
      )}
    </div>
  );
}

function RoomDetails({ room, status, viewers, connected }: {
  room: RoomView;
  status: Pick<RoomView, "isLive" | "liveSince" | "lastLiveAt">;
  viewers: number;
  connected: boolean;
}) {
  const now = useNow(1000);
  return (
    <header class="watch-header">
      <a href={url("")} class="muted">Roomcast</a>
      <h1 id="room-name">{room.name}</h1>
      <span id="status" class={status.isLive ? "badge live" : "badge"}>
        {status.isLive ? "Live" : "Offline"}
      </span>
      <span class="muted" id="viewers">
        {viewers} watching{connected ? "" : " · reconnecting…"}
      </span>
      {status.isLive && status.liveSince && (
        <span class="muted" id="uptime">
          Live for {duration(now - Date.parse(status.liveSince))}
        </span>
      )}
      {!status.isLive && status.lastLiveAt && (
        <span class="muted" id="last-live">Last live {timeAgo(status.lastLiveAt, now)}</span>
      )}
    </header>
  );
}

function Watch({ initial }: { initial: RoomView }) {
  const [room, setRoom] = useState(initial);
  const [status, setStatus] = useState({
    isLive: initial.isLive,
    liveSince: initial.liveSince,
    lastLiveAt: initial.lastLiveAt,
  });
  const [viewers, setViewers] = useState(initial.viewers);
  const [presence, setPresence] = useState<Presence | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [me, setMe] = useState<Joined | null>(storedToken);
  const [connected, setConnected] = useState(false);
  const [theatre, setTheatre] = useState(localStorage.getItem("roomcast.theatre") === "1");
  const [chatOpen, setChatOpen] = useState(true);
  const socket = useRef<RoomSocket | null>(null);
  const pending = useMemo(() => new Map<string, (error: string | null) => void>(), []);

  const loadMessages = () =>
    request("GET", `api/rooms/${slug}/messages`).then((r) => r.ok && setMessages(r.body));
  const forget = () => {
    localStorage.removeItem(tokenKey);
    setMe(null);
    socket.current?.setToken(null);
  };

  const onEvent = (event: WsEvent) => {
    const e = event as Record<string, unknown>;
    switch (event.type) {
      case "live":
      case "offline":
        setStatus({
          isLive: Boolean(e.isLive),
          liveSince: (e.liveSince as string) ?? null,
          lastLiveAt: (e.lastLiveAt as string) ?? null,
        });
        break;
      case "viewers":
        setViewers(e.viewers as number);
        break;
      case "presence":
        setPresence(e as unknown as Presence);
        setViewers(e.viewers as number);
        break;
      case "message": {
        const message = e.message as ChatMessage;
        setMessages((list) =>
          list.some((m) => m.id === message.id) ? list : [...list, message].slice(-200)
        );
        break;
      }
      case "message-deleted":
        setMessages((list) => list.filter((m) => m.id !== e.id));
        break;
      case "chat-cleared":
        setMessages([]);
        break;
      case "room":
        setRoom((r) => ({ ...r, ...(e as Partial<RoomView>) }));
        break;
      case "deleted":
        location.reload();
        break;
      case "stream:sent":
      case "error": {
        const done = pending.get(String(e.ref));
        if (done) {
          pending.delete(String(e.ref));
          done(event.type === "error" ? String(e.error) : null);
        }
        if (event.type !== "error") break;
        if (e.code === "invalid_token" || e.code === "banned") forget();
        // A socket pass ends with a server restart or after half a day: a reload brings a new one.
        if (e.code === "forbidden" && e.ref === undefined && room.private) location.reload();
        break;
      }
    }
  };
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    loadMessages();
    const s = connectRoom({
      slug,
      pass: data.socketPass,
      onEvent: (event) => handler.current(event),
      onState: (state) => setConnected(state === "live"),
      onReset: () => void loadMessages(),
    });
    socket.current = s;
    if (me) s.setToken(me.token);
    return () => s.close();
  }, []);

  const join = async (nickname: string) => {
    const r = await request("POST", `api/rooms/${slug}/join`, { nickname });
    if (!r.ok) return String(r.body.error ?? "Cannot join the chat");
    localStorage.setItem(tokenKey, JSON.stringify(r.body));
    localStorage.setItem("roomcast.nickname", r.body.nickname);
    setMe(r.body);
    socket.current?.setToken(r.body.token);
    return null;
  };
  const send = (content: string) =>
    new Promise<string | null>((resolve) => {
      if (!me) return resolve("Join the chat first");
      const ref = crypto.randomUUID();
      pending.set(ref, resolve);
      if (socket.current?.send({ type: "stream:message", token: me.token, content, ref })) return;
      // No socket right now: REST does the same.
      pending.delete(ref);
      request("POST", `api/rooms/${slug}/messages`, { content }, me.token).then((r) => {
        if (!r.ok && (r.status === 401 || r.body.code === "banned")) forget();
        resolve(r.ok ? null : String(r.body.error ?? "Cannot send"));
      });
    });
  const moderate = (method: string, path: string, body?: unknown) =>
    request(method, `api/rooms/${slug}/${path}`, body).then((r) => {
      if (!r.ok) alert(r.body.error ?? "Moderation failed");
    });
  const toggleTheatre = () => {
    localStorage.setItem("roomcast.theatre", theatre ? "0" : "1");
    setTheatre(!theatre);
  };

  return (
    <main class={theatre ? "watch watch-theatre" : "watch"} id="watch">
      <RoomDetails room={room} status={status} viewers={viewers} connected={connected} />
      <div class="watch-layout">
        <section class="watch-main">
          {canPlayHls()
            ? (
              <Player
                src={room.hlsUrl}
                live={status.isLive}
                qualityPicker={Boolean(data.quality)}
              />
            )
            : <p class="poster">This browser cannot play HLS video.</p>}
          <div class="watch-tools">
            <ShareMenu room={room} />
            <button type="button" id="theatre" aria-pressed={theatre} onClick={toggleTheatre}>
              {theatre ? "Default view" : "Theatre mode"}
            </button>
            {data.admin && <a href={url("studio")}>Studio</a>}
          </div>
          {room.description && <p class="watch-description" id="description">{room.description}</p>}
        </section>
        <aside class={chatOpen ? "watch-chat" : "watch-chat closed"} id="chat">
          <button
            type="button"
            class="chat-toggle"
            id="chat-toggle"
            aria-expanded={chatOpen}
            onClick={() => setChatOpen(!chatOpen)}
          >
            Chat {chatOpen ? "▾" : "▸"}
          </button>
          {chatOpen && (
            <ChatPanel
              messages={messages}
              presence={presence}
              nickname={me?.nickname ?? null}
              lastNickname={localStorage.getItem("roomcast.nickname") ?? ""}
              admin={Boolean(data.admin)}
              slowModeSeconds={room.slowModeSeconds}
              onJoin={join}
              onSend={send}
              onDelete={(id) => moderate("DELETE", `messages/${id}`)}
              onBan={(id) => moderate("POST", "bans", { messageId: id })}
            />
          )}
        </aside>
      </div>
    </main>
  );
}

function Locked() {
  return (
    <main class="watch">
      <h1>This room is private</h1>
      {data.inviteError && <p class="chat-error" id="invite-error">{data.inviteError}</p>}
      <p class="muted">
        Ask the host for an invite link. <a href={url("")}>See public rooms</a>
      </p>
    </main>
  );
}

render(
  data.room ? <Watch initial={data.room} /> : data.locked ? <Locked /> : (
    <main class="watch">
      <h1>Room not found</h1>
      <p class="muted">
        There is no stream room “{slug}”. <a href={url("")}>See all rooms</a>
      </p>
    </main>
  ),
  document.getElementById("app")!,
);
