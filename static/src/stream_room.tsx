// The stream room page (/watch/<slug>): live video, room details, chat with presence, share, theatre.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { boot, timeAgo, url } from "./lib/boot.ts";
import { SiteHeader } from "./lib/site_header.tsx";
import { canPlayHls } from "./lib/hls_player.ts";
import { ChatPanel } from "./lib/stream_chat.tsx";
import { Player } from "./lib/stream_player.tsx";
import { duration } from "./lib/stream_time.ts";
import { request, useWatchRoom } from "./lib/watch_room.ts";
import type { LiveChange, RoomView, StreamRoomBoot } from "../../routes/streams/wire.ts";

const data = boot<StreamRoomBoot>();
const { slug } = data;

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
  status: Pick<LiveChange, "isLive" | "liveSince" | "lastLiveAt">;
  viewers: number;
  connected: boolean;
}) {
  const now = useNow(1000);
  return (
    <header class="watch-header">
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
  const { room, status, viewers, presence, messages, me, connected, join, send } = useWatchRoom(
    initial,
    { slug, pass: data.socketPass, since: data.eventId },
  );
  const [theatre, setTheatre] = useState(localStorage.getItem("roomcast.theatre") === "1");
  const [chatOpen, setChatOpen] = useState(true);
  const moderate = (method: string, path: string, body?: unknown) =>
    request(method, `api/rooms/${slug}${path ? `/${path}` : ""}`, body).then((r) => {
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
              onSlowMode={(seconds) => moderate("PATCH", "", { slowModeSeconds: seconds })}
              onClear={() => moderate("POST", "clear")}
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
  <>
    <SiteHeader here={`Stream · ${data.room?.name ?? slug}`} />
    {data.room ? <Watch initial={data.room} /> : data.locked ? <Locked /> : (
      <main class="watch">
        <h1>Room not found</h1>
        <p class="muted">
          There is no stream room “{slug}”. <a href={url("")}>See all rooms</a>
        </p>
      </main>
    )}
  </>,
  document.getElementById("app")!,
);
