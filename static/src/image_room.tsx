// The image room page: the live image full screen, swapped without a flash on every upload; uploads
// from the browser, the recent strip with "back to live", captions, and a slideshow.
import { render } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { boot, timeAgo, url } from "./lib/boot.ts";
import { ImageUploader } from "./lib/image_uploader.tsx";
import { BackToLive, EmptyRoom, NoSuchRoom } from "./lib/image_states.tsx";
import { slideshowOptions, useSlideshow } from "./lib/image_slideshow.ts";
import { SiteHeader } from "./lib/site_header.tsx";
import type { ImageRoomPageData, ImageView, RoomMeta } from "../../routes/images/wire.ts";

type Connection = "connecting" | "live" | "reconnecting";
type RoomState = "loading" | "missing" | "ready";

const data = boot<ImageRoomPageData>();
const { room } = data;
const show = slideshowOptions(location.search);

function preload(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve();
    img.onerror = () => reject(new Error(`Cannot load image ${src}`));
    img.src = src;
    if (img.decode) img.decode().then(resolve, () => {});
  });
}

/** The room's state from `/meta`, kept fresh by its SSE; `pinnedRef` tells it a viewer looks back. */
function useRoom(pinnedRef: { current: ImageView | null }, onNewWhilePinned: () => void) {
  const [meta, setMeta] = useState<RoomMeta>({ room, current: null, recent: [] });
  const [state, setState] = useState<RoomState>(data.exists ? "loading" : "missing");
  const [shown, setShown] = useState<ImageView | null>(null);
  const [connection, setConnection] = useState<Connection>("connecting");
  const latest = useRef(0);

  const refresh = useCallback(async () => {
    const response = await fetch(url(`${room}/meta`), { cache: "no-store" }).catch(() => null);
    if (!response) return;
    if (response.status === 404) {
      setState("missing");
      setMeta({ room, current: null, recent: [] });
      setShown(null);
      latest.current = 0;
      return;
    }
    if (!response.ok) return;
    const next: RoomMeta = await response.json();
    setMeta(next);
    setState("ready");
    const current = next.current;
    if (!current) {
      // Cleared by an admin.
      latest.current = 0;
      setShown(null);
      return;
    }
    if (current.id > latest.current) {
      const first = latest.current === 0;
      latest.current = current.id;
      await preload(current.url).catch(() => {});
      // Only swap once the new image is decoded, so viewers never see a blank or half image.
      if (latest.current !== current.id) return;
      setShown(current);
      if (!first && pinnedRef.current) onNewWhilePinned();
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
        // A room that does not exist answers 404, which EventSource does not retry by itself.
        if (events.readyState === EventSource.CLOSED) retry = setTimeout(open, 3000);
      };
      events.onmessage = (e) => {
        setConnection("live");
        if (e.data === "updated" || e.data === "connected") void refresh();
      };
    };
    open();
    if (data.exists) void refresh();
    return () => (events.close(), clearTimeout(retry));
  }, [refresh]);

  return { meta, state, shown, connection, refresh };
}

function useWakeLock() {
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
}

/** A dropped or pasted image opens the upload panel with it. */
function useIncomingFiles(onFile: (file: File) => void) {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    const paste = (e: ClipboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target?.tagName === "INPUT") return;
      const item = [...(e.clipboardData?.items ?? [])].find((i) => i.type.startsWith("image/"));
      const file = item?.getAsFile();
      if (file) (e.preventDefault(), onFile(file));
    };
    document.addEventListener("paste", paste);
    return () => document.removeEventListener("paste", paste);
  }, []);
  return {
    dragging,
    onDragOver: (e: DragEvent) => (e.preventDefault(), setDragging(true)),
    onDragLeave: () => setDragging(false),
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      setDragging(false);
      const file = [...(e.dataTransfer?.files ?? [])].find((f) => f.type.startsWith("image/"));
      if (file) onFile(file);
    },
  };
}

interface BarProps {
  image: ImageView | null;
  /** An older image is on screen. */
  pinned: boolean;
  status: string;
  /** Null when there is too little history for a slideshow. */
  slideshow: boolean | null;
  onUpload(): void;
  onSlideshow(): void;
}

