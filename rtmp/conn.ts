// One RTMP connection: its socket, its session, its publish, and the deadlines it must meet.
import type { LogFn } from "./hls.ts";
import type { Authorized, Publish } from "./ingest.ts";
import { RtmpSession } from "./session.ts";

/** Deadlines a connection must meet; none is pushed back by bytes that merely arrive. */
export interface ConnLimits {
  /** The handshake is done this long after accept. */
  handshakeMs: number;
  /** The publish is authorized (NetStream.Publish.Start) this long after accept. */
  publishMs: number;
  /** Media arrives this soon after Publish.Start, and then never pauses longer. */
  idleMs: number;
  /** Largest RTMP message accepted while publishing. */
  maxMessageLength?: number;
}

/** What one connection asks of the server around it. */
export interface ConnDeps {
  /** Authorize a publish and start its ingest (ingest.authorize). */
  authorize(key: string, drop: (reason: string) => void): Promise<Authorized>;
  log: LogFn;
  limits: ConnLimits;
  /** Called once, when the connection closes for any reason. */
  onClose(): void;
}

const MAX_OUT_BYTES = 1024 * 1024; // replies are small: a peer that never reads gets closed
const REFUSAL_FLUSH_MS = 1000; // a refusal is sent before closing, but not waited on for longer

export class RtmpConn {
  readonly openedAt = Date.now();
  readonly ip: string;
  #closed = false;
  #closeReason = "connection lost"; // what ended the connection, for a publish still running
  #published = false; // a publish was authorized on this connection
  #lastMedia = 0;
  #publish: Publish | null = null;
  #out: Promise<void> = Promise.resolve();
  #outBytes = 0;
  #session: RtmpSession;

  constructor(private readonly tcp: Deno.TcpConn, private readonly deps: ConnDeps) {
    this.ip = tcp.remoteAddr.hostname;
    this.#session = new RtmpSession({
      send: (bytes) => this.#send(bytes),
      close: (reason) => {
        const timer = setTimeout(() => this.close(reason), REFUSAL_FLUSH_MS);
        this.#out.finally(() => {
          clearTimeout(timer);
          this.close(reason);
        });
      },
      authorize: async (key) => {
        const r = await deps.authorize(key, (reason) => this.close(reason));
        this.#publish = r.publish ?? null;
        this.#published ||= r.decision.ok;
        this.#lastMedia = Date.now();
        return r.decision;
      },
      onMedia: (msg) => {
        this.#lastMedia = Date.now();
        this.#publish?.onMedia(msg.typeId, msg.timestamp, msg.payload);
      },
      onMetadata: (payload, ts) => this.#publish?.onMetadata(payload, ts),
      onUnpublish: () => {
        // Before close(), the publisher unpublished itself; after, the connection ended under it.
        this.#publish?.end(this.#closed ? this.#closeReason : undefined);
        this.#publish = null;
      },
    }, { maxMessageLength: deps.limits.maxMessageLength });
  }

  /** Still on its way to a publish, so it may give way when the server is full. */
  get waiting(): boolean {
    const state = this.#session.state;
    return state !== "publishing" && state !== "authorizing" && !this.#closed;
  }

  /** The deadline this connection missed at `now`, or null. */
  overdue(now: number): string | null {
    const { handshakeMs, publishMs, idleMs } = this.deps.limits;
    const state = this.#session.state;
    if (state === "handshake" || state === "handshake-c2") {
      return now - this.openedAt > handshakeMs ? "handshake timeout" : null;
    }
    if (this.#published) return now - this.#lastMedia > idleMs ? "no media" : null;
    // also a key lookup that never answers
    return now - this.openedAt > publishMs ? "no publish in time" : null;
  }

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (reason !== "ended") this.#closeReason = reason;
    this.deps.log("debug", "rtmp connection closed", { ip: this.ip, reason });
    try {
      this.tcp.close();
    } catch { /* already closed */ }
    this.deps.onClose();
  }

  /** Reads until the peer or the server ends the connection, then releases the publish. */
  async serve(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      while (!this.#closed) {
        const n = await this.tcp.read(buf);
        if (n === null) break;
        this.#session.feed(buf.subarray(0, n));
      }
    } catch (e) {
      if (!this.#closed) {
        this.deps.log("debug", "rtmp connection error", { ip: this.ip, error: String(e) });
      }
    } finally {
      this.close("ended");
      this.#session.end();
      await this.#out;
    }
  }

  #send(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#outBytes += bytes.length;
    if (this.#outBytes > MAX_OUT_BYTES) return this.close("peer does not read");
    this.#out = this.#out.then(() => this.#writeAll(bytes)).catch(() => this.close("write failed"));
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length && !this.#closed) at += await this.tcp.write(bytes.subarray(at));
    this.#outBytes -= bytes.length;
  }
}
