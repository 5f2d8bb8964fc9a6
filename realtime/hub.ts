// The in-process realtime hub: topics, per-topic event ids, a history ring, and fan-out to subscribers.

/** One published event. Transports encode it once per format through `encoded`. */
export interface HubEvent<T = unknown> {
  readonly id: number;
  readonly topic: string;
  readonly type: string;
  readonly data: T;
  /** Milliseconds since the epoch when it was published. */
  readonly at: number;
  /** The bytes of this event in one format, made on first use and shared by every subscriber. */
  encoded(format: string, make: (event: HubEvent<T>) => string): Uint8Array;
  /** The same, as text (WebSocket text frames). */
  text(format: string, make: (event: HubEvent<T>) => string): string;
}

/** Why the hub ended a subscription. `slow`: its queue overflowed; the client should reconnect. */
export type CloseReason = "slow" | "dropped" | "shutdown";

/** What a transport hands the hub: it must never block, and says `false` when its queue is full. */
export interface Subscriber {
  send(event: HubEvent): boolean;
  close(reason: CloseReason): void;
}

export interface Subscription {
  /** Events after `since` still in history, to send before live ones. */
  readonly replay: HubEvent[];
  /** True when `since` was given but events after it are no longer (or never were) in history. */
  readonly gap: boolean;
  /** The topic's newest id when the subscription began. */
  readonly lastId: number;
  unsubscribe(): void;
}

export interface Hub {
  publish<T>(topic: string, type: string, data: T): HubEvent<T>;
  subscribe(topic: string, subscriber: Subscriber, options?: { since?: number }): Subscription;
  /** The id of the newest event on a topic, 0 when none. */
  lastId(topic: string): number;
  subscriberCount(topic: string): number;
  /** Forgets a topic (a deleted room): its subscribers are closed with `dropped`. */
  dropTopic(topic: string): void;
  /** Closes every subscriber with `shutdown`. */
  close(): void;
}

export interface HubOptions {
  /** Events kept per topic for resuming, or a function giving it per topic. @default 256 */
  historySize?: number | ((topic: string) => number);
}

interface Topic {
  lastId: number;
  keep: number;
  history: HubEvent[];
  subscribers: Set<Subscriber>;
}

const encoder = new TextEncoder();

class Event<T> implements HubEvent<T> {
  #bytes?: Map<string, Uint8Array>;
  #texts?: Map<string, string>;
  constructor(
    readonly id: number,
    readonly topic: string,
    readonly type: string,
    readonly data: T,
    readonly at: number,
  ) {}

  encoded(format: string, make: (event: HubEvent<T>) => string): Uint8Array {
    this.#bytes ??= new Map();
    let bytes = this.#bytes.get(format);
    if (!bytes) {
      bytes = encoder.encode(this.text(format, make));
      this.#bytes.set(format, bytes);
    }
    return bytes;
  }

  text(format: string, make: (event: HubEvent<T>) => string): string {
    this.#texts ??= new Map();
    let text = this.#texts.get(format);
    if (text === undefined) {
      text = make(this);
      this.#texts.set(format, text);
    }
    return text;
  }
}

/** Creates an empty in-process hub. A Redis-backed hub would implement the same interface. */
export function createHub(options: HubOptions = {}): Hub {
  const size = options.historySize ?? 256;
  const historySize = typeof size === "number" ? () => size : size;
  const topics = new Map<string, Topic>();

  const topicOf = (name: string): Topic => {
    let topic = topics.get(name);
    if (!topic) {
      topic = { lastId: 0, keep: historySize(name), history: [], subscribers: new Set() };
      topics.set(name, topic);
    }
    return topic;
  };

  return {
    publish(name, type, data) {
      const topic = topicOf(name);
      const event = new Event(++topic.lastId, name, type, data, Date.now());
      topic.history.push(event);
      if (topic.history.length > topic.keep) topic.history.shift();
      for (const subscriber of topic.subscribers) {
        if (!subscriber.send(event)) {
          topic.subscribers.delete(subscriber);
          subscriber.close("slow");
        }
      }
      return event;
    },

    subscribe(name, subscriber, { since } = {}) {
      const topic = topicOf(name);
      topic.subscribers.add(subscriber);
      let replay: HubEvent[] = [];
      let gap = false;
      if (since !== undefined && since < topic.lastId) {
        const oldest = topic.history[0]?.id ?? topic.lastId + 1;
        gap = since + 1 < oldest;
        replay = topic.history.filter((event) => event.id > since);
      } else if (since !== undefined && since > topic.lastId) {
        // An id from before a restart: the client's view is stale, not ahead.
        gap = true;
      }
      return {
        replay,
        gap,
        lastId: topic.lastId,
        unsubscribe: () => void topic.subscribers.delete(subscriber),
      };
    },

    lastId: (name) => topics.get(name)?.lastId ?? 0,
    subscriberCount: (name) => topics.get(name)?.subscribers.size ?? 0,

    dropTopic(name) {
      const topic = topics.get(name);
      if (!topic) return;
      topics.delete(name);
      for (const subscriber of topic.subscribers) subscriber.close("dropped");
    },

    close() {
      for (const topic of topics.values()) {
        for (const subscriber of topic.subscribers) subscriber.close("shutdown");
        topic.subscribers.clear();
      }
    },
  };
}
