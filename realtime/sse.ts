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
      const since = lastEventId(request);
      let stream: OpenStream | undefined;
      let unsubscribe = () => {};
      const encode = (event: HubEvent) =>
        event.encoded(`sse:${format.name}`, (e) => sseFrame(format.frame(e), e.id));

      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          let ended = false;
          const finish = () => {
            if (ended) return;
            ended = true;
            open.delete(stream!);
            unsubscribe();
            request.signal.removeEventListener("abort", finish);
            stopHeartbeatIfIdle();
            onClose?.();
          };
          stream = {
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
          (stream as OpenStream & { cancel?: () => void }).cancel = finish;
          request.signal.addEventListener("abort", finish, { once: true });
          // The client may have gone while the namespace was deciding.
          if (request.signal.aborted) return stream.end();

          let head = `retry: ${retryMs}\n\n`;
          if (greeting !== undefined) head += sseFrame({ data: greeting });
          controller.enqueue(encoder.encode(head));
          const subscription = hub.subscribe(topic, {
            send: (event) => stream!.push(encode(event)),
            close: (_reason: CloseReason) => stream!.end(),
          }, { since });
          unsubscribe = subscription.unsubscribe;
          if (subscription.gap && format.gap) {
            // Too much was missed to replay: one frame tells the client to refetch its state.
            const last = subscription.lastId;
            controller.enqueue(encoder.encode(sseFrame(format.gap(last), last || undefined)));
          } else {
            for (const event of subscription.replay) controller.enqueue(encode(event));
          }
          open.add(stream);
          startHeartbeat();
        },
        cancel() {
          (stream as OpenStream & { cancel?: () => void })?.cancel?.();
        },
      }, new ByteLengthQueuingStrategy({ highWaterMark: queueBytes }));

      return new Response(body, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache, no-transform",
          "x-accel-buffering": "no",
          "connection": "keep-alive",
        },
      });
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
