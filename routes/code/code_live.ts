// The live side of code sessions: events on `code:<CODE>`, ending (by hand or idle) and its timers.
import type { Hub } from "../../realtime/hub.ts";
import type { TopicNamespace } from "../../realtime/topics.ts";
import type { WsFeature } from "../../realtime/ws.ts";
import type { Logger } from "../../log.ts";
import type { CodeSession, CodeStore } from "../../storage/code_store.ts";
import type { CodeWatchers } from "./code_watchers.ts";
import type { CodeEvents, EndReason } from "./wire.ts";

export interface CodeLiveOptions {
  store: Pick<CodeStore, "end" | "idleSince">;
  hub: Pick<Hub, "publish" | "dropTopic">;
  /** Told when a session ends, so no viewer count follows its `ended` event. */
  watchers?: Pick<CodeWatchers, "forget">;
  log: Logger;
  /** A session with no create, join or push for this long ends by itself. */
  ttlMs: number;
  /** How often idle sessions are looked for. @default min(60 s, ttlMs / 4) */
  sweepMs?: number;
  /** Time between the `ended` event and closing the topic's streams. @default 1000 */
  dropDelayMs?: number;
  /** @default Date.now */
  now?: () => number;
}

export interface CodeLive {
  /** Deletes the session's rows, tells its viewers, and closes their streams a moment later. */
  end(session: CodeSession, reason: EndReason): Promise<boolean>;
  /**
   * Ends every session idle past the TTL; returns how many. The timer calls this. With several
   * instances each sweeps; a session another one ended first is not counted (nor announced) twice.
   */
  sweep(): Promise<number>;
  /** Stops the sweep timer and closes topics still waiting to be dropped. */
  close(): void;
}

/** The hub topic of a session. */
export const codeTopic = (code: string): string => `code:${code}`;

/**
 * `code:<CODE>`: anyone may follow a session that exists (the code is the secret), over SSE or
 * /ws. Snippets can be 256 KiB each, so a session keeps a shorter history than other topics.
 */
export function codeNamespace(
  store: Pick<CodeStore, "byCode">,
  watchers?: Pick<CodeWatchers, "recount">,
): TopicNamespace {
  return {
    prefix: "code:",
    history: 32,
    authorize: async (client, topic) => {
      // Topics use the canonical code (upper case, no dashes), as the API returns it.
      const allowed = await store.byCode(topic.slice("code:".length)) !== null;
      // A /ws subscriber joins the watcher count (SSE streams are counted where they open).
      if (allowed && client) watchers?.recount(topic);
      return allowed;
    },
  };
}

/** Sends the watcher count again when a socket that followed code sessions closes. */
export function codeSocketWatch(watchers: Pick<CodeWatchers, "recount">): WsFeature {
  return {
    types: [],
    // No message types of its own: the generic subscribe serves `code:` topics.
    handle() {},
    onClose(_client, topics) {
      for (const topic of topics) if (topic.startsWith("code:")) watchers.recount(topic);
    },
  };
}

export function createCodeLive(options: CodeLiveOptions): CodeLive {
  const { store, hub, log, ttlMs } = options;
  const now = options.now ?? Date.now;
  const dropDelayMs = options.dropDelayMs ?? 1000;
  const pendingDrops = new Map<string, ReturnType<typeof setTimeout>>();

  const live: CodeLive = {
    async end(session, reason) {
      if (!await store.end(session.id)) return false;
      const topic = codeTopic(session.code);
      options.watchers?.forget(topic);
      hub.publish<CodeEvents["ended"]>(topic, "ended", { session_code: session.code, reason });
      log.info("Code session ended", { code: session.code, reason });
      // The delay lets the `ended` frame reach every stream before the streams close.
      clearTimeout(pendingDrops.get(topic));
      pendingDrops.set(
        topic,
        setTimeout(() => {
          pendingDrops.delete(topic);
          hub.dropTopic(topic);
        }, dropDelayMs),
      );
      return true;
    },

    async sweep() {
      let ended = 0;
      for (const session of await store.idleSince(now() - ttlMs)) {
        if (await live.end(session, "expired")) ended++;
      }
      return ended;
    },

    close() {
      closed = true;
      clearInterval(timer);
      for (const [topic, pending] of pendingDrops) {
        clearTimeout(pending);
        hub.dropTopic(topic);
      }
      pendingDrops.clear();
    },
  };

  // One sweep at a time: a slow database must not stack sweeps of the same sessions.
  let sweeping = false;
  let closed = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    live.sweep().catch((error) => {
      // After close() the database may be gone under a sweep in flight: nothing to report.
      if (!closed) log.error("Cannot end idle code sessions", { error: String(error) });
    }).finally(() => sweeping = false);
  }, options.sweepMs ?? Math.min(60_000, ttlMs / 4));
  return live;
}
