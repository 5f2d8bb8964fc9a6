// The participant page of a code session: the presenter's files as tabs, live as they type, each
// with its pushes and a highlighted diff against the version before.
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { boot } from "./lib/boot.ts";
import { SiteHeader } from "./lib/site_header.tsx";
import {
  ApiError,
  type CodePageData,
  copyText,
  type FileEntry,
  followSession,
  type ParticipantView,
  request,
  type SessionInfo,
  sessionPath,
  type SnippetHistory,
  type SnippetView,
} from "./lib/code_api.ts";
import { CodeView, DiffView } from "./lib/code_view.tsx";
import { useViewPrefs, ViewControls, type ViewPrefs } from "./lib/code_controls.tsx";
import {
  isTyping,
  type Shown,
  shownVersion,
  withClosed,
  withDraft,
  withPush,
} from "./lib/code_files.ts";

const { code, grouped, found } = boot<CodePageData>();
type Connection = "connecting" | "live" | "reconnecting" | "ended";
const HISTORY = 50;
const joinedKey = `roomcast.code.${code}.participant`;

function JoinForm({ onJoined }: { onJoined(p: ParticipantView): void }) {
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  const join = async (e: Event) => {
    e.preventDefault();
    try {
      const participant = await request<ParticipantView>(sessionPath(code, "/join"), {
        method: "POST",
        body: name.trim() ? { display_name: name.trim() } : {},
      });
      sessionStorage.setItem(joinedKey, JSON.stringify(participant));
      onJoined(participant);
    } catch (error) {
      setError(error instanceof ApiError ? error.message : "Cannot join: network error");
    }
  };
  return (
    <form class="join-form" onSubmit={join}>
      <input
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
        placeholder="Your name (optional)"
        maxLength={64}
        aria-label="Your name"
      />
      <button type="submit" class="button">Join</button>
      {error && <span class="error" id="join-error">{error}</span>}
    </form>
  );
}

function readJoined(): ParticipantView | null {
  try {
    return JSON.parse(sessionStorage.getItem(joinedKey) ?? "null");
  } catch {
    return null;
  }
}

/** The session as this page follows it: its info, files, counts and connection. */
function useSession() {
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [files, setFiles] = useState<FileEntry[]>([]);
  const [joined, setJoined] = useState(0);
  const [watching, setWatching] = useState(0);
  const [lastPush, setLastPush] = useState<SnippetView | null>(null);
  const [connection, setConnection] = useState<Connection>(found ? "connecting" : "ended");

  const load = useCallback(async () => {
    try {
      const session = await request<SessionInfo>(sessionPath(code));
      setInfo(session);
      setJoined(session.participant_count);
      setWatching(session.watching);
      setFiles((await request<{ files: FileEntry[] }>(sessionPath(code, "/files"))).files);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) setConnection("ended");
    }
  }, []);

  useEffect(() => {
    if (!found) return;
    void load();
    return followSession(code, {
      snippet: (snippet) => {
        setFiles((list) => withPush(list, snippet));
        setLastPush(snippet);
      },
      participant: (event) => setJoined(event.count),
      live: (draft) => setFiles((list) => withDraft(list, draft)),
      closed: (name) => setFiles((list) => withClosed(list, name)),
      watching: setWatching,
      ended: () => setConnection("ended"),
      reset: () => void load(),
      connection: (state) => setConnection((now) => (now === "ended" ? now : state)),
    });
  }, [load]);
  return { info, files, joined, watching, lastPush, connection };
}

/**
 * One file's pushes, newest first, kept current as pushes of it arrive. The list is kept with the
 * file it is of, so the render that switches files never shows the last file's pushes (nor does a
 * late answer for it).
 */
function useFileHistory(fileName: string | null, lastPush: SnippetView | null) {
  const [history, setHistory] = useState<{ file: string | null; list: SnippetView[] }>({
    file: null,
    list: [],
  });
  useEffect(() => {
    if (!fileName || !found) return;
    const query = `?limit=${HISTORY}&file_name=${encodeURIComponent(fileName)}`;
    request<SnippetHistory>(sessionPath(code, `/snippets/history${query}`))
      .then((page) => setHistory({ file: fileName, list: page.snippets }), () => {});
  }, [fileName]);
  useEffect(() => {
    if (lastPush && lastPush.file_name === fileName) {
      setHistory((now) => {
        const list = now.file === fileName ? now.list : [];
        if (list.some((s) => s.id === lastPush.id)) return now;
        return { file: fileName, list: [lastPush, ...list].slice(0, HISTORY) };
      });
    }
  }, [lastPush]);
  return history.file === fileName ? history.list : [];
}

function FileTabs(
  { files, current, following, choose }: {
    files: FileEntry[];
    current: string | undefined;
    following: boolean;
    choose(name: string | null): void;
  },
) {
  if (files.length === 0) return null;
  return (
    <nav class="file-tabs" aria-label="Files" id="file-tabs">
      {files.map((f) => (
        <button
          type="button"
          key={f.file_name}
          class={f.file_name === current ? "on" : ""}
          data-file={f.file_name}
          onClick={() => choose(f.file_name)}
        >
          {f.file_name}
          {isTyping(f) && <span class="live-dot" title="being typed, not pushed yet" />}
        </button>
      ))}
      {!following && (
        <button type="button" id="follow-presenter" onClick={() => choose(null)}>
          Follow presenter
        </button>
      )}
    </nav>
  );
}

