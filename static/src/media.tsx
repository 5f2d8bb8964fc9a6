// The media page for admins: the library as a grid, uploads with progress, copy URL, delete.
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { boot, timeAgo, url } from "./lib/boot.ts";
import { SiteHeader } from "./lib/site_header.tsx";
import type {
  MediaItem,
  MediaList,
  MediaPageData,
  MediaProblem,
  MediaToken,
} from "../../routes/media/wire.ts";

interface Upload {
  id: number;
  name: string;
  loaded: number;
  total: number;
  error?: string;
}

const { user, enabled, maxUploadBytes, allowed } = boot<MediaPageData>();
const PAGE = 60;

/** A fresh upload token, minted by the server for the signed-in admin (Basic Auth). */
async function mintToken(): Promise<string> {
  const response = await fetch(url("media/admin/token"), { method: "POST" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(detailOf(body, response.status, "Cannot get a token"));
  return (body as MediaToken).token;
}

/** The message of an error body; a proxy's or a crashed server's may not be the Media Server's. */
function detailOf(body: unknown, status: number, what = "Upload failed"): string {
  const detail = (body as Partial<MediaProblem> | null)?.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((d) => `${d.loc?.join(".")}: ${d.msg}`).join("; ");
  return `${what} (${status})`;
}

/** Uploads with XMLHttpRequest, the one browser API that reports upload progress. */
function send(file: File, token: string, onProgress: (loaded: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url(`upload?token=${encodeURIComponent(token)}`));
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () =>
      xhr.status === 200 ? resolve() : reject(new Error(detailOf(xhr.response, xhr.status)));
    xhr.onerror = () => reject(new Error("Network error during upload"));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function Card({ item, onDeleted }: { item: MediaItem; onDeleted: (name: string) => void }) {
  const [note, setNote] = useState("");
  const thumb = url(`media/${item.filename}${item.filename.endsWith(".svg") ? "" : "?w=320"}`);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(item.url);
      setNote("Copied");
    } catch {
      globalThis.prompt("Copy this URL", item.url);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete ${item.filename}? Pages using its URL will show a broken image.`)) return;
    try {
      const token = await mintToken();
      const response = await fetch(url(`media/${item.filename}?token=${token}`), {
        method: "DELETE",
      });
      if (!response.ok) throw new Error(detailOf(await response.json(), response.status));
      onDeleted(item.filename);
    } catch (error) {
      setNote((error as Error).message);
    }
  };
  return (
    <li class="card media-card" data-filename={item.filename}>
      <a href={item.url} target="_blank" rel="noopener">
        <img src={thumb} alt={item.filename} loading="lazy" />
      </a>
      <span class="media-name" title={item.filename}>{item.filename}</span>
      <span class="muted">{sizeText(item.size)} · {timeAgo(item.created_at)}</span>
      <span class="media-actions">
        <button type="button" class="copy" onClick={copy}>Copy URL</button>
        <button type="button" class="delete" onClick={remove}>Delete</button>
      </span>
      {note && <span class="media-note" role="status">{note}</span>}
    </li>
  );
}

function MediaPage() {
  const [items, setItems] = useState<MediaItem[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [error, setError] = useState("");

  const load = useCallback(async (offset: number) => {
    const response = await fetch(url(`media?limit=${PAGE}&offset=${offset}`), {
      cache: "no-store",
    });
    const body = await response.json();
    if (!response.ok) return setError(detailOf(body, response.status));
    const list = body as MediaList;
    setTotal(list.total);
    setItems((old) => offset === 0 ? list.images : [...old, ...list.images]);
  }, []);
  useEffect(() => void (enabled && load(0)), [load]);

  const uploadAll = async (files: FileList | File[]) => {
    for (const file of [...files]) {
      const id = Math.random();
      const update = (patch: Partial<Upload>) =>
        setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...patch } : u)));
      setUploads((list) => [...list, { id, name: file.name, loaded: 0, total: file.size }]);
      try {
        if (file.size > maxUploadBytes) throw new Error(`Larger than ${sizeText(maxUploadBytes)}`);
        await send(file, await mintToken(), (loaded) => update({ loaded }));
        setUploads((list) => list.filter((u) => u.id !== id));
        await load(0);
      } catch (e) {
        update({ error: (e as Error).message });
      }
    }
  };

  if (!enabled) {
    return (
      <main class="home">
        <h1>Media library</h1>
        <p class="muted" id="media-disabled">
          The media library is off: set <code>MEDIA_SERVER_SECRET</code>{" "}
          (32 bytes or more) and restart.
        </p>
      </main>
    );
  }
  return (
    <main
      class="home media-page"
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        if (e.dataTransfer?.files.length) void uploadAll(e.dataTransfer.files);
      }}
    >
      <header>
        <h1>Media library</h1>
        <p class="muted">
          Signed in as <b>{user}</b> · {total ?? "…"} files · drop images anywhere, or{" "}
          <label class="upload-label">
            choose files
            <input
              id="upload-input"
              type="file"
              multiple
              accept={allowed.join(",")}
              onChange={(e) => {
                const input = e.currentTarget;
                if (input.files) void uploadAll(input.files).then(() => (input.value = ""));
              }}
            />
          </label>
        </p>
      </header>
      {error && <p class="media-error" role="alert">{error}</p>}
      {uploads.length > 0 && (
        <ul class="uploads">
          {uploads.map((u) => (
            <li key={u.id} class={u.error ? "upload failed" : "upload"}>
              <span>{u.name}</span>
              <progress max={u.total || 1} value={u.loaded} />
              {u.error && <span class="media-error">{u.error}</span>}
            </li>
          ))}
        </ul>
      )}
      <ul class="media-grid" id="media-grid">
        {items.map((item) => (
          <Card
            key={item.filename}
            item={item}
            onDeleted={(name) => {
              setItems((list) => list.filter((i) => i.filename !== name));
              setTotal((t) => (t === null ? t : t - 1));
            }}
          />
        ))}
      </ul>
      {total !== null && items.length < total && (
        <button
          type="button"
          onClick={() => load(items.length)}
        >
          Load more
        </button>
      )}
    </main>
  );
}

render(
  <>
    <SiteHeader here="Media library" />
    <MediaPage />
  </>,
  document.getElementById("app")!,
);
