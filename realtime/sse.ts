// Server-Sent Events transport: adapts hub topics to `text/event-stream` responses.
import type { CloseReason, Hub, HubEvent } from "./hub.ts";
import type { TopicTable } from "./topics.ts";
import type { JsonFrame, JsonReset } from "./wire.ts";

/** How a topic's events are written as SSE frames; `name` keys the shared encoding cache. */
export interface SseFormat {
  name: string;
  /** The `event:` name and `data:` text of one event. */
  frame(event: HubEvent): { event?: string; data: string };
  /** Sent instead of a replay when the client missed more than history holds. */
  gap?(lastId: number): { event?: string; data: string };
}

/** The default format: `event: <type>` and the event as JSON `{id, type, data}` (a JsonFrame). */
export const jsonFormat: SseFormat = {
  name: "json",
  frame: (event) => ({
    event: event.type,
    data: JSON.stringify({ id: event.id, type: event.type, data: event.data } satisfies JsonFrame),
  }),
  gap: (lastId) => ({
    event: "reset",
    data: JSON.stringify({ id: lastId, type: "reset" } satisfies JsonReset),
  }),
};

export interface SseOptions {
  /** Interval of the `: heartbeat` comment that keeps proxies from closing idle streams. @default 15000 */
  heartbeatMs?: number;
  /** Reconnect delay suggested to EventSource. @default 2000 */
  retryMs?: number;
  /** Bytes queued for one client before it is dropped as too slow. @default 262144 */
  queueBytes?: number;
}

export interface StreamOptions {
  format: SseFormat;
  /** Data of a first message sent on every (re)connect, e.g. imgcast's `connected`. */
  greeting?: string;
  /** Called once when the stream ends, however it ends. */
  onClose?(): void;
  /** The `{"error"}` message of the 404 sent when the topic's namespace refuses it. @default "Not found" */
  notFound?: string;
}

export interface SseTransport {
  /** The stream of `topic`, or a JSON 404 when no namespace in the table allows it. */
  respond(topic: string, request: Request, options: StreamOptions): Promise<Response>;
  /** Streams currently open. */
  readonly size: number;
  /** Ends every stream and stops the heartbeat. */
  close(): void;
}

const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(": heartbeat\n\n");

/** Writes one SSE frame; multi-line data becomes several `data:` lines as the spec requires. */
export function sseFrame(frame: { event?: string; data: string }, id?: number): string {
  let text = id === undefined ? "" : `id: ${id}\n`;
  if (frame.event) text += `event: ${frame.event}\n`;
  for (const line of frame.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return text + "\n";
}

/** The resume point a client sent: the `Last-Event-ID` header, or `?lastEventId=` for scripts. */
export function lastEventId(request: Request): number | undefined {
  const raw = request.headers.get("last-event-id") ??
    new URL(request.url).searchParams.get("lastEventId");
  if (raw === null || !/^\d{1,15}$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

interface OpenStream {
  push(bytes: Uint8Array): boolean;
  end(): void;
}

const HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
  "connection": "keep-alive",
};

/**
 * Creates the SSE transport over `hub`; `topics` decides which topics may be streamed, so a request
 * for a name nobody owns never makes a hub topic. One timer serves every stream's heartbeat.
 */
export function createSseTransport(
  hub: Pick<Hub, "subscribe">,
  topics: Pick<TopicTable, "authorize">,
  options: SseOptions = {},
): SseTransport {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const retryMs = options.retryMs ?? 2_000;
  const queueBytes = options.queueBytes ?? 256 * 1024;
  const open = new Set<OpenStream>();
  let timer: ReturnType<typeof setInterval> | undefined;

  const startHeartbeat = () => {
    timer ??= setInterval(() => {
      for (const stream of open) stream.push(HEARTBEAT);
    }, heartbeatMs);
  };
  const stopHeartbeatIfIdle = () => {
    if (open.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    async respond(topic, request, { format, greeting, onClose, notFound }) {
      if (!(await topics.authorize(null, topic))) {
        return Response.json({ error: notFound ?? "Not found" }, { status: 404 });
      }
      let head = `retry: ${retryMs}\n\n`;
      if (greeting !== undefined) head += sseFrame({ data: greeting });
      const body = eventStream(hub, request, {
        topic,
        format,
        head,
        since: lastEventId(request),
        opened(stream) {
          open.add(stream);
          startHeartbeat();
        },
        ended(stream) {
          open.delete(stream);
          stopHeartbeatIfIdle();
          onClose?.();
        },
      }, queueBytes);
      return new Response(body, { headers: HEADERS });
    },
    get size() {
      return open.size;
    },
    close() {
      for (const stream of [...open]) stream.end();
      stopHeartbeatIfIdle();
    },
  };
}

/** What one stream is and what the transport wants to hear of it. */
interface StreamPlan {
  topic: string;
  format: SseFormat;
  /** Written first on every (re)connect: the retry hint and any greeting. */
  head: string;
  since?: number;
  /** Subscribed: the stream now gets heartbeats. */
  opened(stream: OpenStream): void;
  /** Ended, however it ended (client gone, hub closed it, transport closing); called once. */
  ended(stream: OpenStream): void;
}

/** One `text/event-stream` body over a hub subscription, bounded to `queueBytes` queued. */
function eventStream(
  hub: Pick<Hub, "subscribe">,
  request: Request,
  plan: StreamPlan,
  queueBytes: number,
): ReadableStream<Uint8Array> {
  let finish = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      finish = startStream(hub, request, plan, controller);
    },
    cancel() {
      finish();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: queueBytes }));
}

/** Writes the head and the replay (or gap), subscribes, and returns what ends the stream. */
function startStream(
  hub: Pick<Hub, "subscribe">,
  request: Request,
  plan: StreamPlan,
  controller: ReadableStreamDefaultController<Uint8Array>,
): () => void {
  const { format } = plan;
  const encode = (event: HubEvent) =>
    event.encoded(`sse:${format.name}`, (e) => sseFrame(format.frame(e), e.id));
  let ended = false;
  let unsubscribe = () => {};
  const finish = () => {
    if (ended) return;
    ended = true;
    unsubscribe();
    request.signal.removeEventListener("abort", finish);
    plan.ended(stream);
  };
  const stream: OpenStream = {
    push(bytes) {
      if (ended) return false;
      if ((controller.desiredSize ?? 0) <= 0) return false;
      controller.enqueue(bytes);
      return true;
    },
    end() {
      if (ended) return;
      finish();
      try {
        controller.close();
      } catch { /* already closed by the client */ }
    },
  };
  request.signal.addEventListener("abort", finish, { once: true });
  // The client may have gone while the namespace was deciding.
  if (request.signal.aborted) {
    stream.end();
    return finish;
  }

  controller.enqueue(encoder.encode(plan.head));
  const subscription = hub.subscribe(plan.topic, {
    start({ replay, gap, lastId }) {
      if (ended) return;
      if (gap && format.gap) {
        // Too much was missed to replay: one frame tells the client to refetch its state.
        controller.enqueue(encoder.encode(sseFrame(format.gap(lastId), lastId || undefined)));
      } else for (const event of replay) controller.enqueue(encode(event));
    },
    send: (event) => stream.push(encode(event)),
    close: (_reason: CloseReason) => stream.end(),
  }, { since: plan.since });
  unsubscribe = subscription.unsubscribe;
  plan.opened(stream);
  return finish;
}
