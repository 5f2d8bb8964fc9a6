// WebSocket transport: one `/ws` socket per client, flat JSON envelopes, topics from the hub.
import type { Hub } from "./hub.ts";
import type { Logger } from "../log.ts";
import type { ClientOptions } from "../edge/client.ts";
import { isAllowedOrigin } from "../edge/origin.ts";
import { createRateLimiter } from "../edge/rate_limit.ts";
import type { TopicTable } from "./topics.ts";
import type { WsSubscribed } from "./wire.ts";
import { type ClientLimits, socketClient } from "./ws_client.ts";

export interface WsUser {
  id: number;
  email: string;
  displayName: string;
  /** The login session the socket was opened with, so signing out can close it. */
  sessionId?: string;
}

/** One connected socket, as features see it. */
export interface WsClient {
  readonly id: string;
  readonly user: WsUser | null;
  send(message: Record<string, unknown>): void;
  /**
   * Follows a hub topic; replays events after `since`, then calls `started` with the topic's
   * newest id at that moment, before any live event (the place for a `subscribed` ack). Events
   * arrive as `{...data, type, topic, eventId}`. False (and an error event sent) when the socket
   * already follows its maximum.
   */
  subscribe(topic: string, since?: number, started?: (lastId: number) => void): boolean;
  unsubscribe(topic: string): void;
  /** Whether the socket follows `topic` now. */
  follows(topic: string): boolean;
  /** Sends `{type: "error", code, error, ...extra}`. */
  error(code: string, message: string, extra?: Record<string, unknown>): void;
}

/**
 * What a feature (workspaces, streams) plugs into the socket. Who may follow which topic is not
 * here but in the topic table (`topics.ts`), which SSE consults too.
 */
export interface WsFeature {
  /** Message types this feature handles, e.g. ["message", "voice:join"]. */
  types: string[];
  handle(client: WsClient, message: Record<string, unknown>): void | Promise<void>;
  /** Runs once the socket closed, with the topics it still followed. */
  onClose?(client: WsClient, topics: readonly string[]): void;
}

export interface WsOptions {
  hub: Pick<Hub, "subscribe">;
  /** Decides the generic `{type: "subscribe", topic}`. */
  topics: Pick<TopicTable, "authorize">;
  log: Logger;
  features: WsFeature[];
  /** The user behind the request's session cookie, or null. */
  authenticate(request: Request): Promise<WsUser | null>;
  /** Origins besides the server's own that may open sockets. */
  allowedOrigins: string[];
  /** How the request looked to the client, for the server's own origin. */
  client: ClientOptions;
  /** @default 65536 */
  maxMessageBytes?: number;
  /** Bytes buffered for a client before it is closed as too slow. @default 1048576 */
  queueBytes?: number;
  /**
   * Seconds a silent client may stay: Deno pings after half of it without a frame from the client
   * and closes the socket when the other half passes without a pong (EchoSphere: 60 s). @default 60
   */
  idleTimeoutSeconds?: number;
  /** Messages per second a client may send, and the burst. @default {perSecond: 5, burst: 10} */
  rate?: { perSecond: number; burst: number };
  /** Topics one socket may follow at once. @default 100 */
  maxTopics?: number;
}

export interface WsTransport {
  /** Answers `GET /ws`: 403 for a foreign Origin, 400 for a non-upgrade, else the upgrade. */
  upgrade(request: Request): Promise<Response>;
  readonly size: number;
  /**
   * Closes, with `code`, every socket whose client `match`es (e.g. a signed-out session's); from
   * that moment they get no events and their messages are ignored. Returns how many.
   */
  closeWhere(match: (client: WsClient) => boolean, code: number, reason: string): number;
  close(): void;
}

export { CLOSE_SLOW } from "./ws_client.ts";
// A refused topic is echoed back cut to this, so a 64 KiB name does not come back whole.
const MAX_ECHO = 200;

const byteLength = (text: string) => new TextEncoder().encode(text).length;

/** What the socket handlers share: the hub, the topic table and who handles which type. */
interface SocketContext {
  options: WsOptions;
  limits: ClientLimits;
  maxBytes: number;
  rate: { perSecond: number; burst: number };
  byType: Map<string, WsFeature>;
  sockets: Map<WebSocket, { client: WsClient; revoke(): void }>;
}

/** The generic `{type: "subscribe" | "unsubscribe", topic, since}`, decided by the topic table. */
async function follow(
  ctx: SocketContext,
  client: WsClient,
  message: Record<string, unknown>,
  topic: string,
): Promise<void> {
  if (message.type === "unsubscribe") return client.unsubscribe(topic);
  if (!(await ctx.options.topics.authorize(client, topic))) {
    return client.error("forbidden", "Cannot subscribe: not allowed on this topic", {
      topic: topic.slice(0, MAX_ECHO),
    });
  }
  const since = typeof message.since === "number" && message.since >= 0 ? message.since : undefined;
  // After the replay: the client now knows it is live, and from which event id.
  client.subscribe(topic, since, (eventId) => {
    client.send({ type: "subscribed", topic, eventId } satisfies WsSubscribed);
  });
}

type Parsed = { message: Record<string, unknown> } | { code: string; error: string };

/** A text frame as a JSON object, or the error to answer it with. */
function parseFrame(data: string): Parsed {
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return { code: "bad_request", error: "Messages must be JSON objects" };
  }
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    return { code: "bad_request", error: "Messages must be JSON objects" };
  }
  return { message: message as Record<string, unknown> };
}

