// Bench helper: N LL-HLS viewers in one process, each blocking on the next part and fetching it.

export interface ViewerResult {
  parts: number;
  errors: number;
  /** Part's media end (its segment's PROGRAM-DATE-TIME + the parts before) → bytes received, ms. */
  p50: number;
  p95: number;
  max: number;
}

const HINT = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p(\d+)_(\d+)\.m4s"/;

/** When part `msn`.`part` ends in wall-clock time, from the playlist's dates and durations. */
function partEnd(text: string, msn: number, part: number): number | null {
  let date = 0;
  let at = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
      date = Date.parse(line.slice(25));
      at = 0;
    }
    const m = /^#EXT-X-PART:DURATION=([\d.]+),URI="p(\d+)_(\d+)\.m4s"/.exec(line);
    if (!m) continue;
    at += Number(m[1]) * 1000;
    if (Number(m[2]) === msn && Number(m[3]) === part) return date + at;
  }
  return null;
}

async function viewer(url: string, until: number, delays: number[]): Promise<number> {
  let errors = 0;
  let text = await (await fetch(url)).text();
  while (Date.now() < until) {
    const hint = HINT.exec(text);
    if (!hint) return errors;
    const [msn, part] = [Number(hint[1]), Number(hint[2])];
    const r = await fetch(`${url}?_HLS_msn=${msn}&_HLS_part=${part}`);
    text = await r.text();
    if (!r.ok) {
      errors++;
      continue;
    }
    // A hint is a guess: when a keyframe closed the segment first, the next part is p<msn+1>_0.
    const [m, p] = text.includes(`"p${msn}_${part}.m4s"`) ? [msn, part] : [msn + 1, 0];
    const bytes = await fetch(new URL(`p${m}_${p}.m4s`, url));
    await bytes.arrayBuffer();
    const end = partEnd(text, m, p);
    if (bytes.ok && end !== null) delays.push(Date.now() - end);
    else if (!bytes.ok && end !== null) errors++; // listed, yet not served
  }
  return errors;
}

export async function llhlsViewers(url: string, count: number, ms: number): Promise<ViewerResult> {
  const delays: number[] = [];
  const until = Date.now() + ms;
  const errors = await Promise.all(Array.from({ length: count }, () => viewer(url, until, delays)));
  const sorted = delays.sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]);
  return {
    parts: delays.length,
    errors: errors.reduce((a, b) => a + b, 0),
    p50: at(0.5),
    p95: at(0.95),
    max: at(1),
  };
}
