// The detail view of one file: a large preview, everything known about it, copy and delete.
import { useEffect, useRef, useState } from "preact/hooks";
import {
  dimensionsText,
  displayName,
  sizeText,
  snippet,
  type SnippetKind,
} from "./media_format.ts";
import { thumbnailOf } from "./media_card.tsx";
import type { MediaItem } from "../../../routes/media/wire.ts";

interface DetailProps {
  item: MediaItem;
  onClose: () => void;
  onDelete: (item: MediaItem) => Promise<void>;
}

const COPY_LABELS: Record<SnippetKind, string> = {
  url: "Copy URL",
  markdown: "Copy Markdown",
  html: "Copy HTML",
};

export function MediaDetail({ item, onClose, onDelete }: DetailProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const element = dialog.current!;
    if (!element.open) element.showModal();
    return () => element.open && element.close();
  }, []);
  useEffect(() => setNote(""), [item.filename]);

  const remove = async () => {
    if (!confirm(`Delete ${displayName(item)}? Pages using its URL will show a broken image.`)) {
      return;
    }
    setBusy(true);
    try {
      await onDelete(item);
    } catch (error) {
      setNote((error as Error).message);
      setBusy(false);
    }
  };
  return (
    <dialog
      ref={dialog}
      class="media-detail"
      id="media-detail"
      aria-label={displayName(item)}
      onClose={onClose}
      onClick={(e) => e.target === dialog.current && dialog.current?.close()}
    >
      <div class="media-detail-body">
        <a class="media-preview" href={item.url} target="_blank" rel="noopener">
          <img src={thumbnailOf(item, 1280)} alt={displayName(item)} />
        </a>
        <div class="media-facts">
          <h2 title={displayName(item)}>{displayName(item)}</h2>
          <MediaFacts item={item} />
          <CopyAs item={item} onNote={setNote} />
          <p class="media-note" role="status">{note}</p>
          <div class="media-detail-actions">
            <a class="button" href={item.url} target="_blank" rel="noopener">Open original</a>
            <button type="button" class="button danger delete" disabled={busy} onClick={remove}>
              {busy ? "Deleting…" : "Delete"}
            </button>
            <button type="button" class="button close" onClick={() => dialog.current?.close()}>
              Close
            </button>
          </div>
        </div>
      </div>
    </dialog>
  );
}

function MediaFacts({ item }: { item: MediaItem }) {
  const facts: [string, string][] = [
    ["Original name", item.original_name ?? "(not known: the file was added to the folder)"],
    ["Stored as", item.filename],
    ["Dimensions", dimensionsText(item) || "not stated in the file"],
    ["Size", `${sizeText(item.size)} (${item.size.toLocaleString()} bytes)`],
    ["Type", item.content_type],
    ["Uploaded", new Date(item.created_at).toLocaleString()],
  ];
  return (
    <dl>
      {facts.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The three copy buttons and the text the chosen one copies, to select by hand without a clipboard. */
function CopyAs({ item, onNote }: { item: MediaItem; onNote: (note: string) => void }) {
  const [kind, setKind] = useState<SnippetKind>("url");
  const copy = async (next: SnippetKind) => {
    setKind(next);
    try {
      await navigator.clipboard.writeText(snippet(item, next));
      onNote(`${COPY_LABELS[next].replace("Copy ", "")} copied.`);
    } catch {
      // No clipboard (plain http, or permission refused): the text is selected to copy by hand.
      onNote("Press Ctrl+C (⌘C) to copy the selected text.");
      requestAnimationFrame(() => document.getElementById("media-snippet")?.focus());
    }
  };
  return (
    <>
      <div class="media-copy" role="group" aria-label="Copy as">
        {(Object.keys(COPY_LABELS) as SnippetKind[]).map((k) => (
          <button
            type="button"
            key={k}
            class={k === kind ? "button copy active" : "button copy"}
            data-kind={k}
            onClick={() => copy(k)}
          >
            {COPY_LABELS[k]}
          </button>
        ))}
      </div>
      <textarea
        id="media-snippet"
        readOnly
        rows={2}
        value={snippet(item, kind)}
        onFocus={(e) => e.currentTarget.select()}
      />
    </>
  );
}
