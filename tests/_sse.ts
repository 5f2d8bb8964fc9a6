// Parses Server-Sent Events text for tests: complete frames out, the unfinished rest kept.

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
