// The fan-out bench's rows and how they are scored: a step held (p99 < 100 ms, < 1 % late), a
// server's best and peak, CPU over the steps all servers delivered, and the knee's fine passes.
import { fmt, percentile, sleep } from "./_util.ts";
import type { FanoutTarget as Target, RawWs } from "./_ws_client.ts";
import type { Receivers } from "./_go_receiver.ts";

/** One sender-rate step of a fan-out bench: msg/s asked, deliveries/s got, latency, CPU. */
export interface StepRow {
  m: number;
  rate: number;
  p50: number;
  p99: number;
  loss: number;
  /** Server CPU time (user + system) per delivery, during its own step. */
  cpuUs: number;
}

export interface Row extends StepRow {
  delivered: number;
  /**
   * Its CPU over the whole round (its step, its idle time while the others stepped, the pauses)
   * per delivery of its step: work a step leaves for later (a GC, freeing what was sent) and what
   * the server spends while idle count too.
   */
  roundCpuUs?: number;
  /** The receiving clients' CPU per delivery (Go receivers only; 0 otherwise). */
  clientUs: number;
  load: number;
}

export interface Held {
  target: Target;
  clients: RawWs[];
  perConn: number;
  rows: Row[];
  out: boolean;
  onMessage?: (frame: string) => void;
  /** With --go-clients: the Go process holding this server's clients. */
  receivers?: Receivers;
  /** With --knee: each fine pass's rows. */
  passes: Row[][];
}

const holds = (r: Row) => r.p99 < 100 && r.loss < 0.01;
export const best = (rows: Row[]) => Math.max(0, ...rows.filter(holds).map((r) => r.rate));
/** The sender rate of the highest step held at p99 < 100 ms (0 if none). */
const bestStep = (rows: Row[]) => Math.max(0, ...rows.filter(holds).map((r) => r.m));
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
/** Fine steps per pass: one below the best ladder step, that step, five above it. */
const FINE_STEPS = 7;

/**
 * The ladder's steps put a knee somewhere between two of them (at 60 and 80 msg/s a quarter
 * apart), too coarse to tell 0.9x from 0.75x. Each pass steps every server through its own fine
 * rates, from a fine step below its best ladder step to a ladder step and a quarter above it, in
 * turns as the ladder does; a server leaves a pass after two steps in a row it did not hold, since
 * their backlog would spill into the next. A pass's knee is its best, the server's the median.
 */
export async function kneePasses(
  held: Held[],
  c: number,
  passes: number,
  { ladderStep, step }: {
    ladderStep: number;
    step: (h: Held, c: number, m: number) => Promise<Row>;
  },
): Promise<void> {
  const fine = Math.max(1, Math.round(ladderStep / 4));
  const rates = new Map(held.map((h) => {
    const top = Math.max(bestStep(h.rows), fine * 2);
    return [h, Array.from({ length: FINE_STEPS }, (_, k) => top + (k - 1) * fine)];
  }));
  for (let p = 0; p < passes; p++) {
    for (const h of held) await settle(h);
    const rows = new Map(held.map((h) => [h, [] as Row[]]));
    const misses = new Map(held.map((h) => [h, 0]));
    for (let j = 0; j < FINE_STEPS; j++) {
      const live = held.filter((h) => misses.get(h)! < 2);
      if (live.length === 0) break;
      for (let k = 0; k < live.length; k++) {
        const h = live[(j + k + p) % live.length];
        const row = await step(h, c, rates.get(h)![j]);
        rows.get(h)!.push(row);
        misses.set(h, holds(row) ? 0 : misses.get(h)! + 1);
        console.log(
          `  knee pass ${p + 1} ${h.target.name} M=${row.m}/s: ${fmt(row.rate, 0)}/s, p99 ${
            fmt(row.p99)
          } ms, late ${fmt(row.loss * 100)} %${holds(row) ? "" : " (not held)"}`,
        );
        await sleep(300);
      }
    }
    for (const h of held) h.passes.push(rows.get(h)!);
  }
}

/**
 * Waits (30 s at most) until a server delivers nothing for a second: the ladder ends past every
 * knee, and the backlog of its last steps would land in the first fine step, late.
 */
async function settle(h: Held): Promise<void> {
  if (!h.receivers) {
    await sleep(5000);
    return;
  }
  for (const until = performance.now() + 30_000; performance.now() < until;) {
    await h.receivers.mark();
    await sleep(1000);
    if ((await h.receivers.report()).delivered === 0) return;
  }
}
export const knee = (h: Held) => median(h.passes.map(best));
export const peak = (rows: Row[]) =>
  Math.max(0, ...rows.filter((r) => r.loss < 0.01).map((r) => r.rate));
/** Median CPU per delivery (in its step, or over its rounds) over the steps every server delivered in full. */
export function cpuAtCommon(
  all: Held[],
  held: Held,
  of: (r: Row) => number = (r) => r.cpuUs,
): number {
  const ok = (h: Held, m: number) => h.rows.some((r) => r.m === m && r.loss < 0.01);
  const common = held.rows.filter((r) => all.every((h) => ok(h, r.m))).map(of);
  return percentile(common.sort((a, b) => a - b), 50);
}
export const roundCpu = (r: Row) => r.roundCpuUs ?? NaN;
