// The media page for admins: search, sort and pages of small cards; uploads, detail, bulk delete.
import { render } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { boot } from "./lib/boot.ts";
import { deleteMedia, listMedia, MediaFailure } from "./lib/media_api.ts";
import { MediaCard, MediaSkeleton } from "./lib/media_card.tsx";
import { MediaDetail } from "./lib/media_detail.tsx";
import { MediaPager, MediaSelectionBar, MediaToolbar, type View } from "./lib/media_controls.tsx";
import { useUploads } from "./lib/media_upload_queue.tsx";
import { MediaUploads } from "./lib/media_uploads.tsx";
import type { MediaItem, MediaPageData, MediaSortName } from "../../routes/media/wire.ts";

const { user, enabled, maxUploadBytes, allowed } = boot<MediaPageData>();
const PAGE = 48;
const SORTS: MediaSortName[] = ["newest", "name", "size"];
// Deletes in flight at once: quick for a page of files, gentle on a shared server.
const DELETE_CONCURRENCY = 4;

/** The page's place is in its address, so reload, back and a shared link land on it again. */
function readView(): View {
  const params = new URLSearchParams(location.search);
  const sort = params.get("sort") as MediaSortName;
  return {
    q: params.get("q") ?? "",
    sort: SORTS.includes(sort) ? sort : "newest",
    page: Math.max(1, Number.parseInt(params.get("page") ?? "1") || 1),
    file: params.get("file") ?? "",
  };
}

function writeView(view: View, push: boolean): void {
  const params = new URLSearchParams();
  if (view.q) params.set("q", view.q);
  if (view.sort !== "newest") params.set("sort", view.sort);
  if (view.page > 1) params.set("page", String(view.page));
  if (view.file) params.set("file", view.file);
  const next = `${location.pathname}${params.size ? `?${params}` : ""}`;
  if (push) history.pushState(null, "", next);
  else history.replaceState(null, "", next);
}

type Listing =
  | { state: "loading" }
  | { state: "error"; failure: MediaFailure }
  | { state: "ready"; items: MediaItem[]; total: number };

async function deleteAll(names: string[], onDone: (name: string) => void): Promise<string[]> {
  const failed: string[] = [];
  const queue = [...names];
  const worker = async () => {
    for (let name; (name = queue.shift()) !== undefined;) {
      try {
        await deleteMedia(name);
        onDone(name);
      } catch {
        failed.push(name);
      }
    }
  };
  await Promise.all(Array.from({ length: DELETE_CONCURRENCY }, worker));
  return failed;
}

