// One stream's LL-HLS output in memory: a bounded ring of segments and parts, and blocking reload.
import { concatBytes } from "../bytes.ts";
import { type PartInfo, type SegmentInfo, writePlaylist } from "./llhls_playlist.ts";

export interface RingOptions {
  /** Complete segments kept (and listed): 4 s lets any player join. @default 4 */
  maxSegments?: number;
  /** Bytes of media kept; older segments go first, the open one stays. @default 24 MiB */
  maxBytes?: number;
  /** Init segments kept; one per publish or resolution change. @default 4 */
  maxInits?: number;
  /** PART-TARGET, ms. @default 200 */
  partTargetMs?: number;
}

interface Segment extends SegmentInfo {
  partBytes: Uint8Array[];
  bytes: number;
}

/** A blocking reload's wish: segment `msn` complete, or (with `part`) that part of it written. */
export interface Wish {
  msn: number;
  part?: number;
}

export type WishCheck = "ready" | "wait" | "too-far";

export class LlHlsRing {
  readonly partTargetMs: number;
  #segments: Segment[] = [];
  #inits = new Map<number, Uint8Array>();
  #nextInit = 0;
  #discontinuityDropped = 0;
  #pendingDiscontinuity = false;
  #maxSegmentMs = 0;
  #bytes = 0;
  #ended = false;
  #waiters = new Set<() => void>();
  #o: Required<RingOptions>;

  constructor(options: RingOptions = {}) {
    this.#o = {
      maxSegments: options.maxSegments ?? 4,
      maxBytes: options.maxBytes ?? 24 * 1024 * 1024,
      maxInits: options.maxInits ?? 4,
      partTargetMs: options.partTargetMs ?? 200,
    };
    this.partTargetMs = this.#o.partTargetMs;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Media bytes held (the parts; a segment is served from them). */
  get bytes(): number {
    return this.#bytes;
  }

  /** A new init segment; the next part starts a new segment after a discontinuity. */
  addInit(bytes: Uint8Array): void {
    this.#inits.set(this.#nextInit++, bytes);
    this.#closeOpen();
    this.#pendingDiscontinuity = this.#segments.length > 0;
    this.#ended = false;
  }

  /** A publisher is back within the grace period: what follows is a discontinuity. */
  resume(): void {
    this.#ended = false;
    this.#pendingDiscontinuity = this.#segments.length > 0;
  }

