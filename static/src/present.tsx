// The presenter page: create a code session, show its code, link and QR, push snippets, end it.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { url } from "./lib/boot.ts";
import { SiteHeader } from "./lib/site_header.tsx";
import {
  ApiError,
  copyText,
  type CreatedSession,
  followSession,
  request,
  type SessionInfo,
  sessionPath,
  type SnippetView,
} from "./lib/code_api.ts";
import { CodeView } from "./lib/code_view.tsx";
import { QrCode } from "./lib/code_qr.tsx";

/** What this browser remembers of its session; the creator token never leaves it otherwise. */
interface Held {
  code: string;
  token: string;
}
const STORE_KEY = "roomcast.present";

function readHeld(): Held | null {
  try {
    const held = JSON.parse(localStorage.getItem(STORE_KEY) ?? "null");
    return held && typeof held.code === "string" && typeof held.token === "string" ? held : null;
  } catch {
    return null;
  }
}

const grouped = (code: string) => code.match(/.{1,4}/g)!.join("-");
const message = (error: unknown) =>
  error instanceof ApiError ? error.message : "Network error: try again";

function CreateForm({ onCreated, note }: { onCreated(held: Held): void; note: string }) {
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const created = await request<CreatedSession>(
        url("api/v1/sessions/anon"),
        { method: "POST", body: name.trim() ? { display_name: name.trim() } : {} },
      );
      // No creator_token was sent, so the server made one and returned it.
      const held = { code: created.session_code, token: created.creator_token! };
      localStorage.setItem(STORE_KEY, JSON.stringify(held));
      onCreated(held);
    } catch (error) {
      setError(message(error));
    }
  };
  return (
    <form class="present-create" onSubmit={create}>
      <h1>Present code</h1>
      <p class="muted">
        Start a session, share its code, and every snippet you push appears at once for everyone who
        opened the link. {note}
      </p>
      <input
        id="session-name"
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
        placeholder="Session name, e.g. Friday code review"
        maxLength={100}
      />
      <button type="submit" id="create">Start a session</button>
      {error && <p class="error">{error}</p>}
    </form>
  );
}

function Presenter({ held, onGone }: { held: Held; onGone(note: string): void }) {
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [count, setCount] = useState(0);
  const [fileName, setFileName] = useState("main.ts");
  const [content, setContent] = useState("");
  const [last, setLast] = useState<SnippetView | null>(null);
  const [error, setError] = useState("");
  const [copied, setCopied] = useState(false);
  const link = location.origin + url(`code/${held.code}`);

  useEffect(() => {
    request<SessionInfo>(sessionPath(held.code)).then((session) => {
      setInfo(session);
      setCount(session.participant_count);
    }).catch((error) => {
      if (error instanceof ApiError && error.status === 404) onGone("Your last session has ended.");
    });
    request<SnippetView>(sessionPath(held.code, "/snippets")).then((snippet) => {
      setLast(snippet);
      setFileName(snippet.file_name);
      setContent(snippet.content);
    }).catch(() => {});
    return followSession(held.code, {
      snippet: setLast,
      participant: setCount,
      ended: () => onGone("The session has ended."),
      reset: () => {},
      connection: () => {},
    });
  }, [held.code]);

  const push = async (e?: Event) => {
    e?.preventDefault();
    setError("");
    try {
      const snippet = await request<SnippetView>(sessionPath(held.code, "/snippets"), {
        method: "POST",
        token: held.token,
        body: { file_name: fileName.trim(), content },
      });
      setLast(snippet);
    } catch (error) {
      setError(message(error));
    }
  };
  const end = async () => {
    if (!confirm("End the session? Every snippet and participant is deleted.")) return;
    try {
      await request(sessionPath(held.code, "/end"), { method: "POST", token: held.token });
      onGone("The session has ended.");
    } catch (error) {
      setError(message(error));
    }
  };

  return (
    <div class="present">
      <aside class="present-side">
        <h1>{info?.display_name ?? "Code session"}</h1>
        <p class="muted">Session code</p>
        <code class="big-code" id="session-code">{grouped(held.code)}</code>
        <QrCode text={link} />
        <p>
          <a href={link} target="_blank" id="join-link">{link}</a>
        </p>
        <button
          type="button"
          onClick={async () => setCopied(await copyText(link))}
        >
          {copied ? "Link copied" : "Copy join link"}
        </button>
        <p id="participants" data-count={count}>
          {count} {count === 1 ? "participant" : "participants"}
          {info ? ` of ${info.max_participants}` : ""}
        </p>
        <button type="button" class="danger" id="end" onClick={end}>End session</button>
      </aside>
      <main class="present-main">
        <form class="push-form" onSubmit={push}>
          <div class="push-row">
            <input
              id="file-name"
              value={fileName}
              onInput={(e) => setFileName(e.currentTarget.value)}
              placeholder="File name (sets the highlighting), e.g. main.go"
              maxLength={255}
              required
            />
            <button type="submit" id="push">Push (Ctrl+Enter)</button>
          </div>
          <textarea
            id="content"
            value={content}
            spellcheck={false}
            onInput={(e) => setContent(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void push(e);
              if (e.key === "Tab" && !e.shiftKey) {
                // Tab indents, as in an editor, instead of leaving the field.
                e.preventDefault();
                const area = e.currentTarget;
                const at = area.selectionStart;
                setContent(area.value.slice(0, at) + "  " + area.value.slice(area.selectionEnd));
                requestAnimationFrame(() => area.setSelectionRange(at + 2, at + 2));
              }
            }}
            placeholder="Paste or type code, then push it to everyone."
          />
          {error && <p class="error" id="push-error">{error}</p>}
        </form>
        {last && (
          <section>
            <p class="muted" id="last-push">
              Live now: <b>{last.file_name}</b>, pushed{" "}
              {new Date(last.pushed_at).toLocaleTimeString()}
            </p>
            <CodeView snippet={last} />
          </section>
        )}
      </main>
    </div>
  );
}

function PresentPage() {
  const [held, setHeld] = useState<Held | null>(readHeld);
  const [note, setNote] = useState("");
  if (!held) {
    return <CreateForm note={note} onCreated={(h) => (setNote(""), setHeld(h))} />;
  }
  return (
    <Presenter
      key={held.code}
      held={held}
      onGone={(why) => {
        localStorage.removeItem(STORE_KEY);
        setNote(why);
        setHeld(null);
      }}
    />
  );
}

render(
  <>
    <SiteHeader here="Present code" />
    <PresentPage />
  </>,
  document.getElementById("app")!,
);
