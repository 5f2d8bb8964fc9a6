// The media page's controls: search, sort and upload; the selection bar; the pager.
import { useEffect, useState } from "preact/hooks";
import { sizeText } from "./media_format.ts";
import type { MediaSortName } from "../../../routes/media/wire.ts";

/** Where the page is: the search, the order, the page number and the file open in detail. */
export interface View {
  q: string;
  sort: MediaSortName;
  page: number;
  file: string;
}

/** The server's limit on `q` (routes/media/media_http.ts MAX_QUERY). */
const MAX_QUERY = 200;
// Typing pauses this long before the search runs, so each key press is not a request.
const SEARCH_DELAY_MS = 250;

const SORT_LABELS: Record<MediaSortName, string> = {
  newest: "Newest first",
  name: "Name A–Z",
  size: "Largest first",
};

interface ToolbarProps {
  view: View;
  allowed: string[];
  maxUploadBytes: number;
  onView: (patch: Partial<View>, push?: boolean) => void;
  onFiles: (files: FileList | File[]) => void;
}

export function MediaToolbar({ view, allowed, maxUploadBytes, onView, onFiles }: ToolbarProps) {
  const [text, setText] = useState(view.q);
  useEffect(() => setText(view.q), [view.q]);
  useEffect(() => {
    if (text.trim() === view.q) return;
    const timer = setTimeout(() => onView({ q: text.trim(), page: 1 }, false), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <div class="media-toolbar">
      <input
        type="search"
        id="media-search"
        placeholder="Search by name"
        aria-label="Search by name"
        maxLength={MAX_QUERY}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <select
        id="media-sort"
        aria-label="Sort"
        value={view.sort}
        onChange={(e) => onView({ sort: e.currentTarget.value as MediaSortName, page: 1 })}
      >
        {(Object.keys(SORT_LABELS) as MediaSortName[]).map((s) => (
          <option key={s} value={s}>{SORT_LABELS[s]}</option>
        ))}
      </select>
      <label class="button primary upload-button">
        Upload images
        <input
          id="upload-input"
          type="file"
          multiple
          accept={allowed.join(",")}
          onChange={(e) => {
            const input = e.currentTarget;
            if (input.files?.length) onFiles([...input.files]);
            input.value = "";
          }}
        />
      </label>
      <p class="muted media-hint">
        Or drop images anywhere: {allowed.join(" ")}, up to {sizeText(maxUploadBytes)} each.
      </p>
    </div>
  );
}

interface SelectionProps {
  selected: Set<string>;
  pageNames: string[];
  onSelect: (selected: Set<string>) => void;
  onDelete: () => void;
}

export function MediaSelectionBar({ selected, pageNames, onSelect, onDelete }: SelectionProps) {
  if (pageNames.length === 0 && selected.size === 0) return null;
  const allHere = pageNames.length > 0 && pageNames.every((n) => selected.has(n));
  return (
    <div class={selected.size ? "media-selection active" : "media-selection"} id="media-selection">
      <label>
        <input
          type="checkbox"
          id="select-page"
          checked={allHere}
          onChange={(e) => {
            const next = new Set(selected);
            for (const name of pageNames) {
              if (e.currentTarget.checked) {
                next.add(name);
              } else next.delete(name);
            }
            onSelect(next);
          }}
        />{" "}
        Select this page
      </label>
      {selected.size > 0 && (
        <>
          <span id="selected-count">{selected.size} selected</span>
          <button
            type="button"
            class="button"
            onClick={() => onSelect(new Set())}
          >
            Clear
          </button>
          <button
            type="button"
            class="button danger"
            id="delete-selected"
            onClick={() => {
              const n = selected.size;
              const sure = confirm(
                `Delete ${n} file${n === 1 ? "" : "s"}? ` +
                  "Pages using their URLs will show broken images.",
              );
              if (sure) {
                onDelete();
              }
            }}
          >
            Delete selected
          </button>
        </>
      )}
    </div>
  );
}

interface PagerProps {
  page: number;
  pages: number;
  total: number;
  size: number;
  onPage: (page: number) => void;
}

export function MediaPager({ page, pages, total, size, onPage }: PagerProps) {
  const first = (page - 1) * size + 1;
  const last = Math.min(total, page * size);
  return (
    <nav class="media-pager" aria-label="Pages">
      <button
        type="button"
        class="button"
        id="page-prev"
        disabled={page <= 1}
        onClick={() => onPage(page - 1)}
      >
        ‹ Previous
      </button>
      <span id="page-label">
        Page {page} of {pages} <span class="muted">({first}–{last} of {total})</span>
      </span>
      <button
        type="button"
        class="button"
        id="page-next"
        disabled={page >= pages}
        onClick={() => onPage(page + 1)}
      >
        Next ›
      </button>
    </nav>
  );
}
