// Bench helper: CPU time and RSS of a process and all its descendants, read from /proc (Linux).

const TICKS_PER_SECOND = 100; // `getconf CLK_TCK` on Linux x86_64 and arm64

interface Proc {
  pid: number;
  ppid: number;
  /** utime + stime, seconds. */
  cpu: number;
  rssBytes: number;
}

function readProc(pid: number): Proc | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name may hold spaces and parentheses: fields start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const rss = Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0) * 1024;
    return {
      pid,
      ppid: Number(fields[1]),
      cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
      rssBytes: rss,
    };
  } catch {
    return null; // exited meanwhile
  }
}

/** The process `root` and every process below it. */
export function processTree(root: number): Proc[] {
  const all: Proc[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const proc = readProc(Number(entry.name));
    if (proc) all.push(proc);
  }
  const tree: Proc[] = [];
  const wanted = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const proc of all) {
      if ((wanted.has(proc.pid) || wanted.has(proc.ppid)) && !tree.includes(proc)) {
        tree.push(proc);
        wanted.add(proc.pid);
        grew = true;
      }
    }
  }
  return tree;
}

/** Cores used by `root`'s tree over `ms` (1.0 = one full core), and its summed RSS at the end. */
export async function measureTree(
  root: number,
  ms: number,
): Promise<{ cores: number; rssBytes: number; processes: number }> {
  const before = new Map(processTree(root).map((p) => [p.pid, p.cpu]));
  const start = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const after = processTree(root);
  const seconds = (performance.now() - start) / 1000;
  // Processes born during the window count from zero; ones that died are not counted.
  const used = after.reduce((sum, p) => sum + p.cpu - (before.get(p.pid) ?? 0), 0);
  return {
    cores: used / seconds,
    rssBytes: after.reduce((sum, p) => sum + p.rssBytes, 0),
    processes: after.length,
  };
}
