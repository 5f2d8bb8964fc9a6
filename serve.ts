// Keeps Deno.serve answering when descriptors run out: listens again after a failed accept and
// drops idle connections when the process holds too many descriptors.
//
// Deno.serve (2.9) ends its accept loop on the first accept error ("Too many open files") and
// rejects `finished`; left alone that rejection ends the process. It has no header or idle
// timeout and no hook at accept, so JavaScript cannot see or close a connection that has not sent
// a whole request head. The one lever is a graceful shutdown of the listening instance: it closes
// the listener and every connection that is idle or still sending its head, lets in-flight
// responses (SSE) finish, and sends WebSockets Close 1001. So Roomcast does that, then listens
// again on the same port, when accept fails and when the process's descriptors pass a budget.
import { clearImmediate, setImmediate } from "node:timers";
import type { Logger } from "./log.ts";

export interface ResilientServeOptions {
  hostname: string;
  /** 0 picks a free port; listening again reuses the port picked first. */
  port: number;
  /** Open descriptors at which idle HTTP connections are dropped; 0 never drops them. */
  maxDescriptors: number;
  log: Pick<Logger, "info" | "warn">;
  /** Called once, when the first listener is up. */
  onListen?: (addr: Deno.NetAddr) => void;
  /** The process's open descriptors, undefined where unknown. @default countOpenDescriptors */
  countDescriptors?: () => number | undefined;
  /** How often descriptors are counted. @default 1000 */
  checkEveryMs?: number;
  /** Least time between two drops for pressure, as each closes WebSockets. @default 10000 */
  drainCooldownMs?: number;
}

export interface ResilientServer {
  readonly port: number;
  /** Ends every listener and connection (forcefully for the current listener). */
  close(): Promise<void>;
}

// The old listener closes within a few turns of the event loop: retry at once (a setTimeout
// would add 1-4 ms each), then back off while no descriptor is free.
const FAST_TRIES = 20;
const BACKOFF_MS = [10, 50, 100, 200, 500, 1000, 2000];
/** How long close() waits for drained listeners' last responses (e.g. a slow upload). */
const CLOSE_WAIT_MS = 2000;

/** Serves `handler` like `Deno.serve`, surviving accept failures and descriptor exhaustion. */
export function serveResilient(
  handler: Deno.ServeHandler<Deno.NetAddr>,
  options: ResilientServeOptions,
): ResilientServer {
  const { hostname, maxDescriptors, log } = options;
  const count = options.countDescriptors ?? countOpenDescriptors;
  const cooldownMs = options.drainCooldownMs ?? 10_000;
  let closing = false;
  let lastDrain = -Infinity;
  let cancelRetry = () => {};

  const listeners = createListeners(handler, hostname, options.port, (error) => {
    if (closing) return;
    log.warn("HTTP accept failed: dropping idle connections and listening again", {
      error: String(error),
    });
    replace();
  });

  const replace = () => {
    lastDrain = performance.now();
    listeners.drain();
    // Connections arriving until the port is bound again are refused: 2-3 ms measured in the
    // real server. SO_REUSEPORT would close that gap, but Deno 2.9 wants --unstable-net for it.
    relisten(0, performance.now());
  };

  const relisten = (attempt: number, since: number) => {
    if (closing || listeners.accepting) return;
    try {
      listeners.listen();
      const afterMs = Math.round((performance.now() - since) * 100) / 100;
      log.info("Listening again", { port: listeners.port, afterMs });
    } catch (error) {
      // The old listener is still open (AddrInUse), or no descriptor is free (EMFILE).
      if (attempt === FAST_TRIES) {
        log.warn("Cannot listen again yet, retrying", { error: String(error) });
      }
      cancelRetry = retryLater(attempt, () => relisten(attempt + 1, since));
    }
  };

  listeners.listen(options.onListen);
  const stopWatch = watchDescriptors(count, maxDescriptors, options.checkEveryMs ?? 1000, (n) => {
    if (closing || !listeners.accepting || performance.now() - lastDrain < cooldownMs) return;
    log.warn("Too many open descriptors: dropping idle HTTP connections", {
      descriptors: n,
      maxConnections: maxDescriptors,
    });
    replace();
  });

  return {
    get port() {
      return listeners.port;
    },
    async close() {
      closing = true;
      stopWatch();
      cancelRetry();
      await listeners.close();
    },
  };
}

