// The media page's state: where it is (kept in the address), the page of files it shows, the
// file open in detail, and deleting many files at once.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { deleteMedia, listMedia, type MediaFailure } from "./media_api.ts";
import type { View } from "./media_controls.tsx";
import type { MediaItem, MediaSortName } from "../../../routes/media/wire.ts";

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

export type Listing =
  | { state: "loading" }
  | { state: "error"; failure: MediaFailure }
  | { state: "ready"; items: MediaItem[]; total: number };

/** Deletes with DELETE_CONCURRENCY requests in flight; returns the names that failed. */
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

/** The view and its setter; a push makes a history entry, so Back undoes a page or a search. */
export function useView(): [View, (patch: Partial<View>, push?: boolean) => void] {
  const [view, setViewState] = useState<View>(readView);
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
  return [view, setView];
}

/** The page of files `view` asks for, fetched again whenever `reloads` changes. */
export function useListing(
  view: View,
  setView: (patch: Partial<View>, push?: boolean) => void,
  { pageSize, reloads }: { pageSize: number; reloads: number },
): Listing {
  const [listing, setListing] = useState<Listing>({ state: "loading" });
  // Loading cards when the page changes; a reload after an upload or delete keeps what is shown.
  const shown = useRef("");
  useEffect(() => {
    const abort = new AbortController();
    const key = `${view.q}\n${view.sort}\n${view.page}`;
    if (shown.current !== key) setListing({ state: "loading" });
    shown.current = key;
    const offset = (view.page - 1) * pageSize;
    listMedia({ q: view.q, sort: view.sort, limit: pageSize, offset }, abort.signal).then(
      (list) => {
        // A delete can empty the last page: step back to the one that now is last.
        const last = Math.max(1, Math.ceil(list.total / pageSize));
        if (view.page > last) return setView({ page: last }, false);
        setListing({ state: "ready", items: list.images, total: list.total });
      },
      (error) => {
        if (abort.signal.aborted) return;
        setListing({ state: "error", failure: error as MediaFailure });
      },
    );
    return () => abort.abort();
  }, [view.q, view.sort, view.page, reloads]);
  return listing;
}

/** The file `?file=` names: from the page shown, else looked up by its stored name. */
export function useDetail(view: View, listing: Listing): MediaItem | null {
  const [detail, setDetail] = useState<MediaItem | null>(null);
  useEffect(() => {
    if (!view.file) return setDetail(null);
    const here = listing.state === "ready" && listing.items.find((i) => i.filename === view.file);
    if (here) return setDetail(here);
    listMedia({ q: view.file, sort: "newest", limit: 1, offset: 0 }).then(
      (list) => setDetail(list.images.find((i) => i.filename === view.file) ?? null),
      () => setDetail(null),
    );
  }, [view.file, listing]);
  return detail;
}

const files = (n: number) => `${n} file${n === 1 ? "" : "s"}`;

/** Deletes `names`, reporting progress in `setStatus`; resolves to those that could not go. */
export function useBulkDelete(
  setStatus: (text: string) => void,
  setSelected: (update: (old: Set<string>) => Set<string>) => void,
  reload: () => void,
): (names: string[]) => Promise<string[]> {
  return async (names) => {
    setStatus(`Deleting ${files(names.length)}…`);
    let done = 0;
    const failed = await deleteAll(names, () => {
      done++;
      setStatus(`Deleting… ${done} of ${names.length}`);
    });
    setSelected((old) => new Set([...old].filter((n) => failed.includes(n))));
    setStatus(
      failed.length
        ? `Deleted ${
          files(done)
        }; ${failed.length} could not be deleted (still selected): press Delete selected again.`
        : `Deleted ${files(done)}.`,
    );
    reload();
    return failed;
  };
}
