// The participant's model of a session's files: each file's live draft and newest push, merged
// from the file list and live events, and which version of a file is shown and compared.
import type { DraftView, FileEntry, SnippetView } from "./code_api.ts";
import type { Version } from "./code_view.tsx";

const activity = (f: FileEntry) =>
  Math.max(Date.parse(f.draft?.updated_at ?? "0"), Date.parse(f.latest?.pushed_at ?? "0"));
const byActivity = (files: FileEntry[]) => files.sort((a, b) => activity(b) - activity(a));

const entry = (files: FileEntry[], name: string): FileEntry =>
  files.find((f) => f.file_name === name) ?? { file_name: name, draft: null, latest: null };

/** The files with a draft applied; a draft older than the one held (a late frame) is ignored. */
export function withDraft(files: FileEntry[], draft: DraftView): FileEntry[] {
  const old = entry(files, draft.file_name);
  if (old.draft && old.draft.rev >= draft.rev && old.draft.updated_at >= draft.updated_at) {
    return files;
  }
  const rest = files.filter((f) => f.file_name !== draft.file_name);
  return byActivity([...rest, { ...old, draft }]);
}

/** The files with a new push. */
export function withPush(files: FileEntry[], snippet: SnippetView): FileEntry[] {
  const old = entry(files, snippet.file_name);
  const rest = files.filter((f) => f.file_name !== snippet.file_name);
  return byActivity([...rest, { ...old, latest: snippet }]);
}

/** The files once a tab closed: its draft goes; a file that was ever pushed stays. */
export function withClosed(files: FileEntry[], fileName: string): FileEntry[] {
  return files.flatMap((f) =>
    f.file_name !== fileName ? [f] : f.latest ? [{ ...f, draft: null }] : []
  );
}

/** Whether the presenter's draft of a file holds changes not pushed yet. */
export const isTyping = (f: FileEntry): boolean =>
  f.draft !== null && (!f.latest || f.draft.updated_at > f.latest.pushed_at) &&
  f.draft.content !== f.latest?.content;

const time = (iso: string) => new Date(iso).toLocaleTimeString();
export const pushedVersion = (s: SnippetView): Version => ({
  content: s.content,
  fileName: s.file_name,
  label: `pushed ${time(s.pushed_at)}`,
});

export interface Shown {
  version: Version;
  /** What the diff compares against: the version of the same file before this one. */
  previous: Version | null;
  /** Set while the presenter's draft is newer than the last push. */
  caretLine?: number;
  live: boolean;
  /** The push shown, when it is one. */
  snippetId?: string;
}

/**
 * What a file's tab shows: an older push when one is pinned, else the newest of its draft and its
 * latest push. `history` is the file's pushes, newest first.
 */
export function shownVersion(
  file: FileEntry,
  history: SnippetView[],
  pinned: string | null,
): Shown | null {
  const at = pinned ? history.findIndex((s) => s.id === pinned) : -1;
  if (at >= 0) {
    const older = history[at + 1];
    return {
      version: pushedVersion(history[at]),
      previous: older ? pushedVersion(older) : null,
      live: false,
      snippetId: history[at].id,
    };
  }
  const { draft, latest } = file;
  // ISO 8601 UTC strings sort as the times they name.
  const typing = draft !== null && (!latest || draft.updated_at > latest.pushed_at);
  if (draft && typing && draft.content !== latest?.content) {
    return {
      version: { content: draft.content, fileName: draft.file_name, label: "live" },
      previous: latest ? pushedVersion(latest) : null,
      caretLine: draft.caret_line,
      live: true,
    };
  }
  if (!latest) return null;
  // The push before the latest of this file: the history's second, when the history is current.
  const older = history[0]?.id === latest.id ? history[1] : undefined;
  return {
    version: pushedVersion(latest),
    previous: older ? pushedVersion(older) : null,
    // The presenter moving about the pushed text still shows where they are.
    caretLine: typing ? draft?.caret_line : undefined,
    live: false,
    snippetId: latest.id,
  };
}
