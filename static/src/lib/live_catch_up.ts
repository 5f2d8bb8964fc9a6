// The playback rate that brings a live player that started late back to its latency target.

export interface CatchUpInput {
  /** Seconds behind the estimated live edge (hls.js `latency`). */
  latency: number;
  /** Seconds behind the edge the player aims at (hls.js `targetLatency`: PART-HOLD-BACK). */
  target: number;
  /** Seconds buffered ahead of the playhead. */
  ahead: number;
  /** Seconds of buffer that playing faster may not eat into (a stall would cost more). */
  minAhead: number;
  /** Past this many seconds behind the player seeks to the edge itself: nothing to do here. */
  maxLatency: number;
  /** The rate now, for the hysteresis. */
  rate: number;
}

/** Up to 10 % faster, which viewers do not notice (the audio keeps its pitch). */
export const CATCH_UP_RATE = 1.1;
/** A stall's extra cushion is dropped after this long without another. */
export const FORGET_STALL_MS = 30_000;
/** Start catching up this far behind the target, and stop once this close: no flapping. */
const START_BEHIND = 0.1;
const STOP_BEHIND = 0.02;

/**
 * hls.js only speeds up while more than one second is buffered ahead, which a player sitting
 * 0.6 s behind the edge never has: wherever a low-latency player happened to start (a slow first
 * part load starts it late), it stayed. This catches up whenever there is buffer to spare.
 */
export function catchUpRate(i: CatchUpInput): number {
  const behind = i.latency - i.target;
  if (!Number.isFinite(behind) || i.latency >= i.maxLatency || i.ahead <= i.minAhead) return 1;
  const catching = i.rate > 1;
  return behind > (catching ? STOP_BEHIND : START_BEHIND) ? CATCH_UP_RATE : 1;
}
