// One topic's local subscribers in the Redis hub: fan-out of events arriving from Redis, with the
// joining and catching-up states that keep a subscription from losing or repeating an event.
import type { CloseReason, HubEvent, Subscriber, SubscriptionStart } from "./hub.ts";

/** An event from Redis; `kept` false for a fleeting one (typing), which shares the newest id. */
export interface Arrival {
  event: HubEvent;
  kept: boolean;
}

/**
 * The events of one topic on this instance. Pub/sub and the history read travel on two
 * connections, so a subscriber's replay (up to its `lastId`) and live events may overlap: ids
 * de-duplicate them. A subscriber is first `joining` (everything buffered until its replay is
 * read), then `catching` up (kept events at or below its replay's end skipped), then `live` (no
 * check at all: the common case costs what the in-process hub costs).
 */
export class RemoteTopic {
  readonly live = new Set<Subscriber>();
  readonly catching = new Map<Subscriber, number>();
  readonly joining = new Map<Subscriber, Arrival[]>();
  /** The newest kept id delivered here; 0 before the first. */
  last = 0;
  /** While recovering after a reconnect, arrivals wait here, in order. */
  held: Arrival[] | null = null;
  /** Resolves once Redis confirmed the channel's SUBSCRIBE. */
  subscribed: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly maxBuffered: number,
    /** The hub's delivery and drop counters (stats(), /metrics), shared by its topics. */
    readonly counts: { delivered: number; dropped: number },
  ) {}

  get size(): number {
    return this.live.size + this.catching.size + this.joining.size;
  }

  has(subscriber: Subscriber): boolean {
    return this.live.has(subscriber) || this.catching.has(subscriber) ||
      this.joining.has(subscriber);
  }

  remove(subscriber: Subscriber): boolean {
    return this.live.delete(subscriber) || this.catching.delete(subscriber) ||
      this.joining.delete(subscriber);
  }

  /** Where recovery must read from: what was delivered, or the earliest replay's end. */
  from(): number {
    if (this.last > 0 || this.catching.size === 0) return this.last;
    let from = Infinity;
    for (const cutoff of this.catching.values()) from = Math.min(from, cutoff);
    return from;
  }

  arrive(arrival: Arrival): void {
    if (this.held) this.held.push(arrival);
    else this.deliver(arrival);
  }

  deliver({ event, kept }: Arrival): void {
    if (kept) {
      // Seen already: replayed by recovery and then heard on the channel too.
      if (event.id <= this.last) return;
      this.last = event.id;
    }
    for (const subscriber of this.live) this.#send(subscriber, event);
    for (const [subscriber, cutoff] of this.catching) {
      if (kept && event.id <= cutoff) continue;
      if (kept) {
        // Every later kept event is newer still: no more checks for this one.
        this.catching.delete(subscriber);
        this.live.add(subscriber);
      }
      this.#send(subscriber, event);
    }
    for (const [subscriber, buffered] of this.joining) {
      if (buffered.length < this.maxBuffered) buffered.push({ event, kept });
      else this.closeOne(subscriber, "slow");
    }
  }

  /** The replay of a joining subscriber was read: start it, then what arrived meanwhile. */
  begin(subscriber: Subscriber, start: SubscriptionStart): void {
    const buffered = this.joining.get(subscriber);
    if (!buffered) return;
    this.joining.delete(subscriber);
    subscriber.start(start);
    for (const { event, kept } of buffered) {
      if (kept && event.id <= start.lastId) continue;
      if (!subscriber.send(event)) {
        this.counts.dropped++;
        return subscriber.close("slow");
      }
      this.counts.delivered++;
    }
    if (this.last >= start.lastId) this.live.add(subscriber);
    else this.catching.set(subscriber, start.lastId);
  }

  closeOne(subscriber: Subscriber, reason: CloseReason): void {
    if (this.remove(subscriber)) subscriber.close(reason);
  }

  closeAll(reason: CloseReason): void {
    const all = [...this.live, ...this.catching.keys(), ...this.joining.keys()];
    this.live.clear();
    this.catching.clear();
    this.joining.clear();
    for (const subscriber of all) subscriber.close(reason);
  }

  #send(subscriber: Subscriber, event: HubEvent): void {
    if (subscriber.send(event)) {
      this.counts.delivered++;
    } else {
      this.counts.dropped++;
      this.closeOne(subscriber, "slow");
    }
  }
}
