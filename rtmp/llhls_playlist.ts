// Pure LL-HLS (RFC 8216bis) media playlist writer over a stream's segments and parts.

export interface PartInfo {
  /** Milliseconds. */
  duration: number;
  independent: boolean;
}

export interface SegmentInfo {
  msn: number;
  parts: PartInfo[];
  /** Milliseconds; for the open segment, what its parts hold so far. */
  duration: number;
  /** Index of the init segment (`init<N>.mp4`) its fragments need. */
  init: number;
  /** The first segment after a reconnect or a new init. */
  discontinuity: boolean;
  /** Wall-clock time (ms since epoch) its first frame reached the server. */
  date: number;
  /** All its parts are written; the open segment is the last one and not complete. */
  complete: boolean;
}

export interface PlaylistInput {
  /** Oldest first; the last may be the open segment. */
  segments: SegmentInfo[];
  /** EXT-X-DISCONTINUITY-SEQUENCE: discontinuities already dropped from the front. */
  discontinuitySequence: number;
  /** Seconds, whole (EXT-X-TARGETDURATION). */
  targetDuration: number;
  /** Milliseconds (EXT-X-PART-INF PART-TARGET). */
  partTarget: number;
  /** Parts are listed for this many complete segments before the open one. */
  partSegments: number;
  ended: boolean;
}

export const segmentUri = (msn: number) => `s${msn}.m4s`;
export const partUri = (msn: number, part: number) => `p${msn}_${part}.m4s`;
export const initUri = (init: number) => `init${init}.mp4`;

const secs = (ms: number) => (ms / 1000).toFixed(3);

/**
 * The playlist text. PART-HOLD-BACK is three part targets (the spec's SHOULD), which is where
 * hls.js in low-latency mode sits behind the edge; parts of older segments are left out, as the
 * spec allows once they are that far behind.
 */
export function writePlaylist(p: PlaylistInput): string {
  const out = [
    "#EXTM3U",
    "#EXT-X-VERSION:9",
    `#EXT-X-TARGETDURATION:${p.targetDuration}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${secs(p.partTarget * 3)}`,
    `#EXT-X-PART-INF:PART-TARGET=${secs(p.partTarget)}`,
    `#EXT-X-MEDIA-SEQUENCE:${p.segments[0]?.msn ?? 0}`,
  ];
  if (p.discontinuitySequence > 0) {
    out.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  }
  const complete = p.segments.filter((s) => s.complete).length;
  let init = -1;
  p.segments.forEach((s, i) => {
    if (s.discontinuity && i > 0) out.push("#EXT-X-DISCONTINUITY");
    if (s.init !== init) {
      init = s.init;
      out.push(`#EXT-X-MAP:URI="${initUri(init)}"`);
    }
    out.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.date).toISOString()}`);
    if (!s.complete || i >= complete - p.partSegments) {
      s.parts.forEach((part, j) => {
        const independent = part.independent ? ",INDEPENDENT=YES" : "";
        out.push(
          `#EXT-X-PART:DURATION=${secs(part.duration)},URI="${partUri(s.msn, j)}"${independent}`,
        );
      });
    }
    if (s.complete) out.push(`#EXTINF:${secs(s.duration)},`, segmentUri(s.msn));
  });
  const last = p.segments.at(-1);
  if (p.ended) out.push("#EXT-X-ENDLIST");
  else if (last) {
    const [msn, part] = last.complete ? [last.msn + 1, 0] : [last.msn, last.parts.length];
    out.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${partUri(msn, part)}"`);
  }
  return out.join("\n") + "\n";
}
