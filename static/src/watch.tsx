// A stream room's page: the live video, its live/offline state and viewers, and a latency readout.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { boot, url } from "./lib/boot.ts";
import { canPlayHls, type LivePlayer, type PlayerState, playLive } from "./lib/hls_player.ts";

interface RoomView {
  slug: string;
  name: string;
  isLive: boolean;
  viewers: number;
  hlsUrl: string;
}
interface Status {
  isLive: boolean;
  viewers: number;
}

const { slug, room } = boot<{ slug: string; room: RoomView | null }>();

/** Follows the room's topic: the greeting gives the state, then live/offline/viewers events. */
function useStatus(initial: RoomView): [Status, boolean] {
  const [status, setStatus] = useState<Status>(initial);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const events = new EventSource(url(`api/rooms/${slug}/events`));
    const apply = (e: MessageEvent) => {
      const data = JSON.parse(e.data).data as Status;
      setStatus({ isLive: data.isLive, viewers: data.viewers });
    };
    events.onopen = () => setConnected(true);
    events.onerror = () => setConnected(false);
    events.onmessage = apply; // the greeting: {type: "status"}
    for (const type of ["live", "offline", "viewers"]) events.addEventListener(type, apply);
    events.addEventListener("deleted", () => location.reload());
    return () => events.close();
  }, []);
  return [status, connected];
}

function Player({ src, live }: { src: string; live: boolean }) {
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<PlayerState>("loading");
  const [latency, setLatency] = useState<string>("");
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!live || !video.current) return;
    let player: LivePlayer | null = playLive(video.current, src, {
      onState: (next, detail) => {
        setState(next);
        if (next === "error") console.warn("Playback failed, retrying", detail);
        // A playlist not written yet, or a broken connection: try again while the room is live.
        // ("ended" is not retried: the room's next `live` event starts a fresh player.)
        if (next === "error") {
          player?.destroy();
          player = null;
          setTimeout(() => setAttempt((n) => n + 1), 1000);
        }
      },
    });
    const timer = setInterval(() => {
      const value = player?.latency();
      setLatency(value ? `${value.seconds.toFixed(1)} s (${value.from})` : "");
    }, 1000);
    return () => {
      clearInterval(timer);
      player?.destroy();
    };
  }, [src, live, attempt]);

  const shown = live ? state : "offline";
  return (
    <div class="player" id="player" data-state={shown}>
      <video ref={video} id="video" muted autoplay playsInline controls />
      {!live && (
        <div class="poster" id="offline">
          <strong>Offline</strong>
          <span class="muted">This room is not streaming right now. It starts here by itself.</span>
        </div>
      )}
      {live && state === "loading" && <div class="poster">Starting…</div>}
      <p class="muted player-info">
        {live && latency && <span id="latency">Latency {latency}</span>}
      </p>
    </div>
  );
}

function Watch({ room }: { room: RoomView }) {
  const [status, connected] = useStatus(room);
  return (
    <main class="watch">
      <header>
        <a href={url("")} class="muted">Roomcast</a>
        <h1>{room.name}</h1>
        <span id="status" class={status.isLive ? "badge live" : "badge"}>
          {status.isLive ? "Live" : "Offline"}
        </span>
        <span class="muted" id="viewers">
          {status.viewers} watching{connected ? "" : " · reconnecting…"}
        </span>
      </header>
      {canPlayHls()
        ? <Player src={room.hlsUrl} live={status.isLive} />
        : <p class="poster">This browser cannot play HLS video.</p>}
      <p class="muted">
        Stream link: <code>{room.hlsUrl}</code>
      </p>
    </main>
  );
}

render(
  room ? <Watch room={room} /> : (
    <main class="watch">
      <h1>Room not found</h1>
      <p class="muted">
        There is no stream room “{slug}”. <a href={url("")}>See all rooms</a>
      </p>
    </main>
  ),
  document.getElementById("app")!,
);
