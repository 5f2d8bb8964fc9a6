// Code sessions (CodeCast): the /api/v1/sessions/anon API verbatim, plus history and live events.
import { Hono } from "hono";
import { HttpError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { Hub } from "../../realtime/hub.ts";
import { jsonFormat, type SseTransport } from "../../realtime/sse.ts";
import type {
  CodeParticipant,
  CodeSession,
  CodeSnippet,
  CodeStore,
} from "../../storage/code_store.ts";
import { readJsonObject } from "../../edge/body.ts";
import { clientIp, type ClientOptions } from "../../edge/client.ts";
import { hasControlCharacters, optionalString } from "../../edge/fields.ts";
import { createRateLimiter } from "../../edge/rate_limit.ts";
import { type CodeLive, codeTopic } from "./code_live.ts";
import type { CodeWatchers } from "./code_watchers.ts";
import type {
  CodeEvents,
  CreatedSession,
  ParticipantView,
  SessionEnded,
  SessionInfo,
  SessionView,
  SnippetHistory,
  SnippetView,
} from "./wire.ts";
import {
  hashToken,
  newCreatorToken,
  normaliseSessionCode,
  tokenMatches,
  tokensFromHeader,
} from "./code_secrets.ts";

export interface CodeDeps {
  store: CodeStore;
  live: CodeLive;
  watchers: Pick<CodeWatchers, "count" | "changed">;
  hub: Pick<Hub, "publish">;
  sse: SseTransport;
  log: Logger;
  /** Largest snippet content, in UTF-8 bytes (MAX_SNIPPET_BYTES). */
  maxSnippetBytes: number;
  /** Sessions one client address may create per hour, after a burst of 10 (CODE_SESSIONS_PER_HOUR). */
  sessionsPerHour: number;
  /** How to read the address a request came from (edge/client.ts), for the creation limit. */
  client: Pick<ClientOptions, "trustProxy">;
}

/** CodeCast's cap, with its message. */
export const MAX_PARTICIPANTS = 20;
const SMALL_BODY = 16 * 1024;
const CREATE_BURST = 10;
// JSON escaping (quotes, newlines, \u escapes) can make the body larger than the content it carries.
const bodyLimit = (maxSnippetBytes: number) => maxSnippetBytes * 2 + SMALL_BODY;

const iso = (ms: number) => new Date(ms).toISOString();
const encoder = new TextEncoder();

export const sessionView = (s: CodeSession): SessionView => ({
  id: s.id,
  session_code: s.code,
  display_name: s.displayName,
  is_active: true,
  created_at: iso(s.createdAt),
});
export const participantView = (p: CodeParticipant): ParticipantView => ({
  id: p.id,
  session_id: p.sessionId,
  display_name: p.displayName,
  joined_at: iso(p.joinedAt),
});
export const snippetView = (s: CodeSnippet): SnippetView => ({
  id: s.id,
  session_id: s.sessionId,
  file_name: s.fileName,
  content: s.content,
  pushed_at: iso(s.pushedAt),
});

export type Lookup = (raw: string) => Promise<CodeSession>;

/** Finds a session by its code as typed (any case, dashes), or 404. */
export const createSessionLookup = (store: Pick<CodeStore, "byCode">): Lookup => async (raw) => {
  const code = normaliseSessionCode(raw);
  const session = code ? await store.byCode(code) : null;
  if (!session) throw new HttpError(404, "Session not found");
  return session;
};

/** The session whose creator token is in `Authorization` (raw, or `Bearer <token>`). */
export async function creatorSession(
  sessionOf: Lookup,
  raw: string,
  header: string | undefined,
): Promise<CodeSession> {
  const candidates = tokensFromHeader(header);
  if (candidates.length === 0) throw new HttpError(401, "Missing creator token");
  const session = await sessionOf(raw);
  if (!tokenMatches(candidates, session.tokenHash)) {
    throw new HttpError(403, "Invalid creator token");
  }
  return session;
}

export function createCodeRoutes(deps: CodeDeps): Hono {
  const app = new Hono();
  app.route("/", createSessionRoutes(deps));
  app.route("/", createFollowRoutes(deps));
  app.route("/", createSnippetRoutes(deps));
  return app;
}

/** Creating, reading and joining sessions. */
function createSessionRoutes(deps: CodeDeps): Hono {
  const { store, log } = deps;
  const app = new Hono();
  const sessionOf = createSessionLookup(store);

  // Creating a session needs no account, and each one can hold history: bounded per address.
  const creations = createRateLimiter({
    capacity: Math.min(CREATE_BURST, deps.sessionsPerHour),
    refillPerSecond: deps.sessionsPerHour / 3600,
  });

  app.post("/api/v1/sessions/anon", async (c) => {
    const allowed = creations.take(clientIp(c, deps.client));
    if (!allowed.ok) {
      const seconds = allowed.retryAfterSeconds;
      throw new HttpError(429, `Too many sessions created: try again in ${seconds} s`, {
        headers: { "retry-after": String(seconds) },
      });
    }
    const body = await readJsonObject(c.req.raw, { maxBytes: SMALL_BODY });
    const displayName = optionalString(body, "display_name", 100) ?? "Code session";
    if (hasControlCharacters(displayName)) {
      throw new HttpError(400, "display_name must not contain control characters");
    }
    const given = body?.creator_token;
    if (given !== undefined && (typeof given !== "string" || !given.trim() || given.length > 512)) {
      throw new HttpError(400, "creator_token must be a string of 1 to 512 characters");
    }
    // Clients of the original always send a token; for the others, one is made and shown once.
    const token = given === undefined ? newCreatorToken() : given.trim();
    const session = await store.create(displayName, hashToken(token));
    log.info("Code session created", { code: session.code });
    const view: CreatedSession = sessionView(session);
    return c.json(given === undefined ? { ...view, creator_token: token } : view, 201);
  });

  app.get("/api/v1/sessions/anon/:code", async (c) => {
    const session = await sessionOf(c.req.param("code"));
    c.header("cache-control", "no-store");
    const info: SessionInfo = {
      ...sessionView(session),
      participant_count: await store.participantCount(session.id),
      max_participants: MAX_PARTICIPANTS,
      watching: deps.watchers.count(codeTopic(session.code)),
    };
    return c.json(info);
  });

  app.post("/api/v1/sessions/anon/:code/join", async (c) => {
    const session = await sessionOf(c.req.param("code"));
    const body = await readJsonObject(c.req.raw, { maxBytes: SMALL_BODY });
    const name = optionalString(body, "display_name", 64) ??
      `Guest ${crypto.getRandomValues(new Uint16Array(1))[0] % 10000}`;
    if (hasControlCharacters(name)) {
      throw new HttpError(400, "display_name must not contain control characters");
    }
    const result = await store.join(session.id, name, MAX_PARTICIPANTS);
    // Ended by its creator (or the idle sweep, on any instance) since it was looked up.
    if (!result) throw new HttpError(404, "Session not found");
    if (!result.ok) throw new HttpError(403, "Max amount of participants");
    const participant = participantView(result.participant);
    deps.hub.publish<CodeEvents["participant"]>(codeTopic(session.code), "participant", {
      participant,
      count: result.count,
    });
    return c.json(participant, 201);
  });

  return app;
}

/** Following a session's events (counted as watchers) and ending it. */
function createFollowRoutes(deps: CodeDeps): Hono {
  const app = new Hono();
  const sessionOf = createSessionLookup(deps.store);

  app.get("/api/v1/sessions/anon/:code/events", async (c) => {
    const session = await sessionOf(c.req.param("code"));
    const topic = codeTopic(session.code);
    const presenter = c.req.query("presenter") === "1";
    let opened = false;
    const response = await deps.sse.respond(topic, c.req.raw, {
      format: jsonFormat,
      notFound: "Session not found",
      onClose: () => opened && deps.watchers.changed(topic, presenter, -1),
    });
    // The stream subscribed while its response was made, unless it was refused or already gone.
    if (response.ok && !c.req.raw.signal.aborted) {
      opened = true;
      deps.watchers.changed(topic, presenter, 1);
    }
    return response;
  });

  app.post("/api/v1/sessions/anon/:code/end", async (c) => {
    const session = await creatorSession(
      sessionOf,
      c.req.param("code"),
      c.req.header("authorization"),
    );
    if (!await deps.live.end(session, "ended")) throw new HttpError(404, "Session not found");
    return c.json({ message: "Session ended", session_code: session.code } satisfies SessionEnded);
  });

  return app;
}

/** Pushing snippets (the creator) and reading the latest one and the history (anyone). */
function createSnippetRoutes(deps: CodeDeps): Hono {
  const { store } = deps;
  const app = new Hono();
  const sessionOf = createSessionLookup(store);

  app.post("/api/v1/sessions/anon/:code/snippets", async (c) => {
    const session = await creatorSession(
      sessionOf,
      c.req.param("code"),
      c.req.header("authorization"),
    );
    const max = deps.maxSnippetBytes;
    const tooLarge = `Snippet is larger than ${max} bytes`;
    const body = await readJsonObject(c.req.raw, {
      maxBytes: bodyLimit(max),
      tooLargeMessage: tooLarge,
    });
    const fileName = body?.file_name;
    const content = body?.content;
    if (typeof fileName !== "string" || !fileName.trim()) {
      throw new HttpError(400, "file_name is required");
    }
    if (fileName.length > 255 || hasControlCharacters(fileName)) {
      throw new HttpError(
        400,
        "file_name must be at most 255 characters, without control characters",
      );
    }
    if (typeof content !== "string") throw new HttpError(400, "content is required");
    if (encoder.encode(content).byteLength > max) throw new HttpError(413, tooLarge);
    const pushed = await store.push(session.id, fileName.trim(), content);
    if (!pushed) throw new HttpError(404, "Session not found");
    const snippet = snippetView(pushed);
    deps.hub.publish<CodeEvents["snippet"]>(codeTopic(session.code), "snippet", snippet);
    return c.json(snippet, 201);
  });

  app.get("/api/v1/sessions/anon/:code/snippets", async (c) => {
    const session = await sessionOf(c.req.param("code"));
    const latest = await store.latest(session.id);
    if (!latest) throw new HttpError(404, "No snippets found");
    c.header("cache-control", "no-store");
    return c.json(snippetView(latest));
  });

  app.get("/api/v1/sessions/anon/:code/snippets/history", async (c) => {
    const session = await sessionOf(c.req.param("code"));
    const rawLimit = c.req.query("limit") ?? "20";
    const limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > 100) {
      throw new HttpError(400, "limit must be a whole number from 1 to 100");
    }
    const before = c.req.query("before") || undefined;
    const fileName = c.req.query("file_name") || undefined;
    const page = await store.history(session.id, { limit, before, fileName });
    if (!page) throw new HttpError(400, "before must be the id of a snippet of this session");
    const snippets = page.snippets.map(snippetView);
    c.header("cache-control", "no-store");
    const history: SnippetHistory = {
      snippets,
      count: snippets.length,
      next_before: page.more ? snippets[snippets.length - 1].id : null,
    };
    return c.json(history);
  });

  return app;
}