function ViewerBar({ image, pinned, status, slideshow, onUpload, onSlideshow }: BarProps) {
  const fullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void document.documentElement.requestFullscreen().catch(() => {});
  };
  return (
    <header class="viewer-bar">
      <span class="room-name">{room}</span>
      <span class={`status status-${status.replace(" ", "-")}`} id="status">{status}</span>
      <span class="credit">
        {image && (
          <>
            {pinned ? "Showing an earlier image · " : ""}
            by <b>{image.uploadedBy}</b> · {timeAgo(image.uploadedAt)}
          </>
        )}
      </span>
      <button type="button" class="button" id="open-upload" onClick={onUpload}>Upload</button>
      {slideshow !== null && (
        <button
          type="button"
          class="button"
          id="slideshow"
          aria-pressed={slideshow}
          onClick={onSlideshow}
        >
          {slideshow ? "Stop slideshow" : "Slideshow"}
        </button>
      )}
      <button type="button" class="button" onClick={fullscreen} aria-label="Fullscreen">
        <svg width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor">
          <path stroke-width="2" d="M1 5V1h4M11 1h4v4M15 11v4h-4M5 15H1v-4" />
        </svg>
      </button>
    </header>
  );
}

/** The recent images as thumbnails, newest first; a click looks back, or returns to live. */
function Strip(
  { recent, currentId, onPick }: {
    recent: ImageView[];
    currentId?: number;
    onPick(item: ImageView): void;
  },
) {
  return (
    <nav class="strip" aria-label="Recent images">
      {recent.map((item) => (
        <button
          type="button"
          key={item.id}
          class={item.id === currentId ? "current" : ""}
          onClick={() => onPick(item)}
          title={`${item.uploadedBy}, ${timeAgo(item.uploadedAt)}`}
        >
          <img src={item.thumbUrl} alt={item.caption ?? ""} loading="lazy" />
        </button>
      ))}
    </nav>
  );
}

function ImageRoom() {
  const [pinned, setPinned] = useState<ImageView | null>(null);
  const pinnedRef = useRef<ImageView | null>(null);
  pinnedRef.current = pinned;
  const [newWhilePinned, setNewWhilePinned] = useState(false);
  const { meta, state, shown, connection } = useRoom(pinnedRef, () => setNewWhilePinned(true));
  const [slideshow, setSlideshow] = useState(show.start);
  const [panel, setPanel] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [, tick] = useState(0);
  const slide = useSlideshow(slideshow, meta.recent, show.everyMs);
  const incoming = useIncomingFiles((f) => (setFile(f), setPanel(true)));
  useWakeLock();
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 30_000);
    return () => clearInterval(timer);
  }, []);
  // A pinned image that left the history (cleared, pruned) is not kept on screen.
  const pinnedGone = pinned && !meta.recent.some((r) => r.id === pinned.id);
  const backToLive = () => (setPinned(null), setNewWhilePinned(false));
  useEffect(() => void (pinnedGone && backToLive()), [pinnedGone]);

  const image = slide ?? (pinnedGone ? null : pinned) ?? shown;
  const openPanel = () => setPanel(true);
  const status = state === "missing" ? "no room" : connection;

  return (
    <div
      class={`viewer${slideshow ? " slideshow" : ""}${image ? "" : " no-image"}`}
      onDragOver={incoming.onDragOver}
      onDragLeave={incoming.onDragLeave}
      onDrop={incoming.onDrop}
    >
      {image
        ? <img id="live" class="live" src={image.url} data-id={image.id} alt={`Image in ${room}`} />
        : state === "missing"
        ? <NoSuchRoom room={room} onUpload={openPanel} />
        : state === "ready"
        ? <EmptyRoom room={room} onUpload={openPanel} />
        : null}
      {image?.caption && <p class="caption" id="caption">{image.caption}</p>}
      <ViewerBar
        image={image}
        pinned={pinned !== null && !slideshow}
        status={status}
        slideshow={meta.recent.length > 1 ? slideshow : null}
        onUpload={openPanel}
        onSlideshow={() => setSlideshow(!slideshow)}
      />
      {newWhilePinned && pinned && !slideshow && <BackToLive onClick={backToLive} />}
      {meta.recent.length > 1 && !slideshow && (
        <Strip
          recent={meta.recent}
          currentId={image?.id}
          onPick={(item) => item.id === shown?.id ? backToLive() : setPinned(item)}
        />
      )}
      {panel && (
        <ImageUploader
          room={room}
          admin={data.admin}
          maxCaption={data.maxCaption}
          maxUploadBytes={data.maxUploadBytes}
          file={file}
          onFile={setFile}
          onClose={() => (setPanel(false), setFile(null))}
          onUploaded={() => (setPanel(false), backToLive())}
        />
      )}
      {incoming.dragging && <div class="drop-overlay">Drop to upload to {room}</div>}
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
