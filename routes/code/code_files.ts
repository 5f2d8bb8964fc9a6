// A code session's open files: live typing (debounced snapshots), closing a tab, the file list and
// the participant list the presenter sees.
import { Hono } from "hono";
import { HttpError } from "../../errors.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { CodeDraft, CodeStore } from "../../storage/code_store.ts";
import { readJsonObject } from "../../edge/body.ts";
import { hasControlCharacters } from "../../edge/fields.ts";
import { createRateLimiter } from "../../edge/rate_limit.ts";
import { codeTopic } from "./code_live.ts";
import type { CodeWatchers } from "./code_watchers.ts";
import { createSessionLookup, creatorSession, participantView, snippetView } from "./code.ts";
import type { CodeEvents, DraftView, FileEntry, LiveLimits, ParticipantList } from "./wire.ts";

export interface CodeFilesDeps {
  store: CodeStore;
  hub: Pick<Hub, "publish">;
  watchers: Pick<CodeWatchers, "count">;
  limits?: Partial<LiveOptions>;
}

export interface LiveOptions {
  /** Largest live snapshot, in UTF-8 bytes; a larger file is shared by pushing it. @default 65536 */
  maxLiveBytes: number;
  /** Open files (live drafts) per session. @default 12 */
  maxFiles: number;
  /** Live updates per second per session, after a burst of twice as many. @default 20 */
  updatesPerSecond: number;
}

export const LIVE_DEFAULTS: LiveOptions = {
  maxLiveBytes: 64 * 1024,
  maxFiles: 12,
  updatesPerSecond: 20,
};
/** A tab's name: shown, never a path on disk, but one line and short enough for a tab. */
export const MAX_FILE_NAME = 120;
// Files listed for participants: the newest pushes of this many files, beside every draft.
const LISTED_FILES = 50;
const SMALL_BODY = 16 * 1024;
const encoder = new TextEncoder();
const iso = (ms: number) => new Date(ms).toISOString();

export const draftView = (d: CodeDraft): DraftView => ({
  file_name: d.fileName,
  content: d.content,
  caret_line: d.caretLine,
  rev: d.rev,
  updated_at: iso(d.updatedAt),
});

/** The live limits as the presenter page reads them. */
export function liveLimits(options: Partial<LiveOptions> = {}): LiveLimits {
  const { maxLiveBytes, maxFiles } = { ...LIVE_DEFAULTS, ...options };
  return { max_live_bytes: maxLiveBytes, max_files: maxFiles, max_file_name: MAX_FILE_NAME };
}

/** A tab's file name from a body, trimmed, or a 400 saying what is wrong with it. */
export function tabFileName(value: unknown): string {
  if (typeof value !== "string" || !value.trim()) throw new HttpError(400, "file_name is required");
  const name = value.trim();
  if (name.length > MAX_FILE_NAME || hasControlCharacters(name)) {
    throw new HttpError(
      400,
      `file_name must be at most ${MAX_FILE_NAME} characters, without control characters`,
    );
  }
  return name;
}

/** A live update's body: the tab, its text within `maxLiveBytes`, the caret kept inside it. */
async function readLiveUpdate(
  req: Request,
  maxLiveBytes: number,
): Promise<Omit<CodeDraft, "rev" | "updatedAt">> {
  const tooLarge = `Live snapshot is larger than ${maxLiveBytes} bytes: push the file instead`;
  const body = await readJsonObject(req, {
    maxBytes: maxLiveBytes * 2 + SMALL_BODY,
    tooLargeMessage: tooLarge,
  });
  const fileName = tabFileName(body?.file_name);
  const content = body?.content;
  if (typeof content !== "string") throw new HttpError(400, "content is required");
  if (encoder.encode(content).byteLength > maxLiveBytes) {
    throw new HttpError(413, tooLarge);
  }
  const caret = body?.caret_line ?? 1;
  if (!Number.isInteger(caret) || (caret as number) < 1) {
    throw new HttpError(400, "caret_line must be a whole number from 1");
  }
  const lines = content.split("\n").length;
  return { fileName, content, caretLine: Math.min(caret as number, lines) };
}

