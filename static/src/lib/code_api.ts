// The code session API as the pages use it: the server's wire types, calls, and following a
// session's events.
import { url } from "./boot.ts";
import type { ErrorBody } from "../../../errors.ts";
import type { JsonFrame } from "../../../realtime/wire.ts";
import type { CodeEvents, DraftView, SnippetView } from "../../../routes/code/wire.ts";

export type {
  CodePageData,
  CreatedSession,
  DraftView,
  FileEntry,
  LiveLimits,
  ParticipantList,
  ParticipantView,
  PresentPageData,
  SessionEnded,
  SessionInfo,
  SnippetHistory,
  SnippetView,
} from "../../../routes/code/wire.ts";

/** An API failure with the server's `{"error"}` message. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export const sessionPath = (code: string, rest = "") =>
  url(`api/v1/sessions/anon/${encodeURIComponent(code)}${rest}`);

export async function request<T>(
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(path, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    cache: "no-store",
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, (body as Partial<ErrorBody>).error ?? response.statusText);
  }
  return body as T;
}

export interface SessionEvents {
  snippet(snippet: SnippetView): void;
  participant(joined: CodeEvents["participant"]): void;
  live(draft: DraftView): void;
  closed(fileName: string): void;
  watching(count: number): void;
  ended(): void;
  /** Too much was missed to replay: refetch the state. */
  reset(): void;
  connection(state: "live" | "reconnecting"): void;
}

/**
 * Follows a session's SSE stream. EventSource resumes with Last-Event-ID by itself; when it gives
 * up (an error status), the session is looked up: gone means ended, else the stream is reopened
 * from the last id seen.
 */
export function followSession(
  code: string,
  on: SessionEvents,
  { presenter = false } = {},
): () => void {
  let events: EventSource | undefined;
  let lastId = "";
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  /** The event a frame carries; its id is kept to resume from. */
  const data = <K extends keyof CodeEvents>(e: Event): CodeEvents[K] => {
    lastId = (e as MessageEvent).lastEventId || lastId;
    return (JSON.parse((e as MessageEvent).data) as JsonFrame<CodeEvents[K]>).data;
  };
  const end = () => {
    stop();
    on.ended();
  };
  const open = () => {
    const query = new URLSearchParams();
    // The presenter's own stream is kept out of the watcher count.
    if (presenter) query.set("presenter", "1");
    if (lastId) query.set("lastEventId", lastId);
    const source = events = new EventSource(sessionPath(code, `/events?${query}`));
    source.onopen = () => on.connection("live");
    source.onerror = () => {
      on.connection("reconnecting");
      if (source.readyState !== EventSource.CLOSED || stopped) return;
      request(sessionPath(code)).then(
        () => (retry = setTimeout(open, 3000)),
        (error) => {
          if (error instanceof ApiError && error.status === 404) end();
          else retry = setTimeout(open, 3000);
        },
      );
    };
    source.addEventListener("snippet", (e) => on.snippet(data<"snippet">(e)));
    source.addEventListener("participant", (e) => on.participant(data<"participant">(e)));
    source.addEventListener("live", (e) => on.live(data<"live">(e)));
    source.addEventListener("closed", (e) => on.closed(data<"closed">(e).file_name));
    source.addEventListener("watching", (e) => on.watching(data<"watching">(e).count));
    source.addEventListener("reset", (e) => (data(e), on.reset()));
    source.addEventListener("ended", (e) => (data<"ended">(e), end()));
  };
  const stop = () => {
    stopped = true;
    clearTimeout(retry);
    events?.close();
  };
  open();
  return stop;
}

/** Copies text to the clipboard, falling back to a selected textarea on insecure origins. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}
