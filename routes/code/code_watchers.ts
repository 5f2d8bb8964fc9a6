// Who is watching a code session: its open event streams on every instance, told to every
// viewer, coalesced.
import type { Hub } from "../../realtime/hub.ts";
import { createLocalPresenceMaps, othersTotal, type PresenceMap } from "../../realtime/presence.ts";
import type { CodeEvents } from "./wire.ts";

export interface CodeWatchersOptions {
  hub: Pick<Hub, "publish" | "subscriberCount">;
  /** Opens and closes within this window make one `watching` event. @default 200 */
  coalesceMs?: number;
  /** How long an ended session's topic stays silent, past the closing of its streams. @default 10000 */
  forgetMs?: number;
  /** Each instance's count per topic (Redis); unset: this process's only. */
  shared?: PresenceMap;
}

export interface CodeWatchers {
  /** Streams on `topic` now on every instance, joined or not, without the presenters' own. */
  count(topic: string): number;
  /** A stream on `topic` opened or closed; `presenter` streams are kept out of the count. */
  changed(topic: string, presenter: boolean, delta: 1 | -1): void;
  /** Someone may have started or stopped following `topic` over /ws: send the count again. */
  recount(topic: string): void;
  /** The session ended: no count is sent on its topic any more. */
  forget(topic: string): void;
  close(): void;
}

export function createCodeWatchers(options: CodeWatchersOptions): CodeWatchers {
  const { hub } = options;
  const coalesceMs = options.coalesceMs ?? 200;
  const forgetMs = options.forgetMs ?? 10_000;
  const shared = options.shared ?? createLocalPresenceMaps()("code:watchers");
  // The presenter page says so in its stream's query. Nothing checks it: a viewer who claims it
  // only leaves itself out of a number.
  const presenters = new Map<string, number>();
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const ended = new Map<string, ReturnType<typeof setTimeout>>();

  const here = (topic: string) =>
    Math.max(0, hub.subscriberCount(topic) - (presenters.get(topic) ?? 0));
  const count = (topic: string) => here(topic) + othersTotal(shared, topic);

  const schedule = (topic: string) => {
    // A crowd arriving at once sends one count, not one per arrival to everyone already there.
    if (pending.has(topic) || ended.has(topic)) return;
    pending.set(
      topic,
      setTimeout(() => {
        pending.delete(topic);
        const local = here(topic);
        shared.set(topic, local > 0 ? String(local) : null);
        // Nobody here to tell: the instances whose viewers follow it send their own count.
        if (hub.subscriberCount(topic) === 0) return;
        hub.publish<CodeEvents["watching"]>(topic, "watching", { count: count(topic) }, {
          history: false,
        });
      }, coalesceMs),
    );
  };
  // Another instance's count changed (or its instance died): ours to tell our viewers.
  shared.onChange(({ keys, gone }) => {
    for (const topic of keys) schedule(topic);
    for (const entries of gone.values()) for (const topic of entries.keys()) schedule(topic);
  });

  return {
    count,
    changed(topic, presenter, delta) {
      if (ended.has(topic)) return;
      if (presenter) {
        const left = (presenters.get(topic) ?? 0) + delta;
        if (left > 0) presenters.set(topic, left);
        else presenters.delete(topic);
      }
      schedule(topic);
    },
    recount: schedule,
    forget(topic) {
      clearTimeout(pending.get(topic));
      pending.delete(topic);
      presenters.delete(topic);
      shared.set(topic, null);
      // Its streams close a moment after the end; their closing schedules no count. Codes are
      // never reused, so the mark only has to outlive those streams.
      clearTimeout(ended.get(topic));
      ended.set(topic, setTimeout(() => ended.delete(topic), forgetMs));
    },
    close() {
      for (const timer of [...pending.values(), ...ended.values()]) clearTimeout(timer);
      pending.clear();
      ended.clear();
      shared.close();
    },
  };
}