/** Every draft beside the newest pushes of recent files, most recently active first. */
async function fileList(store: CodeStore, sessionId: string): Promise<FileEntry[]> {
  const files = new Map<string, FileEntry>();
  for (const draft of await store.drafts(sessionId)) {
    files.set(draft.fileName, {
      file_name: draft.fileName,
      draft: draftView(draft),
      latest: null,
    });
  }
  for (const latest of await store.latestPerFile(sessionId, LISTED_FILES)) {
    const entry = files.get(latest.fileName) ??
      { file_name: latest.fileName, draft: null, latest: null };
    files.set(latest.fileName, { ...entry, latest: snippetView(latest) });
  }
  const activity = (f: FileEntry) =>
    Math.max(Date.parse(f.draft?.updated_at ?? "0"), Date.parse(f.latest?.pushed_at ?? "0"));
  return [...files.values()].sort((a, b) => activity(b) - activity(a));
}

export function createCodeFileRoutes(deps: CodeFilesDeps): Hono {
  const { store, hub } = deps;
  const limits = { ...LIVE_DEFAULTS, ...deps.limits };
  const app = new Hono();
  const sessionOf = createSessionLookup(store);
  // Per session: a presenter typing fast sends at most one update per debounce; more is a script.
  const updates = createRateLimiter({
    capacity: limits.updatesPerSecond * 2,
    refillPerSecond: limits.updatesPerSecond,
  });

  app.post("/api/v1/sessions/anon/:code/live", async (c) => {
    const session = await creatorSession(
      sessionOf,
      c.req.param("code"),
      c.req.header("authorization"),
    );
    const allowed = updates.take(session.id);
    if (!allowed.ok) {
      throw new HttpError(429, "Too many live updates: slow down", {
        headers: { "retry-after": String(allowed.retryAfterSeconds) },
      });
    }
    const update = await readLiveUpdate(c.req.raw, limits.maxLiveBytes);
    const saved = await store.saveDraft(session.id, update, limits.maxFiles);
    if (!saved) throw new HttpError(404, "Session not found");
    if (!saved.ok) {
      throw new HttpError(
        400,
        `A session has at most ${limits.maxFiles} open files: close one first`,
      );
    }
    const draft = draftView(saved.draft);
    // Fleeting: every keystroke is not history; a late viewer reads the drafts from /files.
    hub.publish<CodeEvents["live"]>(codeTopic(session.code), "live", draft, { history: false });
    return c.json({ file_name: draft.file_name, rev: draft.rev, caret_line: draft.caret_line });
  });

  app.post("/api/v1/sessions/anon/:code/live/close", async (c) => {
    const session = await creatorSession(
      sessionOf,
      c.req.param("code"),
      c.req.header("authorization"),
    );
    const body = await readJsonObject(c.req.raw, { maxBytes: SMALL_BODY });
    const fileName = tabFileName(body?.file_name);
    if (!await store.closeDraft(session.id, fileName)) {
      throw new HttpError(404, "No such open file");
    }
    hub.publish<CodeEvents["closed"]>(codeTopic(session.code), "closed", { file_name: fileName }, {
      history: false,
    });
    return c.json({ file_name: fileName, closed: true });
  });

  app.get("/api/v1/sessions/anon/:code/files", async (c) => {
    const session = await sessionOf(c.req.param("code"));
    c.header("cache-control", "no-store");
    return c.json({ files: await fileList(store, session.id) });
  });

  app.get("/api/v1/sessions/anon/:code/participants", async (c) => {
    const session = await creatorSession(
      sessionOf,
      c.req.param("code"),
      c.req.header("authorization"),
    );
    c.header("cache-control", "no-store");
    return c.json(
      {
        participants: (await store.participants(session.id)).map(participantView),
        watching: deps.watchers.count(codeTopic(session.code)),
      } satisfies ParticipantList,
    );
  });

  return app;
}