  /**
   * Appends a part. `newSegment` starts a segment with it (a keyframe past the segment target);
   * `date` is the wall clock its first frame arrived at.
   */
  addPart(bytes: Uint8Array, part: PartInfo, newSegment: boolean, date: number): void {
    if (this.#nextInit === 0) throw new Error("Cannot add a part: no init segment");
    let open = this.#segments.at(-1);
    if (!open || open.complete || newSegment || this.#pendingDiscontinuity) {
      this.#closeOpen();
      open = {
        msn: (this.#segments.at(-1)?.msn ?? -1) + 1,
        parts: [],
        partBytes: [],
        bytes: 0,
        duration: 0,
        init: this.#nextInit - 1,
        discontinuity: this.#pendingDiscontinuity,
        date,
        complete: false,
      };
      this.#pendingDiscontinuity = false;
      this.#segments.push(open);
    }
    open.parts.push(part);
    open.partBytes.push(bytes);
    open.bytes += bytes.length;
    open.duration += part.duration;
    this.#bytes += bytes.length;
    this.#trim();
    this.#wake();
  }

  /** The publish ended: the open segment completes and the playlist gets #EXT-X-ENDLIST. */
  end(): void {
    this.#closeOpen();
    this.#ended = true;
    this.#wake();
  }

  #closeOpen(): void {
    const open = this.#segments.at(-1);
    if (!open || open.complete) return;
    open.complete = true;
    this.#maxSegmentMs = Math.max(this.#maxSegmentMs, open.duration);
    this.#wake();
  }

  /** Drops the oldest complete segments past the count or byte bound, and unused inits. */
  #trim(): void {
    const complete = () => this.#segments.filter((s) => s.complete).length;
    const oldestInit = this.#nextInit - this.#o.maxInits; // segments needing older inits go too
    while (
      this.#segments.length > 1 &&
      (complete() > this.#o.maxSegments || this.#bytes > this.#o.maxBytes ||
        this.#segments[0].init < oldestInit)
    ) {
      const gone = this.#segments.shift()!;
      this.#bytes -= gone.bytes;
      if (this.#segments[0].discontinuity) this.#discontinuityDropped++;
    }
    const oldest = this.#segments[0]?.init ?? this.#nextInit - 1;
    for (const id of this.#inits.keys()) {
      if (id < oldest) this.#inits.delete(id);
    }
  }

  playlist(): string {
    // EXTINF rounded to the nearest second must not exceed it (RFC 8216bis 4.4.3.1)
    const target = Math.max(1, Math.round(this.#maxSegmentMs / 1000));
    return writePlaylist({
      segments: this.#segments,
      discontinuitySequence: this.#discontinuityDropped,
      targetDuration: target,
      partTarget: this.#o.partTargetMs,
      partSegments: 2,
      ended: this.#ended,
    });
  }

  /** Playable: a complete segment (players that ignore parts can start too). */
  get playable(): boolean {
    return this.#segments.some((s) => s.complete);
  }

  init(id: number): Uint8Array | undefined {
    return this.#inits.get(id);
  }

  /** A complete segment as its parts, to be sent one after the other (no joined copy is kept). */
  segmentParts(msn: number): readonly Uint8Array[] | undefined {
    const s = this.#segments.find((x) => x.msn === msn);
    return s?.complete ? s.partBytes : undefined;
  }

  /** A complete segment in one piece (a copy: for thumbnails and tests, not the hot path). */
  segment(msn: number): Uint8Array | undefined {
    const parts = this.segmentParts(msn);
    return parts && concatBytes(parts);
  }

  part(msn: number, part: number): Uint8Array | undefined {
    return this.#segments.find((x) => x.msn === msn)?.partBytes[part];
  }

  /**
   * The newest keyframe part (the open segment's first, once written) with its init, for a
   * thumbnail: one part decodes to a picture by itself, and is the freshest one held.
   */
  newestKeyframe(): { init: Uint8Array; part: Uint8Array; msn: number } | null {
    const s = this.#segments.findLast((x) => x.parts[0]?.independent);
    const init = s && this.#inits.get(s.init);
    return s && init ? { init, part: s.partBytes[0], msn: s.msn } : null;
  }

  /**
   * Whether a blocking reload can be answered now. The spec's bound: more than two segments past
   * the newest is a client error (400).
   */
  check(w: Wish): WishCheck {
    const last = this.#segments.at(-1);
    const lastMsn = last?.msn ?? -1;
    if (w.msn > lastMsn + 2) return "too-far";
    if (this.#ended) return "ready";
    if (w.msn < lastMsn) return "ready";
    if (!last || w.msn > lastMsn) return "wait";
    if (w.part === undefined) return last.complete ? "ready" : "wait";
    return last.complete || last.parts.length > w.part ? "ready" : "wait";
  }

  /** The part the preload hint names (the next to be written) or one just before it. */
  isNextPart(msn: number, part: number): boolean {
    const last = this.#segments.at(-1);
    if (!last || this.#ended) return false;
    if (last.complete) return msn === last.msn + 1 && part === 0;
    return (msn === last.msn && part === last.parts.length) || (msn === last.msn + 1 && part === 0);
  }

  /** Resolves once something changes (a part, a segment's end, the stream's end) or at `ms`. */
  changed(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
      signal?.addEventListener("abort", done);
    });
  }

  /** Waits until `ready()` or `ms` passed; true when ready. */
  async until(ready: () => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted) return false;
      await this.changed(left, signal);
    }
    return true;
  }

  /** Releases every waiting request (the server is closing). */
  wakeAll(): void {
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}
