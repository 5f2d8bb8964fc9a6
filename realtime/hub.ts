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

/** Where a subscription starts: handed to the subscriber once, before any live event. */
export interface SubscriptionStart {
  /** Events after `since` still in history, to send before live ones. */
  readonly replay: HubEvent[];
  /** True when `since` was given but events after it are no longer (or never were) in history. */
  readonly gap: boolean;
  /** The topic's newest id when the subscription began: live events follow it. */
  readonly lastId: number;
}

/**
 * What a transport hands the hub: it must never block, and `send` says `false` when its queue is
 * full. `start` comes first, exactly once: at once in the in-process hub, after a round trip in
 * the Redis one (live events that arrive meanwhile are held back, de-duplicated by id, and follow).
 */
export interface Subscriber {
  start(start: SubscriptionStart): void;
  send(event: HubEvent): boolean;
  close(reason: CloseReason): void;
}

export interface Subscription {
  /** Stops delivery; a subscription not yet started never starts. */
  unsubscribe(): void;
}

export interface PublishOptions {
  /**
   * False for a fleeting event (typing): sent to who follows the topic now, never kept or
   * replayed, and it takes no id of its own but the newest kept event's, so a client resuming
   * from it misses nothing. @default true
   */
  history?: boolean;
}

/**
 * The seam between features and an engine (in-process here, Redis in redis_hub.ts). Publishing is
 * fire-and-forget and ordered per topic per instance; ids are per-topic increasing.
 */
export interface Hub {
  publish<T>(topic: string, type: string, data: T, options?: PublishOptions): void;
  subscribe(topic: string, subscriber: Subscriber, options?: { since?: number }): Subscription;
  /** The id of the newest event on a topic (for a topic not held, the id it would start after). */
  lastId(topic: string): Promise<number>;
  /** Subscribers of this instance on `topic`. */
  subscriberCount(topic: string): number;
  /** Forgets a topic (a deleted room): its subscribers are closed with `dropped`. */
  dropTopic(topic: string): void;
  /** What this instance holds now, for tests and operators. */
  stats(): HubStats;
  /** Closes every subscriber with `shutdown` and releases the engine's connections. */
  close(): Promise<void>;
}

export interface HubStats {
  /** Topics held, with or without subscribers. */
  topics: number;
  /** Topics without subscribers, waiting to be evicted. */
  idleTopics: number;
  subscribers: number;
  /** Events kept in history across every topic. */
  historyEvents: number;
  /** Their estimated size (the length of their data as JSON, plus a small fixed overhead). */
  historyBytes: number;
  /** Events handed to subscribers since the hub was made (a counter, for /metrics' rate()). */
  delivered: number;
  /** Subscribers dropped as too slow since the hub was made. */
  dropped: number;
}

export interface HubOptions {
  /** Events kept per topic for resuming, or a function giving it per topic. @default 256 */
  historySize?: number | ((topic: string) => number);
  /** Bytes of history kept across every topic; past it the oldest events go first. @default 64 MiB */
  historyBytes?: number;
  /** A topic without subscribers is forgotten, with its history, this long after its last use. @default 300000 */
  idleMs?: number;
  /** Topics without subscribers kept at most; past it the least recently used go first. @default 10000 */
  maxIdleTopics?: number;
  /** @default Date.now */
  now?: () => number;
}

interface Topic {
  lastId: number;
  keep: number;
  history: TopicEvent<unknown>[];
  subscribers: Set<Subscriber>;
}

const encoder = new TextEncoder();
const MiB = 1024 * 1024;
// Per-event bookkeeping (object, ids, cache maps) beyond its data, for the history budget.
const EVENT_OVERHEAD = 64;

export class TopicEvent<T> implements HubEvent<T> {
  #bytes?: Map<string, Uint8Array>;
  #texts?: Map<string, string>;
  #format?: string;
  #text?: string;
  /** Whether the event is still in its topic's history (and counted in the budget). */
  kept = false;
  constructor(
    readonly id: number,
    readonly topic: string,
    readonly type: string,
    readonly data: T,
    readonly at: number,
    /** Its estimated bytes in the history budget; set when it is kept. */
    public size = 0,
  ) {}