function PushList(
  { history, shownId, onPin }: {
    history: SnippetView[];
    shownId: string | undefined;
    onPin(id: string | null): void;
  },
) {
  if (history.length === 0) return null;
  return (
    <nav class="history" aria-label="Earlier pushes of this file">
      <h2>Pushes of {history[0].file_name}</h2>
      <ol id="history">
        {history.map((s, i) => (
          <li key={s.id}>
            <button
              type="button"
              class={s.id === shownId ? "current" : ""}
              onClick={() => onPin(i === 0 ? null : s.id)}
            >
              <span class="file-name">Push {history.length - i}</span>
              <span class="muted">{new Date(s.pushed_at).toLocaleTimeString()}</span>
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}

function VersionHead(props: {
  file: FileEntry;
  shown: Shown;
  pinned: boolean;
  unpin(): void;
  mode: "code" | "diff";
  setMode(mode: "code" | "diff"): void;
  prefs: ViewPrefs;
  updatePrefs(change: Partial<ViewPrefs>): void;
}) {
  const { file, shown, mode, setMode } = props;
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    if (await copyText(shown.version.content)) {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    }
  };
  return (
    <div
      class="snippet-head"
      id="snippet"
      data-id={shown.snippetId ?? "live"}
      data-file={file.file_name}
    >
      <b class="file-name">{file.file_name}</b>
      <span class={shown.live ? "badge-live" : "muted"} id="version-label">
        {shown.live ? "live, not pushed yet" : shown.version.label}
      </span>
      {props.pinned && (
        <button type="button" id="follow" onClick={props.unpin}>
          Back to latest
        </button>
      )}
      <span class="spacer" />
      <div class="tabs" role="tablist">
        <button type="button" class={mode === "code" ? "on" : ""} onClick={() => setMode("code")}>
          Code
        </button>
        <button
          type="button"
          id="diff-tab"
          class={mode === "diff" ? "on" : ""}
          onClick={() => setMode("diff")}
        >
          Diff
        </button>
      </div>
      <button type="button" id="copy" onClick={copy}>
        {copied ? "Copied" : "Copy"}
      </button>
      <ViewControls prefs={props.prefs} update={props.updatePrefs} />
    </div>
  );
}

function ParticipantPage() {
  const session = useSession();
  const { files, connection } = session;
  // null: follow the presenter, whose most recently touched file comes first.
  const [chosen, setChosen] = useState<string | null>(null);
  const [pinned, setPinned] = useState<string | null>(null);
  const [mode, setMode] = useState<"code" | "diff">("code");
  const [me, setMe] = useState<ParticipantView | null>(readJoined);
  const [prefs, updatePrefs] = useViewPrefs();

  const file = files.find((f) => f.file_name === chosen) ?? files[0] ?? null;
  const history = useFileHistory(file?.file_name ?? null, session.lastPush);
  const shown = file ? shownVersion(file, history, pinned) : null;
  const ended = connection === "ended";
  const choose = (name: string | null) => {
    setChosen(name);
    setPinned(null);
  };

  return (
    <div class="code-page">
      <header class="code-bar">
        <span class="session-name">{session.info?.display_name ?? "Code session"}</span>
        {grouped && <code class="session-code">{grouped}</code>}
        <span class={`status status-${connection}`} id="status">{connection}</span>
        {!ended && (
          <span class="muted" id="watching" data-count={session.watching}>
            {session.watching} watching
          </span>
        )}
        <span class="muted" id="participants" data-count={session.joined}>
          {session.joined} joined
        </span>
        <span class="spacer" />
        {!ended && (me
          ? <span class="muted" id="me">Joined as {me.display_name}</span>
          : <JoinForm onJoined={setMe} />)}
      </header>

      {ended && (
        <div class="ended-banner" id="ended" role="status">
          <b>{found ? "This session has ended." : "No such session."}</b> {found
            ? "The presenter closed it and its code is gone from the server; what you see stays until you leave."
            : "It has ended, or the code is mistyped."}
        </div>
      )}

      <FileTabs files={files} current={file?.file_name} following={!chosen} choose={choose} />

      <main class="code-main">
        <section class="code-panel">
          {shown && file
            ? (
              <>
                <VersionHead
                  file={file}
                  shown={shown}
                  pinned={pinned !== null}
                  unpin={() => setPinned(null)}
                  mode={mode}
                  setMode={setMode}
                  prefs={prefs}
                  updatePrefs={updatePrefs}
                />
                {mode === "code"
                  ? (
                    <CodeView
                      content={shown.version.content}
                      fileName={file.file_name}
                      caretLine={shown.caretLine}
                      prefs={prefs}
                    />
                  )
                  : <DiffView previous={shown.previous} next={shown.version} prefs={prefs} />}
              </>
            )
            : !ended && (
              <div class="empty" id="waiting">Waiting for the presenter to share code…</div>
            )}
        </section>

        <PushList history={history} shownId={shown?.snippetId} onPin={setPinned} />
      </main>
    </div>
  );
}

render(
  <>
    <SiteHeader here="Code session" />
    <ParticipantPage />
  </>,
  document.getElementById("app")!,
);
