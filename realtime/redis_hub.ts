// The Redis-backed hub (REDIS_URL): per-topic ids and history in Redis, fan-out over pub/sub, so
// every instance delivers every topic's events and any instance can resume any client.
import { Redis } from "ioredis";
import type { Logger } from "../log.ts";
import {
  type Hub,
  type HubStats,
  type PublishOptions,
  type Subscriber,
  type Subscription,
} from "./hub.ts";
import { type Arrival, RemoteTopic } from "./redis_topic.ts";
import { DROP, PUBLISH, RAISE, READ } from "./redis_scripts.ts";
import { channelOf, eventOf, keysOf, parseMessage, topicOfChannel } from "./redis_wire.ts";

export interface RedisHubOptions {
  /** `redis://[user:password@]host:port[/db]` */
  url: string;
  log: Logger;
  /** Events kept per topic (its Stream's MAXLEN), or a function giving it per topic. @default 256 */
  historySize?: number | ((topic: string) => number);
  /** A topic's id counter and history expire this long after its last kept event. @default 86400 */
  historyTtlSeconds?: number;
  /** Publishes held while Redis is unreachable; past it they are dropped and counted. @default 10000 */
  publishQueue?: number;
  /** Events buffered for one subscriber while its replay is read. @default 1024 */
  joinBuffer?: number;
  /** Prefix of every key and channel, so several deployments can share one Redis. @default "roomcast:hub:" */
  prefix?: string;
  /** Called on every connection error (the metrics' Redis error counter). */
  onError?: () => void;
  /** @default Date.now */
  now?: () => number;
}

export interface RedisHub extends Hub {
  /** Resolves once both connections are ready (tests; the server starts without waiting). */
  ready(): Promise<void>;
  /** Publishes dropped because the queue was full, and publishes waiting for Redis now. */
  publishStats(): { dropped: number; queued: number };
  /** Resolves when Redis answers a PING on the command connection (health checks). */
  ping(): Promise<void>;
}

type Job = { topic: string; body?: string; kept: boolean };

interface Scripts {
  rcPublish(...args: (string | number)[]): Promise<number>;
  rcRead(...args: (string | number)[]): Promise<(number | string)[]>;
  rcRaise(...args: (string | number)[]): Promise<number>;
  rcDrop(...args: (string | number)[]): Promise<number>;
}

// Events sent to Redis at once; more wait in the queue, so a slow Redis cannot grow memory.
const MAX_IN_FLIGHT = 1000;
// Highest ids remembered per topic published here, to raise them again after a Redis restart.
const MAX_KNOWN = 10_000;

/** Connects to Redis (two connections: commands, and one for every subscribed channel). */
export function createRedisHub(options: RedisHubOptions): RedisHub {
  return new RedisHubEngine(options);
}

class RedisHubEngine implements RedisHub {
  #cmd: Redis & Scripts;
  #sub: Redis;
  #log: Logger;
  #prefix: string;
  #historySize: (topic: string) => number;
  #ttl: number;
  #maxQueue: number;
  #joinBuffer: number;
  #now: () => number;
  #topics = new Map<string, RemoteTopic>();
  #known = new Map<string, number>();
  #queue: Job[] = [];
  #inFlight = 0;
  #dropped = 0;
  readonly #counts = { delivered: 0, dropped: 0 };
  // False from a lost command connection until ids are raised again after it came back.
  #flowing = false;
  #subLost = false;
  #closed = false;
  #onError?: () => void;

  constructor(options: RedisHubOptions) {
    this.#log = options.log;
    this.#onError = options.onError;
    this.#prefix = options.prefix ?? "roomcast:hub:";
    const size = options.historySize ?? 256;
    this.#historySize = typeof size === "number" ? () => size : size;
    this.#ttl = options.historyTtlSeconds ?? 86_400;
    this.#maxQueue = options.publishQueue ?? 10_000;
    this.#joinBuffer = options.joinBuffer ?? 1024;
    this.#now = options.now ?? Date.now;
    // Retry every half second at most: live delivery resumes soon after Redis does.
    const retryStrategy = (times: number) => Math.min(times * 50, 500);
    this.#cmd = new Redis(options.url, { retryStrategy, maxRetriesPerRequest: 20 }) as
      & Redis
      & Scripts;
    for (
      const [name, lua, keys] of [
        ["rcPublish", PUBLISH, 3],
        ["rcRead", READ, 3],
        ["rcRaise", RAISE, 2],
        ["rcDrop", DROP, 2],
      ] as const
    ) this.#cmd.defineCommand(name, { numberOfKeys: keys, lua });
    // Channels are subscribed again by `#recover`, which also reads what was missed meanwhile.
    this.#sub = new Redis(options.url, { retryStrategy, autoResubscribe: false });
    this.#watch();
  }