/** One frame from the client: size, rate and shape checks, then its feature's handler. */
function onFrame(
  ctx: SocketContext,
  socket: WebSocket,
  client: WsClient,
  allow: () => boolean,
  data: unknown,
): void {
  const { maxBytes } = ctx;
  if (data instanceof ArrayBuffer) {
    // A binary frame is read as JSON too, as EchoSphere's ReadJSON does, under the same limit.
    if (data.byteLength > maxBytes) {
      client.error("too_large", `Message is larger than ${maxBytes} bytes`);
      return socket.close(1009, "Message too large");
    }
    try {
      data = new TextDecoder("utf-8", { fatal: true }).decode(data);
    } catch {
      return client.error("bad_request", "Messages must be UTF-8 JSON");
    }
  }
  if (typeof data !== "string") return client.error("bad_request", "Messages must be JSON text");
  // The limit is in bytes, as EchoSphere's read limit: a UTF-16 length can be a third of it.
  if (data.length > maxBytes || (data.length * 3 > maxBytes && byteLength(data) > maxBytes)) {
    client.error("too_large", `Message is larger than ${maxBytes} bytes`);
    return socket.close(1009, "Message too large");
  }
  if (!allow()) return client.error("rate_limited", "Too many messages: slow down");
  const parsed = parseFrame(data);
  if (!("message" in parsed)) return client.error(parsed.code, parsed.error);
  dispatch(ctx, client, parsed.message).catch((error) => {
    ctx.limits.log.error("WebSocket handler failed", { error: String(error?.stack ?? error) });
    client.error("internal", "Internal error");
  });
}

async function dispatch(ctx: SocketContext, client: WsClient, message: Record<string, unknown>) {
  const type = message.type;
  if ((type === "subscribe" || type === "unsubscribe") && typeof message.topic === "string") {
    return await follow(ctx, client, message, message.topic);
  }
  const feature = typeof type === "string" ? ctx.byType.get(type) : undefined;
  if (!feature) return client.error("unsupported_event", `Unsupported event type: ${String(type)}`);
  await feature.handle(client, message);
}

/** Wires one opened socket: its client, its rate limit, and what its close tells the features. */
function connect(ctx: SocketContext, socket: WebSocket, user: WsUser | null): void {
  const { client, topics } = socketClient(socket, user, ctx.limits);
  let revoked = false;
  const limiter = createRateLimiter({
    capacity: ctx.rate.burst,
    refillPerSecond: ctx.rate.perSecond,
    maxKeys: 1,
  });
  const allow = (): boolean => limiter.take("").ok;
  const unsubscribeAll = () => {
    for (const unsubscribe of topics.values()) unsubscribe();
    topics.clear();
  };

  socket.binaryType = "arraybuffer";
  socket.onmessage = (e) => {
    if (!revoked) onFrame(ctx, socket, client, allow, e.data);
  };
  socket.onclose = () => {
    ctx.sockets.delete(socket);
    const followed = [...topics.keys()];
    unsubscribeAll();
    for (const feature of ctx.options.features) {
      try {
        feature.onClose?.(client, followed);
      } catch (error) {
        ctx.limits.log.error("WebSocket close handler failed", { error: String(error) });
      }
    }
  };
  socket.onerror = () => {};
  const revoke = () => {
    revoked = true;
    unsubscribeAll();
  };
  ctx.sockets.set(socket, { client, revoke });
}

/** The answer to a request that may not become a socket, or null when it may. */
function refusal(request: Request, options: WsOptions): Response | null {
  if (!isAllowedOrigin(request, options.allowedOrigins, options.client)) {
    const body = { type: "error", code: "forbidden_origin", error: "Origin not allowed" };
    return Response.json(body, { status: 403 });
  }
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    const body = { type: "error", code: "upgrade_required", error: "Expected a WebSocket upgrade" };
    return Response.json(body, { status: 426 });
  }
  return null;
}

export function createWsTransport(options: WsOptions): WsTransport {
  const byType = new Map<string, WsFeature>();
  for (const feature of options.features) {
    for (const type of feature.types) byType.set(type, feature);
  }
  const ctx: SocketContext = {
    options,
    limits: {
      hub: options.hub,
      log: options.log,
      queueBytes: options.queueBytes ?? 1024 * 1024,
      maxTopics: options.maxTopics ?? 100,
    },
    maxBytes: options.maxMessageBytes ?? 65536,
    rate: options.rate ?? { perSecond: 5, burst: 10 },
    byType,
    sockets: new Map(),
  };

  return {
    async upgrade(request) {
      const refused = refusal(request, options);
      if (refused) return refused;
      const user = await options.authenticate(request);
      const { socket, response } = Deno.upgradeWebSocket(request, {
        idleTimeout: options.idleTimeoutSeconds ?? 60,
      });
      socket.onopen = () => connect(ctx, socket, user);
      return response;
    },
    get size() {
      return ctx.sockets.size;
    },
    closeWhere(match, code, reason) {
      let closed = 0;
      for (const [socket, { client, revoke }] of ctx.sockets) {
        if (!match(client)) continue;
        revoke();
        socket.close(code, reason);
        closed++;
      }
      return closed;
    },
    close() {
      for (const socket of ctx.sockets.keys()) socket.close(1001, "Server shutting down");
    },
  };
}
