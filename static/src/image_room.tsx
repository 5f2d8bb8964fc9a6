// The image room page: the live image full screen, swapped without a flash on every upload.
import { render } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { boot, timeAgo, url } from "./lib/boot.ts";
import { SiteHeader } from "./lib/site_header.tsx";
import type { ImageRoomPageData, ImageView, RoomMeta } from "../../routes/images/wire.ts";

type Connection = "connecting" | "live" | "reconnecting";

const { room } = boot<ImageRoomPageData>();

function preload(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve();
    img.onerror = () => reject(new Error(`Cannot load image ${src}`));
    img.src = src;
    if (img.decode) img.decode().then(resolve, () => {});
  });
}

function ImageRoom() {
  const [meta, setMeta] = useState<RoomMeta>({ room, current: null, recent: [] });
  const [shown, setShown] = useState<ImageView | null>(null);
  const [pinned, setPinned] = useState<ImageView | null>(null);
  const [connection, setConnection] = useState<Connection>("connecting");
  const [, tick] = useState(0);
  const latest = useRef(0);

  const refresh = useCallback(async () => {
    const response = await fetch(url(`${room}/meta`), { cache: "no-store" });
    if (!response.ok) return;
    const next: RoomMeta = await response.json();
    setMeta(next);
    const current = next.current;
    if (current && current.id > latest.current) {
      latest.current = current.id;
      await preload(current.url).catch(() => {});
      // Only swap once the new image is decoded, so viewers never see a blank or half image.
      if (latest.current === current.id) setShown(current);
    }
  }, []);

  useEffect(() => {
    let events: EventSource;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      events = new EventSource(url(`${room}/events`));
      events.onopen = () => setConnection("live");
      events.onerror = () => {
        setConnection("reconnecting");
        // A room with no image yet answers 404, which EventSource does not retry by itself.
        if (events.readyState === EventSource.CLOSED) retry = setTimeout(open, 3000);
      };
      events.onmessage = (e) => {
        setConnection("live");
        if (e.data === "updated" || e.data === "connected") void refresh();
      };
    };
    open();
    const timer = setInterval(() => tick((n) => n + 1), 30_000);
    return () => (events.close(), clearTimeout(retry), clearInterval(timer));
  }, [refresh]);

  useEffect(() => {
    // Keep the screen on while someone watches a room on a wall display.
    let lock: { release(): Promise<void> } | undefined;
    const nav = navigator as Navigator & {
      wakeLock?: { request(t: "screen"): Promise<typeof lock> };
    };
    const acquire = () => {
      if (document.visibilityState === "visible") {
        nav.wakeLock?.request("screen").then((l) => (lock = l)).catch(() => {});
      }
    };
    acquire();
    document.addEventListener("visibilitychange", acquire);
    return () => (document.removeEventListener("visibilitychange", acquire), void lock?.release());
  }, []);

  const image = pinned ?? shown;
  const fullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void document.documentElement.requestFullscreen().catch(() => {});
  };

  return (
    <div class="viewer">
      {image
        ? <img id="live" class="live" src={image.url} data-id={image.id} alt={`Image in ${room}`} />
        : (
          <div class="empty">
            Waiting for the first image in <b>{room}</b>…
          </div>
        )}
      <header class="viewer-bar">
        <span class="room-name">{room}</span>
        <span class={`status status-${connection}`} id="status">{connection}</span>
        {image && (
          <span class="credit">
            {pinned ? "Showing an earlier image · " : ""}
            by <b>{image.uploadedBy}</b> · {timeAgo(image.uploadedAt)}
          </span>
        )}
        <button type="button" onClick={fullscreen} title="Fullscreen" aria-label="Fullscreen">
          <svg
            width="16"
            height="16"
            viewBox="0 0 16 16"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
          >
            <path d="M1 5V1h4M11 1h4v4M15 11v4h-4M5 15H1v-4" />
          </svg>
        </button>
      </header>
      {meta.recent.length > 1 && (
        <nav class="strip" aria-label="Recent images">
          {meta.recent.map((item) => (
            <button
              type="button"
              key={item.id}
              class={item.id === image?.id ? "current" : ""}
              onClick={() => setPinned(item.id === shown?.id ? null : item)}
              title={`${item.uploadedBy}, ${timeAgo(item.uploadedAt)}`}
            >
              <img src={item.url} alt="" loading="lazy" />
            </button>
          ))}
        </nav>
      )}
    </div>
  );
}

render(
  <>
    <SiteHeader here={`Image room · ${room}`} />
    <ImageRoom />
  </>,
  document.getElementById("app")!,
);