  /** The length of the first text made of it, if any (a size estimate that costs nothing). */
  get madeLength(): number | undefined {
    return this.#text?.length;
  }

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
    // One format is all most events are ever sent in: it is kept in two fields, no Map made.
    if (format === this.#format) return this.#text!;
    if (this.#format === undefined) {
      const text = make(this);
      this.#format = format;
      return this.#text = text;
    }
    this.#texts ??= new Map();
    let text = this.#texts.get(format);
    if (text === undefined) {
      text = make(this);
      this.#texts.set(format, text);
    }
    return text;
  }
}

function sizeOf(topic: string, type: string, data: unknown): number {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch { /* not JSON (a transport would fail on it too): count the overhead only */ }
  return (json?.length ?? 0) + topic.length + type.length + EVENT_OVERHEAD;
}

/** Every topic's history under one byte budget: past it, the oldest event overall goes first. */
class HistoryBudget {
  bytes = 0;
  events = 0;
  // Kept events in publish order; entries already gone from history are skipped and compacted.
  #order: TopicEvent<unknown>[] = [];
  #head = 0;

  constructor(
    readonly limit: number,
    readonly historyOf: (topic: string) => TopicEvent<unknown>[],
  ) {}

  /** Appends `event` to `history`, dropping its own oldest past `keep`, then the oldest overall. */
  add(history: TopicEvent<unknown>[], keep: number, event: TopicEvent<unknown>): void {
    if (keep <= 0) return;
    event.kept = true;
    this.bytes += event.size;
    this.events++;
    history.push(event);
    this.#order.push(event);
    if (history.length > keep) this.forget(history.shift()!);
    while (this.bytes > this.limit && this.#head < this.#order.length) {
      const oldest = this.#order[this.#head++];
      if (!oldest.kept) continue;
      // The oldest kept event overall is also the oldest of its own topic: index 0.
      const own = this.historyOf(oldest.topic);
      own.splice(own.indexOf(oldest), 1);
      this.forget(oldest);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    } else if (this.#order.length - this.#head > 2 * this.events + 1024) {
      this.#order = this.#order.slice(this.#head).filter((e) => e.kept);
      this.#head = 0;
    }
  }

  forget(event: TopicEvent<unknown>): void {
    if (!event.kept) return;
    event.kept = false;
    this.bytes -= event.size;
    this.events--;
  }
}

/** Creates an empty in-process hub, the default engine (redis_hub.ts is the other). */
export function createHub(options: HubOptions = {}): LocalHub {
  return new LocalHub(options);
}

/** The in-process engine; `publishEvent` is its own extra, for tests that want the event back. */
export class LocalHub implements Hub {
  #topics = new Map<string, Topic>();
  #historySize: (topic: string) => number;
  #budget: HistoryBudget;
  // Topics without subscribers, least recently used first (a Map iterates in insertion order).
  #idle = new Map<string, number>();
  #idleMs: number;
  #maxIdle: number;
  #now: () => number;
  // A topic made again after eviction starts above every id handed out before, so a client's
  // old `since` is never mistaken for a position in the new run of ids.
  #floor = 0;
  // Plain number adds on the fan-out path; /metrics reads them through stats().
  #delivered = 0;
  #dropped = 0;

