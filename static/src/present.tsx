// The presenter page: start or resume a session, share its code, link and QR, type live in file
// tabs and push versions, see who watches and who joined, and end it.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { boot, url } from "./lib/boot.ts";
import { SiteHeader } from "./lib/site_header.tsx";
import {
  ApiError,
  copyText,
  followSession,
  type ParticipantList,
  type ParticipantView,
  type PresentPageData,
  request,
  type SessionInfo,
  sessionPath,
  type SnippetView,
} from "./lib/code_api.ts";
import { Editor, type Held } from "./lib/code_editor.tsx";
import { type Ended, grouped, StartPage } from "./lib/code_start.tsx";
import { QrCode } from "./lib/code_qr.tsx";

const { limits } = boot<PresentPageData>();
/** What this browser remembers of its session; the creator token never leaves it otherwise. */
const STORE_KEY = "roomcast.present";

function readHeld(): Held | null {
  try {
    const held = JSON.parse(localStorage.getItem(STORE_KEY) ?? "null");
    return held && typeof held.code === "string" && typeof held.token === "string" ? held : null;
  } catch {
    return null;
  }
}

/** The session's counts and names as the presenter follows them. */
function useAudience(held: Held, onEnded: () => void) {
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [names, setNames] = useState<ParticipantView[]>([]);
  const [watching, setWatching] = useState(0);
  const [last, setLast] = useState<SnippetView | null>(null);
  useEffect(() => {
    request<SessionInfo>(sessionPath(held.code)).then(setInfo, (error) => {
      if (error instanceof ApiError && error.status === 404) onEnded();
    });
    request<ParticipantList>(sessionPath(held.code, "/participants"), { token: held.token })
      .then((list) => {
        setNames(list.participants);
        setWatching(list.watching);
      }, () => {});
    return followSession(held.code, {
      snippet: setLast,
      participant: ({ participant }) =>
        setNames((list) =>
          list.some((p) => p.id === participant.id) ? list : [...list, participant]
        ),
      watching: setWatching,
      live: () => {},
      closed: () => {},
      ended: onEnded,
      reset: () => {},
      connection: () => {},
    }, { presenter: true });
  }, [held.code]);
  return { info, names, watching, last, setLast };
}

function ResumeDetails({ held }: { held: Held }) {
  const [copied, setCopied] = useState(false);
  const link = `${location.origin}${url("present")}#resume=${held.code}.${
    encodeURIComponent(held.token)
  }`;
  return (
    <details class="resume-details" id="resume-details">
      <summary>Present from another device</summary>
      <p class="muted">
        Open this link there, or enter the code and this creator token. Anyone with it can push and
        end the session: keep it to yourself.
      </p>
      <code id="creator-token">{held.token}</code>
      <button type="button" id="copy-resume" onClick={async () => setCopied(await copyText(link))}>
        {copied ? "Resume link copied" : "Copy resume link"}
      </button>
    </details>
  );
}

function Presenter({ held, onEnded }: { held: Held; onEnded(byMe: boolean): void }) {
  // The `ended` event can come before the answer to our own end: it still counts as ours.
  const ending = useRef(false);
  const audience = useAudience(held, () => onEnded(ending.current));
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState("");
  const link = location.origin + url(`code/${held.code}`);
  const { info, names, watching, last } = audience;

  const end = async () => {
    if (!confirm("End the session? Every snippet, file and participant is deleted.")) return;
    ending.current = true;
    try {
      await request(sessionPath(held.code, "/end"), { method: "POST", token: held.token });
      onEnded(true);
    } catch (error) {
      ending.current = false;
      setError(error instanceof ApiError ? error.message : "Network error: try again");
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
        <button type="button" onClick={async () => setCopied(await copyText(link))}>
          {copied ? "Link copied" : "Copy join link"}
        </button>
        <p id="watching" data-count={watching}>
          <b>{watching}</b> watching now
        </p>
        <p id="participants" data-count={names.length}>
          {names.length} joined{info ? ` of ${info.max_participants}` : ""}
        </p>
        {names.length > 0 && (
          <ul class="participant-names" id="participant-names">
            {names.map((p) => <li key={p.id}>{p.display_name}</li>)}
          </ul>
        )}
        <ResumeDetails held={held} />
        <button type="button" class="danger" id="end" onClick={end}>End session</button>
        {error && <p class="error" id="end-error">{error}</p>}
      </aside>
      <main class="present-main">
        <Editor held={held} limits={limits} onPushed={audience.setLast} />
        {last && (
          <p class="muted" id="last-push">
            Last push: <b>{last.file_name}</b> at {new Date(last.pushed_at).toLocaleTimeString()}
          </p>
        )}
      </main>
    </div>
  );
}

function PresentPage() {
  const [held, setHeld] = useState<Held | null>(readHeld);
  const [ended, setEnded] = useState<Ended | null>(null);
  if (!held) {
    return (
      <StartPage
        ended={ended}
        onHeld={(h) => {
          localStorage.setItem(STORE_KEY, JSON.stringify(h));
          setEnded(null);
          setHeld(h);
        }}
      />
    );
  }
  return (
    <Presenter
      key={held.code}
      held={held}
      onEnded={(byMe) => {
        localStorage.removeItem(STORE_KEY);
        setEnded({ code: held.code, byMe });
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