function MediaPage() {
  const [view, setViewState] = useState<View>(readView);
  const [listing, setListing] = useState<Listing>({ state: "loading" });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [status, setStatus] = useState("");
  const [detail, setDetail] = useState<MediaItem | null>(null);
  const [reloads, setReloads] = useState(0);
  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const uploads = useUploads({ allowed, maxUploadBytes, onUploaded: reload, setStatus });

  const setView = useCallback((patch: Partial<View>, push = true) => {
    setViewState((old) => {
      const next = { ...old, ...patch };
      writeView(next, push);
      return next;
    });
  }, []);
  useEffect(() => {
    const onPop = () => setViewState(readView());
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);

  // Loading cards when the page changes; a reload after an upload or delete keeps what is shown.
  const shown = useRef("");
  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    const key = `${view.q}\n${view.sort}\n${view.page}`;
    if (shown.current !== key) setListing({ state: "loading" });
    shown.current = key;
    const query = { q: view.q, sort: view.sort, limit: PAGE, offset: (view.page - 1) * PAGE };
    listMedia(query, abort.signal).then((list) => {
      // A delete can empty the last page: step back to the one that now is last.
      const last = Math.max(1, Math.ceil(list.total / PAGE));
      if (view.page > last) return setView({ page: last }, false);
      setListing({ state: "ready", items: list.images, total: list.total });
    }, (error) => {
      if (abort.signal.aborted) return;
      setListing({ state: "error", failure: error as MediaFailure });
    });
    return () => abort.abort();
  }, [view.q, view.sort, view.page, reloads]);

  // The detail view follows `?file=`: from this page, else looked up by its stored name.
  useEffect(() => {
    if (!view.file) return setDetail(null);
    const here = listing.state === "ready" && listing.items.find((i) => i.filename === view.file);
    if (here) return setDetail(here);
    listMedia({ q: view.file, sort: "newest", limit: 1, offset: 0 }).then(
      (list) => setDetail(list.images.find((i) => i.filename === view.file) ?? null),
      () => setDetail(null),
    );
  }, [view.file, listing]);

  const removeNames = async (names: string[]) => {
    setStatus(`Deleting ${names.length} file${names.length === 1 ? "" : "s"}…`);
    let done = 0;
    const failed = await deleteAll(names, () => {
      done++;
      setStatus(`Deleting… ${done} of ${names.length}`);
    });
    setSelected((old) => new Set([...old].filter((n) => failed.includes(n))));
    setStatus(
      failed.length
        ? `Deleted ${done}; ${failed.length} could not be deleted (still selected): press Delete again.`
        : `Deleted ${done} file${done === 1 ? "" : "s"}.`,
    );
    reload();
    return failed;
  };

  if (!enabled) {
    return (
      <main class="home media-page">
        <h1>Media library</h1>
        <p class="muted" id="media-disabled">
          The media library is off: set <code>MEDIA_SERVER_SECRET</code>{" "}
          (32 bytes or more) and restart.
        </p>
      </main>
    );
  }
  const items = listing.state === "ready" ? listing.items : [];
  const total = listing.state === "ready" ? listing.total : null;
  return (
    <main
      class="home media-page"
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        if (e.dataTransfer?.files.length) uploads.add(e.dataTransfer.files);
      }}
    >
      <header>
        <h1>Media library</h1>
        <p class="muted">
          Signed in as <b>{user}</b> · {total === null
            ? "…"
            : `${total} ${view.q ? "matching " : ""}file${total === 1 ? "" : "s"}`}
        </p>
      </header>
      <MediaToolbar
        view={view}
        allowed={allowed}
        maxUploadBytes={maxUploadBytes}
        onView={setView}
        onFiles={uploads.add}
      />
      <MediaUploads uploads={uploads.list} onRetry={uploads.retry} onDismiss={uploads.dismiss} />
      <p class="media-status" role="status" id="media-status">{status}</p>
      <MediaSelectionBar
        selected={selected}
        pageNames={items.map((i) => i.filename)}
        onSelect={setSelected}
        onDelete={async () => {
          const names = [...selected];
          const sure = confirm(
            `Delete ${names.length} file${names.length === 1 ? "" : "s"}? ` +
              "Pages using their URLs will show broken images.",
          );
          if (sure) await removeNames(names);
        }}
      />
      <Listed
        listing={listing}
        view={view}
        selected={selected}
        onView={setView}
        onRetry={reload}
        onSelect={(name, on) =>
          setSelected((old) => {
            const next = new Set(old);
            if (on) next.add(name);
            else next.delete(name);
            return next;
          })}
      />
      {total !== null && total > PAGE && (
        <MediaPager
          page={view.page}
          pages={Math.ceil(total / PAGE)}
          total={total}
          size={PAGE}
          onPage={(page) => setView({ page })}
        />
      )}
      {detail && (
        <MediaDetail
          item={detail}
          onClose={() => setView({ file: "" })}
          onDelete={async (item) => {
            const failed = await removeNames([item.filename]);
            if (failed.length) throw new Error("It could not be deleted: press Delete again.");
            setView({ file: "" });
          }}
        />
      )}
    </main>
  );
}

interface ListedProps {
  listing: Listing;
  view: View;
  selected: Set<string>;
  onView: (patch: Partial<View>) => void;
  onRetry: () => void;
  onSelect: (name: string, selected: boolean) => void;
}

/** The grid, or what stands in its place: loading cards, an error, an empty library. */
function Listed({ listing, view, selected, onView, onRetry, onSelect }: ListedProps) {
  if (listing.state === "loading") return <MediaSkeleton count={12} />;
  if (listing.state === "error") {
    return (
      <div class="media-empty media-failed" id="media-list-error" role="alert">
        <p>
          <b>Cannot load the library.</b> {listing.failure.message} {listing.failure.hint}
        </p>
        <button type="button" class="button" onClick={onRetry}>Retry</button>
      </div>
    );
  }
  if (listing.items.length === 0) {
    return view.q
      ? (
        <div class="media-empty" id="media-empty">
          <p>No file name contains “{view.q}”.</p>
          <button type="button" class="button" onClick={() => onView({ q: "", page: 1 })}>
            Clear the search
          </button>
        </div>
      )
      : (
        <div class="media-empty" id="media-empty">
          <p>
            <b>No images yet.</b>{" "}
            Drop images anywhere on this page or press Upload images. Backends upload with{" "}
            <code>POST /upload?token=…</code>.
          </p>
        </div>
      );
  }
  return (
    <ul class="media-grid" id="media-grid">
      {listing.items.map((item) => (
        <MediaCard
          key={item.filename}
          item={item}
          selected={selected.has(item.filename)}
          onSelect={(on) => onSelect(item.filename, on)}
          onOpen={() => onView({ file: item.filename })}
        />
      ))}
    </ul>
  );
}

render(<MediaPage />, document.getElementById("app")!);
