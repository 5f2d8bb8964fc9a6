// What the process holds, read from /proc when scraped: child processes by name, open descriptors.
import { basename } from "node:path";
import { countOpenDescriptors } from "../serve.ts";
import type { MetricSource } from "./metrics.ts";

/**
 * This process's children whose command name is `name` (Linux: /proc/self/task/<tid>/children),
 * undefined where /proc cannot be read. Counting what runs, rather than starts minus exits,
 * also shows a process that outlived its owner.
 */
export function countChildren(name: string): number | undefined {
  // The kernel keeps 15 characters of a command name.
  const comm = basename(name).slice(0, 15);
  let count = 0;
  try {
    for (const task of Deno.readDirSync("/proc/self/task")) {
      const pids = Deno.readTextFileSync(`/proc/self/task/${task.name}/children`).trim();
      for (const pid of pids ? pids.split(" ") : []) {
        try {
          if (Deno.readTextFileSync(`/proc/${pid}/comm`).trim() === comm) count++;
        } catch { /* exited meanwhile */ }
      }
    }
  } catch {
    return undefined;
  }
  return count;
}

/** ffmpeg runs (publishes, thumbnails, stills), open descriptors and memory, for /metrics. */
export function processSources(ffmpegPath: string): MetricSource[] {
  const known = (n: number | undefined) => (n === undefined ? [] : [{ value: n }]);
  return [
    {
      name: "roomcast_ffmpeg_processes",
      help: "ffmpeg processes running (RTMP publishes, thumbnails, live stills)",
      read: () => known(countChildren(ffmpegPath)),
    },
    {
      name: "process_open_fds",
      help: "Open file descriptors (every HTTP, RTMP and database connection holds one)",
      read: () => known(countOpenDescriptors()),
    },
    {
      name: "process_resident_memory_bytes",
      help: "Resident memory size in bytes",
      read: () => Deno.memoryUsage().rss,
    },
  ];
}
