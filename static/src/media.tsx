// The media page for admins: search, sort and pages of small cards; uploads, detail, bulk delete.
import { render } from "preact";
import { useCallback, useState } from "preact/hooks";
import { boot } from "./lib/boot.ts";
import { SiteHeader } from "./lib/site_header.tsx";
import { MediaCard, MediaSkeleton } from "./lib/media_card.tsx";
import { MediaDetail } from "./lib/media_detail.tsx";
import { MediaPager, MediaSelectionBar, MediaToolbar, type View } from "./lib/media_controls.tsx";
import { type Listing, useBulkDelete, useDetail, useListing, useView } from "./lib/media_state.ts";
import { useUploads } from "./lib/media_upload_queue.tsx";
import { MediaUploads } from "./lib/media_uploads.tsx";
import type { MediaPageData } from "../../routes/media/wire.ts";

const { user, enabled, maxUploadBytes, allowed } = boot<MediaPageData>();
const PAGE = 48;

function MediaPage() {
  const [view, setView] = useView();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [status, setStatus] = useState("");
  const [reloads, setReloads] = useState(0);
  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const listing = useListing(view, setView, { pageSize: PAGE, reloads });
  const detail = useDetail(view, listing);
  const uploads = useUploads({ allowed, maxUploadBytes, onUploaded: reload, setStatus });
  const removeNames = useBulkDelete(setStatus, setSelected, reload);

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
          Signed in as <b>{user}</b> · {countText(total, view.q)}
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
        onDelete={() => removeNames([...selected])}
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

const countText = (total: number | null, q: string) =>
  total === null ? "…" : `${total} ${q ? "matching " : ""}file${total === 1 ? "" : "s"}`;

function MediaDisabled() {
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

render(
  <>
    <SiteHeader here="Media library" />
    {enabled ? <MediaPage /> : <MediaDisabled />}
  </>,
  document.getElementById("app")!,
);
