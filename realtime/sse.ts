// Server-Sent Events transport: adapts hub topics to `text/event-stream` responses.
import type {
  CloseReason,
  Hub,
  HubEvent,
  Subscriber,
  Subscription,
  SubscriptionStart,
} from "./hub.ts";
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
const byteLength = (chunk: Uint8Array) => chunk.byteLength;
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
  // The URL is parsed only when its query can hold the id: a URL object per viewer is not free.
  const raw = request.headers.get("last-event-id") ??
    (request.url.includes("lastEventId=")
      ? new URL(request.url).searchParams.get("lastEventId")
      : null);
  if (raw === null || !/^\d{1,15}$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

/** What the transport keeps of one open stream: heartbeats go through `push`. */
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
  // One strategy object for every stream: its queue is bounded by bytes.
  const strategy: QueuingStrategy<Uint8Array> = { highWaterMark: queueBytes, size: byteLength };

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
  const bookkeeping: Bookkeeping = {
    opened(stream) {
      open.add(stream);
      startHeartbeat();
    },
    ended(stream) {
      open.delete(stream);
      stopHeartbeatIfIdle();
    },
  };

  return {
    async respond(topic, request, { format, greeting, onClose, notFound }) {
      if (!(await topics.authorize(null, topic))) {
        return Response.json({ error: notFound ?? "Not found" }, { status: 404 });
      }
      let head = `retry: ${retryMs}\n\n`;
      if (greeting !== undefined) head += sseFrame({ data: greeting });
      const stream = new EventStream(hub, bookkeeping, encoder.encode(head), {
        topic,
        format,
        since: lastEventId(request),
        onClose,
      });
      return new Response(new ReadableStream(stream, strategy), { headers: HEADERS });
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

/** The transport's side of every stream: one object shared by all of them. */
interface Bookkeeping {
  /** Subscribed: the stream now gets heartbeats. */
  opened(stream: OpenStream): void;
  /** Ended, however it ended (client gone, hub closed it, transport closing); called once. */
  ended(stream: OpenStream): void;
}

/** What one stream is. */
interface StreamPlan {
  topic: string;
  format: SseFormat;
  since?: number;
  onClose?: () => void;
}

/** Each format's cache key and encoder, made once per format rather than once per delivery. */
const encoders = new WeakMap<SseFormat, { key: string; make: (event: HubEvent) => string }>();
function encoderOf(format: SseFormat) {
  let entry = encoders.get(format);
  if (!entry) {
    entry = { key: `sse:${format.name}`, make: (e) => sseFrame(format.frame(e), e.id) };
    encoders.set(format, entry);
  }
  return entry;
}

/**
 * One `text/event-stream` body over a hub subscription: the stream's source, its hub subscriber
 * and its heartbeat target in one object, so a held stream costs one object of ours and no
 * closures. A client that leaves is seen as the body's `cancel`: Deno.serve cancels a response's
 * body when its connection closes, also when the response was made after the client had gone
 * (realtime/sse_disconnect_test.ts), so no listener on `request.signal` is needed, and none is
 * added: each one costs a pending cancellation op and an AbortSignal per viewer.
 */
class EventStream implements UnderlyingDefaultSource<Uint8Array>, OpenStream {
  #controller?: ReadableStreamDefaultController<Uint8Array>;
  #subscription?: Subscription;
  #ended = false;
  /** Written first on every (re)connect: the retry hint and any greeting. Dropped once queued, as a
   * greeting (a room list) can be kilobytes that every held stream would otherwise keep. */
  #head?: Uint8Array;

  constructor(
    readonly hub: Pick<Hub, "subscribe">,
    readonly bookkeeping: Bookkeeping,
    head: Uint8Array,
    readonly plan: StreamPlan,
  ) {
    this.#head = head;
  }

  /** The body was made: write the head, subscribe (the replay or gap comes through `begin`). */
  start(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.#controller = controller;
    controller.enqueue(this.#head!);
    this.#head = undefined;
    this.#subscription = this.hub.subscribe(this.plan.topic, new StreamSubscriber(this), {
      since: this.plan.since,
    });
    // A hub that is closing may have ended the stream during subscribe.
    if (this.#ended) this.#subscription.unsubscribe();
    else this.bookkeeping.opened(this);
  }

  /** The client went (Deno cancels the body) or the reader cancelled it. */
  cancel(): void {
    this.#finish();
  }

  /** The replay, or the one gap frame that tells the client to refetch its state. */
  begin({ replay, gap, lastId }: SubscriptionStart): void {
    if (this.#ended) return;
    const { format } = this.plan;
    if (gap && format.gap) {
      this.#controller!.enqueue(encoder.encode(sseFrame(format.gap(lastId), lastId || undefined)));
    } else for (const event of replay) this.#controller!.enqueue(this.encode(event));
  }

  encode(event: HubEvent): Uint8Array {
    const { key, make } = encoderOf(this.plan.format);
    return event.encoded(key, make);
  }

  push(bytes: Uint8Array): boolean {
    if (this.#ended) return false;
    if ((this.#controller!.desiredSize ?? 0) <= 0) return false;
    this.#controller!.enqueue(bytes);
    return true;
  }

  end(): void {
    if (this.#ended) return;
    this.#finish();
    try {
      this.#controller?.close();
    } catch { /* already closed by the client */ }
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#subscription?.unsubscribe();
    this.bookkeeping.ended(this);
    this.plan.onClose?.();
  }
}

/** The hub's view of an EventStream (its `start` would clash with the stream source's). */
class StreamSubscriber implements Subscriber {
  constructor(readonly stream: EventStream) {}
  start(start: SubscriptionStart): void {
    this.stream.begin(start);
  }
  send(event: HubEvent): boolean {
    return this.stream.push(this.stream.encode(event));
  }
  close(_reason: CloseReason): void {
    this.stream.end();
  }
}
