// The participant page of a code session: the latest push, highlighted and live, with history and diff.
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { boot, timeAgo } from "./lib/boot.ts";
import { SiteHeader } from "./lib/site_header.tsx";
import {
  ApiError,
  type CodePageData,
  copyText,
  followSession,
  type ParticipantView,
  request,
  type SessionInfo,
  sessionPath,
  type SnippetHistory,
  type SnippetView,
} from "./lib/code_api.ts";
import { CodeView, DiffView } from "./lib/code_view.tsx";

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
      <button type="submit">Join</button>
      {error && <span class="error" id="join-error">{error}</span>}
    </form>
  );
}

function ParticipantPage() {
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [history, setHistory] = useState<SnippetView[]>([]);
  const [pinned, setPinned] = useState<string | null>(null);
  const [mode, setMode] = useState<"code" | "diff">("code");
  const [count, setCount] = useState(0);
  const [connection, setConnection] = useState<Connection>(found ? "connecting" : "ended");
  const [copied, setCopied] = useState(false);
  const [me, setMe] = useState<ParticipantView | null>(() => {
    try {
      return JSON.parse(sessionStorage.getItem(joinedKey) ?? "null");
    } catch {
      return null;
    }
  });

  const load = useCallback(async () => {
    try {
      const session = await request<SessionInfo>(sessionPath(code));
      setInfo(session);
      setCount(session.participant_count);
      const page = await request<SnippetHistory>(
        sessionPath(code, `/snippets/history?limit=${HISTORY}`),
      );
      setHistory(page.snippets);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) setConnection("ended");
    }
  }, []);

  useEffect(() => {
    if (!found) return;
    void load();
    return followSession(code, {
      snippet: (snippet) =>
        setHistory((list) =>
          list.some((s) => s.id === snippet.id) ? list : [snippet, ...list].slice(0, HISTORY)
        ),
      participant: setCount,
      ended: () => setConnection("ended"),
      reset: () => void load(),
      connection: (state) => setConnection((now) => (now === "ended" ? now : state)),
    });
  }, [load]);

  const index = pinned ? history.findIndex((s) => s.id === pinned) : 0;
  const shown = history[index] ?? null;
  const previous = history[index + 1] ?? null;
  const ended = connection === "ended";

  const copy = async () => {
    if (shown && (await copyText(shown.content))) {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    }
  };

  return (
    <div class="code-page">
      <header class="code-bar">
        <span class="session-name">{info?.display_name ?? "Code session"}</span>
        {grouped && <code class="session-code">{grouped}</code>}
        <span class={`status status-${connection}`} id="status">{connection}</span>
        <span class="muted" id="participants" data-count={count}>
          {count} {count === 1 ? "participant" : "participants"}
        </span>
        <span class="spacer" />
        {!ended && (me
          ? <span class="muted" id="me">Joined as {me.display_name}</span>
          : <JoinForm onJoined={setMe} />)}
      </header>

      {ended && (
        <div class="ended-banner" id="ended" role="status">
          {found
            ? "This session has ended. What you see below stays until you leave the page."
            : "No session with this code: it has ended, or the code is mistyped."}
        </div>
      )}

      <main class="code-main">
        <section class="code-panel">
          {shown
            ? (
              <>
                <div class="snippet-head" id="snippet" data-id={shown.id}>
                  <b class="file-name">{shown.file_name}</b>
                  <span class="muted">pushed {timeAgo(shown.pushed_at)}</span>
                  {pinned && (
                    <button
                      type="button"
                      id="follow"
                      onClick={() => setPinned(null)}
                    >
                      Back to latest
                    </button>
                  )}
                  <span class="spacer" />
                  <div class="tabs" role="tablist">
                    <button
                      type="button"
                      class={mode === "code" ? "on" : ""}
                      onClick={() => setMode("code")}
                    >
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
                </div>
                {mode === "code"
                  ? <CodeView snippet={shown} />
                  : <DiffView previous={previous} snippet={shown} />}
              </>
            )
            : !ended && (
              <div class="empty" id="waiting">Waiting for the presenter to push code…</div>
            )}
        </section>

        {history.length > 0 && (
          <nav class="history" aria-label="Earlier pushes">
            <h2>History</h2>
            <ol id="history">
              {history.map((s, i) => (
                <li key={s.id}>
                  <button
                    type="button"
                    class={s.id === shown?.id ? "current" : ""}
                    onClick={() => setPinned(i === 0 ? null : s.id)}
                  >
                    <span class="file-name">{s.file_name}</span>
                    <span class="muted">{new Date(s.pushed_at).toLocaleTimeString()}</span>
                  </button>
                </li>
              ))}
            </ol>
          </nav>
        )}
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
