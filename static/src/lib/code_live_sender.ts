// Sends the presenter's typing to the session: at most one snapshot per interval while they type
// (the last one always goes), one request in flight, paused a second after a 429.
import { ApiError, request, sessionPath } from "./code_api.ts";

export interface LiveSnapshot {
  file_name: string;
  content: string;
  caret_line: number;
}

export type LiveState = "idle" | "sending" | "live" | { error: string };

export interface LiveSenderOptions {
  code: string;
  token: string;
  maxBytes: number;
  onState(state: LiveState): void;
  /** @default 75 (about 13 updates a second, under the server's 20) */
  intervalMs?: number;
}

export interface LiveSender {
  send(snapshot: LiveSnapshot): void;
  stop(): void;
}

const encoder = new TextEncoder();

/** The 1-based line of a caret at `offset` in `text`. */
export function caretLineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function createLiveSender(options: LiveSenderOptions): LiveSender {
  const interval = options.intervalMs ?? 75;
  // The newest snapshot of each file: switching tabs mid-interval still sends the last one's end.
  const queued = new Map<string, LiveSnapshot>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = false;
  let lastSent = 0;
  let stopped = false;

  const flush = async () => {
    timer = undefined;
    const [name, snapshot] = queued.entries().next().value ?? [];
    if (inFlight || !name || !snapshot || stopped) return;
    queued.delete(name);
    inFlight = true;
    lastSent = Date.now();
    let pause = interval;
    try {
      await request(sessionPath(options.code, "/live"), {
        method: "POST",
        token: options.token,
        body: snapshot,
      });
      if (!stopped) options.onState("live");
    } catch (error) {
      if (error instanceof ApiError && error.status === 429) {
        pause = 1000;
        if (!queued.has(name)) queued.set(name, snapshot);
      }
      if (!stopped) {
        options.onState({ error: error instanceof ApiError ? error.message : "Network error" });
      }
    } finally {
      inFlight = false;
      if (queued.size && !stopped) timer = setTimeout(flush, pause);
    }
  };

  return {
    send(snapshot) {
      if (encoder.encode(snapshot.content).byteLength > options.maxBytes) {
        queued.delete(snapshot.file_name);
        const kib = Math.round(options.maxBytes / 1024);
        return options.onState({ error: `Live typing pauses above ${kib} KiB: push to share` });
      }
      queued.set(snapshot.file_name, snapshot);
      options.onState("sending");
      // Throttle, not debounce: the first keystroke after a pause goes at once, steady typing
      // streams one snapshot per interval, and the trailing snapshot always goes.
      if (timer === undefined && !inFlight) {
        timer = setTimeout(flush, Math.max(0, lastSent + interval - Date.now()));
      }
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