/**
 * The Deno.serve instances on one port: the one accepting (`current`) and drained ones still
 * finishing their responses. `onAcceptFailed` hears when the current one's accept loop ends.
 */
function createListeners(
  handler: Deno.ServeHandler<Deno.NetAddr>,
  hostname: string,
  port: number,
  onAcceptFailed: (error: unknown) => void,
) {
  const instances = new Map<Deno.HttpServer, { abort: AbortController; done: Promise<void> }>();
  let current: Deno.HttpServer | undefined;
  return {
    get port(): number {
      return port;
    },
    get accepting(): boolean {
      return current !== undefined;
    },
    /** Listens on the port (the one picked first, when it was 0); throws as Deno.serve does. */
    listen(onListen?: (addr: Deno.NetAddr) => void): void {
      const abort = new AbortController();
      const server = Deno.serve({
        hostname,
        port,
        signal: abort.signal,
        onListen: (addr) => {
          port = addr.port;
          onListen?.(addr);
        },
      }, handler);
      const done = server.finished.then(
        () => {},
        (error) => {
          // The accept loop is gone; this instance still serves the connections it has.
          if (server === current) onAcceptFailed(error);
        },
      );
      instances.set(server, { abort, done });
      current = server;
    },
    /** Stops accepting and drops the connections that are idle or still sending their head. */
    drain(): void {
      const old = current;
      if (!old) return;
      current = undefined;
      // Graceful shutdown frees the idle and head-less connections; in-flight responses finish.
      old.shutdown().catch(() => {}).finally(() => instances.delete(old));
    },
    /** Ends the current listener forcefully and waits for every instance, or CLOSE_WAIT_MS. */
    async close(): Promise<void> {
      if (current) instances.get(current)?.abort.abort();
      await settledWithin([...instances.values()].map((i) => i.done), CLOSE_WAIT_MS);
    },
  };
}

/** Calls `onPressure` with the count while `count()` is at least `max` (0: never). */
function watchDescriptors(
  count: () => number | undefined,
  max: number,
  everyMs: number,
  onPressure: (open: number) => void,
): () => void {
  if (max <= 0) return () => {};
  const id = setInterval(() => {
    const open = count();
    if (open === undefined) clearInterval(id); // no /proc here: only failed accepts drop
    else if (open >= max) onPressure(open);
  }, everyMs);
  Deno.unrefTimer(id);
  return () => clearInterval(id);
}

/** Runs `next` soon: at once for the first FAST_TRIES attempts, then backing off. */
function retryLater(attempt: number, next: () => void): () => void {
  if (attempt < FAST_TRIES) {
    const id = setImmediate(next);
    return () => clearImmediate(id);
  }
  const id = setTimeout(next, BACKOFF_MS[Math.min(attempt - FAST_TRIES, BACKOFF_MS.length - 1)]);
  return () => clearTimeout(id);
}

/** Waits for every promise to settle, or `ms`, whichever comes first. */
async function settledWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise((resolve) => timer = setTimeout(resolve, ms));
  await Promise.race([Promise.allSettled(promises), waited]);
  clearTimeout(timer);
}

/** Open descriptors of this process, from /proc (Linux); undefined elsewhere. */
export function countOpenDescriptors(): number | undefined {
  try {
    // Linux 6.2+ reports the count as the directory's size: one stat instead of listing 10,000.
    const size = Deno.statSync("/proc/self/fd").size;
    if (size > 0) return size;
    let n = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
    return n;
  } catch {
    return undefined;
  }
}

/** Soft and hard RLIMIT_NOFILE from /proc/self/limits text; Infinity for "unlimited". */
export function parseOpenFileLimit(limits: string): { soft: number; hard: number } | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits);
  if (!match) return undefined;
  const value = (s: string) => s === "unlimited" ? Infinity : Number(s);
  return { soft: value(match[1]), hard: value(match[2]) };
}

/** Default descriptor budget: 90 % of the soft limit (room for files, SQLite, ffmpeg), ≤ 10,000. */
export function defaultMaxConnections(softLimit: number | undefined): number {
  // 10,000 bounds memory too: a connection holding a 64 KiB partial head costs about 80 KiB.
  if (softLimit === undefined) return 10_000;
  return Math.min(10_000, Math.floor(softLimit * 0.9));
}