  constructor(options: HubOptions) {
    const size = options.historySize ?? 256;
    this.#historySize = typeof size === "number" ? () => size : size;
    this.#budget = new HistoryBudget(
      options.historyBytes ?? 64 * MiB,
      (name) => this.#topics.get(name)!.history,
    );
    this.#idleMs = options.idleMs ?? 300_000;
    this.#maxIdle = options.maxIdleTopics ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  publish<T>(name: string, type: string, data: T, options: PublishOptions = {}): void {
    this.publishEvent(name, type, data, options);
  }

  /** `publish`, returning the event made (for this hub's own tests). */
  publishEvent<T>(name: string, type: string, data: T, options: PublishOptions = {}): HubEvent<T> {
    if (options.history === false) return this.#publishFleeting(name, type, data);
    const topic = this.#topicOf(name);
    const at = this.#now();
    const event = new TopicEvent(++topic.lastId, name, type, data, at);
    this.#fanOut(topic, event);
    // Sized after the fan-out: a transport's text of it, when one was made, spares a JSON pass.
    const made = event.madeLength;
    event.size = made === undefined ? sizeOf(name, type, data) : made + EVENT_OVERHEAD;
    this.#budget.add(topic.history, topic.keep, event as TopicEvent<unknown>);
    if (topic.subscribers.size === 0) this.#markIdle(name);
    this.#sweep();
    return event;
  }

  /** An event for who follows now; a topic not held is not made for it (nobody would hear it). */
  #publishFleeting<T>(name: string, type: string, data: T): HubEvent<T> {
    const topic = this.#topics.get(name);
    const event = new TopicEvent(topic?.lastId ?? this.#floor, name, type, data, this.#now());
    if (topic) this.#fanOut(topic, event);
    return event;
  }

  #fanOut(topic: Topic, event: HubEvent): void {
    for (const subscriber of topic.subscribers) {
      if (subscriber.send(event)) {
        this.#delivered++;
      } else {
        this.#dropped++;
        topic.subscribers.delete(subscriber);
        subscriber.close("slow");
      }
    }
  }

  subscribe(
    name: string,
    subscriber: Subscriber,
    { since }: { since?: number } = {},
  ): Subscription {
    this.#sweep();
    const topic = this.#topicOf(name);
    topic.subscribers.add(subscriber);
    this.#idle.delete(name);
    let replay: HubEvent[] = [];
    let gap = false;
    if (since !== undefined && since < topic.lastId) {
      const oldest = topic.history[0]?.id ?? topic.lastId + 1;
      gap = since + 1 < oldest;
      replay = topic.history.filter((event) => event.id > since);
    } else if (since !== undefined && since > topic.lastId) {
      // An id from before a restart or an eviction: the client's view is stale, not ahead.
      gap = true;
    }
    subscriber.start({ replay, gap, lastId: topic.lastId });
    return {
      unsubscribe: () => {
        const left = topic.subscribers.delete(subscriber);
        const current = this.#topics.get(name) === topic;
        if (left && current && topic.subscribers.size === 0) this.#markIdle(name);
      },
    };
  }

  lastId(name: string): Promise<number> {
    return Promise.resolve(this.#topics.get(name)?.lastId ?? this.#floor);
  }

  subscriberCount(name: string): number {
    return this.#topics.get(name)?.subscribers.size ?? 0;
  }

  dropTopic(name: string): void {
    const topic = this.#topics.get(name);
    if (!topic) return;
    this.#evict(name, topic);
    for (const subscriber of topic.subscribers) subscriber.close("dropped");
  }

  stats(): HubStats {
    let subscribers = 0;
    for (const topic of this.#topics.values()) subscribers += topic.subscribers.size;
    return {
      topics: this.#topics.size,
      idleTopics: this.#idle.size,
      subscribers,
      historyEvents: this.#budget.events,
      historyBytes: this.#budget.bytes,
      delivered: this.#delivered,
      dropped: this.#dropped,
    };
  }

  close(): Promise<void> {
    for (const topic of this.#topics.values()) {
      for (const subscriber of topic.subscribers) subscriber.close("shutdown");
      topic.subscribers.clear();
    }
    return Promise.resolve();
  }

  #topicOf(name: string): Topic {
    let topic = this.#topics.get(name);
    if (!topic) {
      const keep = this.#historySize(name);
      topic = { lastId: this.#floor, keep, history: [], subscribers: new Set() };
      this.#topics.set(name, topic);
    }
    return topic;
  }

  #evict(name: string, topic: Topic): void {
    this.#topics.delete(name);
    this.#idle.delete(name);
    for (const event of topic.history) this.#budget.forget(event);
    this.#floor = Math.max(this.#floor, topic.lastId);
  }

  #markIdle(name: string): void {
    this.#idle.delete(name);
    this.#idle.set(name, this.#now());
  }

  /** Evicts topics idle past the TTL or past the bound; stops at the first one still fresh. */
  #sweep(): void {
    const cutoff = this.#now() - this.#idleMs;
    for (const [name, since] of this.#idle) {
      if (since > cutoff && this.#idle.size <= this.#maxIdle) break;
      this.#evict(name, this.#topics.get(name)!);
    }
  }
}