  #watch(): void {
    let cmdLost = false;
    this.#cmd.on("ready", () => {
      if (!cmdLost) return void (this.#flowing = true, this.#drain());
      cmdLost = false;
      this.#log.info("Redis hub reconnected");
      this.#raiseKnown().then(() => (this.#flowing = true, this.#drain()));
    });
    this.#cmd.on("close", () => {
      if (this.#closed || cmdLost) return;
      cmdLost = true;
      this.#flowing = false;
      this.#log.warn("Redis hub lost its connection; publishes wait in a bounded queue");
    });
    this.#sub.on("close", () => {
      if (this.#closed) return;
      this.#subLost = true;
      for (const topic of this.#topics.values()) topic.held ??= [];
    });
    this.#sub.on("ready", () => {
      if (!this.#subLost) return;
      this.#subLost = false;
      this.#recover().catch((error) => {
        this.#log.warn("Redis hub recovery failed; retrying on the next reconnect", {
          error: String(error),
        });
      });
    });
    const onError = (error: Error) => {
      this.#onError?.();
      this.#log.debug("Redis hub connection error", { error: String(error.message ?? error) });
    };
    this.#cmd.on("error", onError);
    this.#sub.on("error", onError);
    this.#sub.on(
      "message",
      (channel: string, message: string) => this.#onMessage(channel, message),
    );
  }

  #keys(topic: string): [string, string, string] {
    return keysOf(this.#prefix, topic);
  }

  #channel(topic: string): string {
    return channelOf(this.#prefix, topic);
  }

  #onMessage(channel: string, message: string): void {
    const topic = this.#topics.get(topicOfChannel(this.#prefix, channel));
    if (!topic) return;
    const { id, kind, body } = parseMessage(message);
    if (kind === "d") {
      this.#release(topic);
      return topic.closeAll("dropped");
    }
    const arrival = this.#arrival(topic.name, id, body);
    if (arrival) topic.arrive({ ...arrival, kept: kind === "1" });
  }

  #arrival(topic: string, id: number, body: string): Omit<Arrival, "kept"> | null {
    const event = eventOf(topic, id, body);
    if (!event) this.#log.warn("Redis hub ignored a malformed event", { topic });
    return event && { event };
  }

  publish<T>(topic: string, type: string, data: T, options: PublishOptions = {}): void {
    let body: string;
    try {
      body = JSON.stringify({ type, data, at: this.#now() });
    } catch (error) {
      return this.#log.error("Cannot publish event: not JSON", {
        topic,
        type,
        error: String(error),
      });
    }
    this.#submit({ topic, body, kept: options.history !== false });
  }

  #submit(job: Job): void {
    if (this.#flowing && this.#queue.length === 0 && this.#inFlight < MAX_IN_FLIGHT) {
      return this.#send(job);
    }
    if (this.#queue.length >= this.#maxQueue) {
      // Logged on the first drop and every thousandth after: an outage must not flood the log.
      if (this.#dropped++ % 1000 === 0) {
        this.#log.warn("Redis hub dropped a publish: queue full", {
          topic: job.topic,
          dropped: this.#dropped,
        });
      }
      return;
    }
    this.#queue.push(job);
  }

  #send(job: Job): void {
    this.#inFlight++;
    const keys = this.#keys(job.topic);
    const sent = job.body === undefined
      ? this.#cmd.rcDrop(keys[0], keys[1], this.#channel(job.topic))
      : this.#cmd.rcPublish(
        ...keys,
        this.#channel(job.topic),
        job.body,
        this.#historySize(job.topic),
        job.kept ? 1 : 0,
        this.#ttl,
        this.#known.get(job.topic) ?? this.#topics.get(job.topic)?.last ?? 0,
      );
    sent.then((id) => {
      if (job.body !== undefined && job.kept) this.#remember(job.topic, id);
    }, (error) => {
      // Lost with the connection: it goes out again first when Redis is back.
      if (!this.#flowing && !this.#closed) this.#queue.unshift(job);
      else this.#log.error("Redis hub publish failed", { topic: job.topic, error: String(error) });
    }).finally(() => {
      this.#inFlight--;
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#flowing && this.#queue.length > 0 && this.#inFlight < MAX_IN_FLIGHT) {
      this.#send(this.#queue.shift()!);
    }
  }

  #remember(topic: string, id: number): void {
    this.#known.delete(topic);
    this.#known.set(topic, id);
    if (this.#known.size > MAX_KNOWN) this.#known.delete(this.#known.keys().next().value!);
  }

  /** After a reconnect: a Redis that lost its data must not hand out ids clients already hold. */
  async #raiseKnown(): Promise<void> {
    const highest = new Map(this.#known);
    for (const topic of this.#topics.values()) {
      highest.set(topic.name, Math.max(topic.last, highest.get(topic.name) ?? 0));
    }
    const raises = [...highest].filter(([, id]) => id > 0).map(([name, id]) => {
      const [idKey, , floor] = this.#keys(name);
      return this.#cmd.rcRaise(idKey, floor, id, this.#ttl);
    });
    await Promise.allSettled(raises);
  }

  subscribe(name: string, subscriber: Subscriber, options: { since?: number } = {}): Subscription {
    let topic = this.#topics.get(name);
    if (!topic) {
      topic = new RemoteTopic(name, this.#joinBuffer, this.#counts);
      this.#topics.set(name, topic);
      topic.subscribed = this.#sub.subscribe(this.#channel(name));
      if (this.#subLost) topic.held = [];
    }
    topic.joining.set(subscriber, []);
    const joined = topic;
    this.#join(joined, subscriber, options.since).catch((error) => {
      this.#log.warn("Redis hub could not start a subscription", {
        topic: name,
        error: String(error),
      });
      joined.closeOne(subscriber, "slow");
      if (joined.size === 0) this.#release(joined);
    });
    return {
      unsubscribe: () => {
        if (joined.remove(subscriber) && joined.size === 0) this.#release(joined);
      },
    };
  }

  /** Reads the replay once the channel is subscribed, so nothing falls between the two. */
  async #join(topic: RemoteTopic, subscriber: Subscriber, since?: number): Promise<void> {
    await topic.subscribed;
    if (!topic.joining.has(subscriber)) return;
    const read = await this.#read(topic.name, since);
    if (!topic.joining.has(subscriber)) return;
    let gap = false;
    if (since !== undefined && since > read.lastId) gap = true;
    else if (since !== undefined && since < read.lastId) gap = since + 1 < read.oldest;
    topic.begin(subscriber, { replay: gap ? [] : read.replay, gap, lastId: read.lastId });
  }

  async #read(name: string, since?: number) {
    const [idKey, stream, floor] = this.#keys(name);
    const out = await this.#cmd.rcRead(idKey, stream, floor, since === undefined ? "" : since);
    const replay = [];
    for (let i = 2; i < out.length; i += 2) {
      const arrival = this.#arrival(name, Number(out[i]), String(out[i + 1]));
      if (arrival) replay.push(arrival.event);
    }
    return { lastId: Number(out[0]), oldest: Number(out[1]), replay };
  }

  /** After the subscriber connection came back: subscribe again, then replay what was missed. */
  async #recover(): Promise<void> {
    const topics = [...this.#topics.values()];
    if (topics.length === 0) return;
    await this.#sub.subscribe(...topics.map((topic) => this.#channel(topic.name)));
    await this.#raiseKnown();
    await Promise.all(topics.map(async (topic) => {
      const from = topic.from();
      const read = await this.#read(topic.name, from);
      if (this.#topics.get(topic.name) !== topic) return;
      if (from < read.lastId && from + 1 < read.oldest) {
        // Missed more than history holds: clients reconnect and get a reset.
        this.#release(topic);
        return topic.closeAll("slow");
      }
      for (const event of read.replay) topic.deliver({ event, kept: true });
      const held = topic.held ?? [];
      topic.held = null;
      for (const arrival of held) topic.deliver(arrival);
    }));
    this.#log.info("Redis hub recovered its topics", { topics: topics.length });
  }

  /** The topic has no local subscriber left: stop hearing its channel. */
  #release(topic: RemoteTopic): void {
    if (this.#topics.get(topic.name) !== topic) return;
    this.#topics.delete(topic.name);
    this.#sub.unsubscribe(this.#channel(topic.name)).catch(() => {});
  }

  async lastId(name: string): Promise<number> {
    return (await this.#read(name)).lastId;
  }

  subscriberCount(name: string): number {
    return this.#topics.get(name)?.size ?? 0;
  }

  dropTopic(name: string): void {
    const topic = this.#topics.get(name);
    if (topic) {
      this.#release(topic);
      topic.closeAll("dropped");
    }
    this.#submit({ topic: name, kept: false });
  }

  stats(): HubStats {
    let subscribers = 0;
    for (const topic of this.#topics.values()) subscribers += topic.size;
    // History lives in Redis, bounded there by each Stream's MAXLEN and TTL.
    return {
      topics: this.#topics.size,
      idleTopics: 0,
      subscribers,
      historyEvents: 0,
      historyBytes: 0,
      delivered: this.#counts.delivered,
      dropped: this.#counts.dropped,
    };
  }

  publishStats(): { dropped: number; queued: number } {
    return { dropped: this.#dropped, queued: this.#queue.length + this.#inFlight };
  }

  async ping(): Promise<void> {
    await this.#cmd.ping();
  }

  async ready(): Promise<void> {
    const ready = (redis: Redis) =>
      redis.status === "ready"
        ? Promise.resolve()
        : new Promise((resolve) => redis.once("ready", resolve));
    await Promise.all([ready(this.#cmd), ready(this.#sub)]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const topic of this.#topics.values()) topic.closeAll("shutdown");
    this.#topics.clear();
    // Publishes already handed over get their answer first; a Redis that is down gets none.
    await Promise.all(
      [this.#cmd, this.#sub].map((redis) =>
        redis.status === "ready" ? redis.quit().catch(() => redis.disconnect()) : redis.disconnect()
      ),
    );
  }
}
