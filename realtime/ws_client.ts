// One /ws socket as features see it (WsClient), and what it sends: the frames of the hub's events,
// bounded by what the socket has queued. The transport (ws.ts) makes one per opened socket.
import type { CloseReason, Hub, HubEvent, Subscriber, SubscriptionStart } from "./hub.ts";
import type { Logger } from "../log.ts";
import type { WsClient, WsUser } from "./ws.ts";
import type { WsError, WsReset, WsUnsubscribed } from "./wire.ts";

/** Close code for a client dropped for falling behind: "try again later", so it reconnects. */
export const CLOSE_SLOW = 1013;

const wsFrame = (event: HubEvent) => {
  const data = event.data;
  const body = data !== null && typeof data === "object" && !Array.isArray(data) ? data : { data };
  return JSON.stringify({ ...body, type: event.type, topic: event.topic, eventId: event.id });
};

export interface ClientLimits {
  hub: Pick<Hub, "subscribe">;
  log: Logger;
  queueBytes: number;
  maxTopics: number;
}

// WebSocket.OPEN, without a global lookup per use.
const OPEN = 1;

/**
 * What one socket has queued. Reading bufferedAmount is a call into the runtime; per delivery it
 * was a tenth of the send's cost. Bytes only enter the buffer through our sends, so what was read
 * last plus what was sent since bounds it from above: it is read again only once that bound passes
 * the limit, and the decision stays the one a read every time would make.
 */
class Outbox {
  bound = 0;
  constructor(readonly socket: WebSocket, readonly limit: number, readonly log: Logger) {}

  full(): boolean {
    if (this.bound <= this.limit) return false;
    this.bound = this.socket.bufferedAmount;
    return this.bound > this.limit;
  }

  /** A UTF-16 unit is at most 3 UTF-8 bytes; 14 covers the frame's header. */
  sendText(text: string): void {
    this.bound += text.length * 3 + 14;
    this.socket.send(text);
  }

  dropSlow(): void {
    this.log.debug("Closing slow WebSocket client", { buffered: this.socket.bufferedAmount });
    this.socket.close(CLOSE_SLOW, "Too slow: reconnect and resume");
  }
}

/**
 * One socket's subscription to one topic. A class, not an object of closures: the hub's fan-out
 * then calls one `send` for every socket, and each delivery reads two small objects.
 */
class TopicSubscriber implements Subscriber {
  constructor(
    readonly out: Outbox,
    readonly client: WsClient,
    readonly topic: string,
    readonly forget: () => void,
    readonly started?: (lastId: number) => void,
  ) {}

  start({ replay, gap, lastId }: SubscriptionStart): void {
    const { out, client, topic } = this;
    if (out.socket.readyState !== OPEN) return;
    if (gap) client.send({ type: "reset", topic, eventId: lastId } satisfies WsReset);
    else for (const event of replay) out.sendText(event.text("ws", wsFrame));
    this.started?.(lastId);
  }

  /**
   * No readyState check: subscribers exist only once the socket opened, and Deno's `send` on a
   * closing or closed socket does nothing (it throws only while connecting).
   */
  send(event: HubEvent): boolean {
    const out = this.out;
    if (out.bound > out.limit && out.full()) return false;
    out.sendText(event.text("ws", wsFrame));
    return true;
  }

  close(reason: CloseReason): void {
    this.forget();
    if (reason === "slow") this.out.dropSlow();
    else if (reason === "dropped") {
      this.client.send({ type: "unsubscribed", topic: this.topic } satisfies WsUnsubscribed);
    } else this.out.socket.close(1001, "Server shutting down");
  }
}

/** The `WsClient` of one socket, and the topics it follows (topic → unsubscribe). */
export function socketClient(socket: WebSocket, user: WsUser | null, limits: ClientLimits) {
  const { hub, log, queueBytes, maxTopics } = limits;
  const topics = new Map<string, () => void>();
  const out = new Outbox(socket, queueBytes, log);
  const client: WsClient = {
    id: crypto.randomUUID(),
    user,
    send(message) {
      if (socket.readyState !== OPEN) return;
      if (out.full()) return out.dropSlow();
      out.sendText(JSON.stringify(message));
    },
    subscribe(topic, since, started) {
      // An authorization that resolved after the socket closed must not leave a subscriber.
      if (socket.readyState !== OPEN) return false;
      if (!topics.has(topic) && topics.size >= maxTopics) {
        const message = `Cannot subscribe: a socket follows at most ${maxTopics} topics`;
        client.error("too_many_topics", message, { topic });
        return false;
      }
      topics.get(topic)?.();
      const forget = () => topics.delete(topic);
      const subscriber = new TopicSubscriber(out, client, topic, forget, started);
      const subscription = hub.subscribe(topic, subscriber, { since });
      topics.set(topic, subscription.unsubscribe);
      return true;
    },
    unsubscribe(topic) {
      topics.get(topic)?.();
      topics.delete(topic);
    },
    follows: (topic) => topics.has(topic),
    error(code, message, extra) {
      client.send({ type: "error", code, error: message, ...extra } satisfies WsError);
    },
  };
  return { client, topics };
}
