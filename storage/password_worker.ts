// The body of one password-pool worker thread: runs bcrypt where it cannot stall the event loop.
import bcrypt from "bcryptjs";

/** Work for a worker: hash `password` at `cost`, or compare it with `hash`. */
export type PasswordTask =
  | { op: "hash"; password: string; cost: number }
  | { op: "compare"; password: string; hash: string };

/** A task as posted to the worker, with the id its answer carries back. */
export type PasswordJob = PasswordTask & { id: number };

/** What the worker posts back for job `id`. */
export type PasswordAnswer =
  | { id: number; ok: true; value: string | boolean }
  | { id: number; ok: false; error: string };

// The synchronous calls are right here: this thread does nothing else, and the async ones would
// only add timer hops between bcrypt rounds.
self.onmessage = (event: MessageEvent<PasswordJob>) => {
  const job = event.data;
  let answer: PasswordAnswer;
  try {
    const value = job.op === "hash"
      ? bcrypt.hashSync(job.password, job.cost)
      : bcrypt.compareSync(job.password, job.hash);
    answer = { id: job.id, ok: true, value };
  } catch (error) {
    answer = { id: job.id, ok: false, error: String(error) };
  }
  // Typed for windows, where postMessage wants a target origin; a worker's takes only the message.
  (self as unknown as { postMessage(message: PasswordAnswer): void }).postMessage(answer);
};
