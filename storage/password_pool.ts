// bcrypt off the main thread: a few worker threads behind a bounded queue.
import type { PasswordAnswer, PasswordJob, PasswordTask } from "./password_worker.ts";

export interface PasswordPool {
  /** A bcrypt hash of `password` at `cost`. Throws `PoolBusyError` when the queue is full. */
  hash(password: string, cost: number): Promise<string>;
  /** Whether `password` matches `hash`. Throws `PoolBusyError` when the queue is full. */
  compare(password: string, hash: string): Promise<boolean>;
  /** Jobs running or waiting. */
  readonly pending: number;
  /** Stops every worker; jobs still waiting fail. */
  close(): void;
}

export interface PasswordPoolOptions {
  /** Worker threads, started as work arrives. @default navigator.hardwareConcurrency */
  size?: number;
  /** Jobs allowed to wait for a free worker; past it calls fail at once. @default 64 */
  maxQueue?: number;
}

/** Thrown when the pool's queue is full: the caller answers 503 (or 429) instead of waiting. */
export class PoolBusyError extends Error {
  constructor() {
    super("Cannot check the password now: too many are being checked");
    this.name = "PoolBusyError";
  }
}

interface Waiting {
  job: PasswordTask;
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  running: (Waiting & { id: number }) | null;
}

const BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A well-formed bcrypt hash at `cost` that no password is known to match (random salt and digest),
 * to compare against when the user is unknown: the miss then costs what a hit costs.
 */
export function standInHash(cost: number): string {
  const chars = [...crypto.getRandomValues(new Uint8Array(53))]
    .map((b) => BCRYPT_ALPHABET[b % 64]).join("");
  return `$2b$${String(cost).padStart(2, "0")}$${chars}`;
}

export function createPasswordPool(options: PasswordPoolOptions = {}): PasswordPool {
  const size = Math.max(1, options.size ?? navigator.hardwareConcurrency ?? 1);
  const maxQueue = options.maxQueue ?? 64;
  const slots: Slot[] = [];
  const queue: Waiting[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (): Slot => {
    const worker = new Worker(new URL("./password_worker.ts", import.meta.url), {
      type: "module",
    });
    const slot: Slot = { worker, running: null };
    worker.onmessage = (event: MessageEvent<PasswordAnswer>) => {
      const done = slot.running;
      if (!done || done.id !== event.data.id) return;
      slot.running = null;
      if (event.data.ok) done.resolve(event.data.value);
      else done.reject(new Error(`Cannot ${done.job.op} the password: ${event.data.error}`));
      pump();
    };
    // A worker that dies fails its job and is replaced by the next pump.
    worker.onerror = (event) => {
      event.preventDefault();
      slots.splice(slots.indexOf(slot), 1);
      worker.terminate();
      slot.running?.reject(new Error(`Password worker failed: ${event.message}`));
      pump();
    };
    slots.push(slot);
    return slot;
  };

  const pump = () => {
    while (queue.length > 0 && !closed) {
      const slot = slots.find((s) => s.running === null) ??
        (slots.length < size ? spawn() : undefined);
      if (!slot) return;
      const waiting = queue.shift()!;
      const id = nextId++;
      slot.running = { ...waiting, id };
      slot.worker.postMessage({ ...waiting.job, id } as PasswordJob);
    }
  };

  const run = (job: PasswordTask): Promise<string | boolean> => {
    if (closed) return Promise.reject(new Error("Cannot check the password: the pool is closed"));
    if (queue.length >= maxQueue) return Promise.reject(new PoolBusyError());
    return new Promise((resolve, reject) => {
      queue.push({ job, resolve, reject });
      pump();
    });
  };

  return {
    hash: async (password, cost) => String(await run({ op: "hash", password, cost })),
    compare: async (password, hash) => (await run({ op: "compare", password, hash })) === true,
    get pending() {
      return queue.length + slots.filter((s) => s.running).length;
    },
    close() {
      closed = true;
      const error = new Error("Cannot check the password: the pool is closed");
      for (const waiting of queue.splice(0)) waiting.reject(error);
      for (const slot of slots.splice(0)) {
        slot.worker.terminate();
        slot.running?.reject(error);
      }
    },
  };
}
