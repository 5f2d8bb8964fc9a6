// The presenter's start page: start a session, resume one from another device with its creator
// token, and the notice that the last one ended.
import { useEffect, useState } from "preact/hooks";
import { url } from "./boot.ts";
import { ApiError, type CreatedSession, request, sessionPath } from "./code_api.ts";
import type { Held } from "./code_editor.tsx";

/** How a session left this page: by this presenter, or elsewhere (another device, idle expiry). */
export interface Ended {
  code: string;
  byMe: boolean;
}

const message = (error: unknown) =>
  error instanceof ApiError ? error.message : "Network error: try again";
export const grouped = (code: string) => code.match(/.{1,4}/g)!.join("-");

/** `#resume=CODE.TOKEN`, the resume link the presenter copies; read once and cleared. */
function resumeFromHash(): { code: string; token: string } | null {
  const match = /^#resume=([^.]+)\.(.+)$/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return { code: decodeURIComponent(match[1]), token: decodeURIComponent(match[2]) };
}

function CreateForm({ onHeld }: { onHeld(held: Held): void }) {
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
      onHeld({ code: created.session_code, token: created.creator_token! });
    } catch (error) {
      setError(message(error));
    }
  };
  return (
    <form class="start-card" onSubmit={create}>
      <h2>Start a session</h2>
      <input
        id="session-name"
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
        placeholder="Session name, e.g. Friday code review"
        aria-label="Session name"
        maxLength={100}
      />
      <button type="submit" class="button" id="create">Start a session</button>
      {error && <p class="error" id="create-error">{error}</p>}
    </form>
  );
}

function ResumeForm({ onHeld }: { onHeld(held: Held): void }) {
  const [code, setCode] = useState("");
  const [token, setToken] = useState("");
  const [error, setError] = useState("");
  const resume = async (given: { code: string; token: string }) => {
    const canonical = given.code.replace(/[\s-]/g, "").toUpperCase();
    try {
      // A creator-only read: it answers 200 only for this session's token, and changes nothing.
      await request(sessionPath(canonical, "/participants"), { token: given.token.trim() });
      onHeld({ code: canonical, token: given.token.trim() });
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      setError(
        status === 403
          ? "That creator token does not belong to this session."
          : status === 404
          ? "No session with this code: it has ended, or the code is mistyped."
          : message(error),
      );
    }
  };
  useEffect(() => {
    const linked = resumeFromHash();
    if (linked) {
      setCode(linked.code);
      setToken(linked.token);
      void resume(linked);
    }
  }, []);
  return (
    <form
      class="start-card"
      onSubmit={(e) => {
        e.preventDefault();
        void resume({ code, token });
      }}
    >
      <h2>Resume a session</h2>
      <p class="muted">
        Present from another device: the session code and its creator token (shown under “Present
        from another device” on the first one).
      </p>
      <input
        id="resume-code"
        value={code}
        onInput={(e) => setCode(e.currentTarget.value)}
        placeholder="Session code, e.g. K7WX-M3PQ-RT"
        aria-label="Session code"
        maxLength={32}
        required
      />
      <input
        id="resume-token"
        type="password"
        value={token}
        onInput={(e) => setToken(e.currentTarget.value)}
        placeholder="Creator token"
        aria-label="Creator token"
        maxLength={512}
        autocomplete="off"
        required
      />
      <button type="submit" class="button" id="resume">Resume</button>
      {error && <p class="error" id="resume-error">{error}</p>}
    </form>
  );
}

export function StartPage({ ended, onHeld }: { ended: Ended | null; onHeld(held: Held): void }) {
  return (
    <div class="present-start">
      {ended && (
        <div class="session-ended" id="session-ended" role="status">
          <h2>Session {grouped(ended.code)} has ended</h2>
          <p>
            {ended.byMe
              ? "You ended it. Its snippets, files and participants are deleted from the server, and everyone watching was told."
              : "It was ended from another device, or closed after being idle. Its data is deleted from the server."}
          </p>
        </div>
      )}
      <h1>Present code</h1>
      <p class="muted">
        Start a session and share its code: what you type appears at once for everyone who opened
        the link, and each push keeps a version they can compare.
      </p>
      <div class="start-cards">
        <CreateForm onHeld={onHeld} />
        <ResumeForm onHeld={onHeld} />
      </div>
    </div>
  );
}
