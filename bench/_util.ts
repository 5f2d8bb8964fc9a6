// Shared helpers for benchmarks: percentiles, RSS of a process, a bounded wait.

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1] ?? NaN);
  return kb * 1024;
}

/** CPU seconds (user + system) a process used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 (1-based) of the full line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "n/a";
}

/** `a` over `b` as "1.23x", or "n/a" when `b` is 0 (a server that held no step). */
export function times(a: number, b: number, digits = 2): string {
  const text = fmt(a / b, digits);
  return text === "n/a" ? text : `${text}x`;
}

/** A bench's one sender posts far past WORKSPACE_POST_BURST / _POSTS_PER_MINUTE: lift them. */
export const NO_POSTING_LIMIT = {
  WORKSPACE_POST_BURST: "10000",
  WORKSPACE_POSTS_PER_MINUTE: "600000",
};
