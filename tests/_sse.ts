// The one Server-Sent Events reader for tests: the frame parser, a pull reader and a follower.

export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

/** Takes every complete frame (ending in a blank line) with data from `buffer`. */
export function takeSseFrames(buffer: string): { frames: SseFrame[]; rest: string } {
  const frames: SseFrame[] = [];
  let end;
  while ((end = buffer.indexOf("\n\n")) >= 0) {
    const lines = buffer.slice(0, end).split("\n");
    buffer = buffer.slice(end + 2);
    const field = (name: string) =>
      lines.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2));
    const data = field("data");
    if (data.length) {
      frames.push({ id: field("id")[0], event: field("event")[0], data: data.join("\n") });
    }
  }
  return { frames, rest: buffer };
}

/**
 * Reads data frames one at a time from an SSE response: `next()` waits for the next one (null
 * once the stream ended or `timeoutMs` passed, which also cancels the stream).
 */
export function sseReader(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: SseFrame[] = [];
  let buffer = "";
  let ended = false;
  const next = async (timeoutMs = 5000): Promise<SseFrame | null> => {
    const timer = setTimeout(() => reader.cancel(), timeoutMs);
    try {
      while (frames.length === 0 && !ended) {
        const { done, value } = await reader.read();
        if (done) {
          ended = true;
          break;
        }
        const taken = takeSseFrames(buffer + value);
        buffer = taken.rest;
        frames.push(...taken.frames);
      }
    } finally {
      clearTimeout(timer);
    }
    return frames.shift() ?? null;
  };
  return {
    next,
    /** The next `count` frames, fewer if the stream ends or stalls for `timeoutMs`. */
    async take(count: number, timeoutMs = 5000): Promise<SseFrame[]> {
      const taken: SseFrame[] = [];
      while (taken.length < count) {
        const frame = await next(timeoutMs);
        if (!frame) break;
        taken.push(frame);
      }
      return taken;
    },
    close: () => reader.cancel().catch(() => {}),
  };
}

/** Reads `count` data frames from an SSE response, then closes it. */
export async function readSse(response: Response, count: number, timeoutMs = 5000) {
  const reader = sseReader(response);
  try {
    return await reader.take(count, timeoutMs);
  } finally {
    await reader.close();
  }
}

/** A frame a follower kept, with its data parsed as JSON when it is JSON. */
export interface FollowedFrame<T = unknown> extends SseFrame {
  event: string;
  json: T | undefined;
}

/** Follows an SSE stream in the background, keeping every frame; `waitFor` resolves on a match. */
export async function followSse<T = unknown>(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  if (!response.ok) throw new Error(`Cannot follow ${url}: ${response.status}`);
  const frames: FollowedFrame<T>[] = [];
  const waiters = new Set<() => void>();
  const reading = (async () => {
    let buffer = "";
    try {
      for await (const text of response.body!.pipeThrough(new TextDecoderStream())) {
        const taken = takeSseFrames(buffer + text);
        buffer = taken.rest;
        for (const frame of taken.frames) {
          frames.push({ ...frame, event: frame.event ?? "message", json: parsed<T>(frame.data) });
          for (const wake of waiters) wake();
        }
      }
    } catch { /* aborted by close() */ }
  })();
  return {
    frames,
    waitFor(match: (f: FollowedFrame<T>) => boolean, timeoutMs = 10_000) {
      return new Promise<FollowedFrame<T>>((resolve, reject) => {
        const check = () => {
          const found = frames.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`No matching SSE frame within ${timeoutMs} ms: ${show(frames)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      abort.abort();
      await reading;
    },
  };
}

function parsed<T>(data: string): T | undefined {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function show(frames: SseFrame[]): string {
  const text = JSON.stringify(frames);
  return text.length > 2000 ? text.slice(0, 2000) + "…" : text;
}
