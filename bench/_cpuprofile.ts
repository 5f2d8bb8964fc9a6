// Bench helper: a V8 .cpuprofile (deno --cpu-prof) summed by function, self and total time.
// Run: deno run -A bench/_cpuprofile.ts FILE.cpuprofile [top]
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = Deno.args;
const profile: Profile = JSON.parse(await Deno.readTextFile(file));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^.*\/(wt-[^/]+|fanout-before)\//, "").replace(/^.*\//, "");
  return `${n.callFrame.functionName || "(anonymous)"} ${url}:${n.callFrame.lineNumber + 1}`;
};
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
for (const [id, us] of selfUs) {
  all += us;
  const node = byId.get(id)!;
  self.set(label(node), (self.get(label(node)) ?? 0) + us);
  // Each frame on the stack once, so recursion is not counted twice.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const l = label(byId.get(at)!);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + us);
  }
}
const top = Number(topArg ?? 30);
const pct = (us: number) => `${(us / all * 100).toFixed(1).padStart(5)} %`;
console.log(`total sampled ${(all / 1e6).toFixed(2)} s`);
console.log("self:");
for (const [l, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${pct(us)}  ${l}`);
}
console.log("total (inclusive):");
for (const [l, us] of [...total].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${pct(us)}  ${l}`);
}
