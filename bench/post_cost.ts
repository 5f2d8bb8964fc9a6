// Benchmark: what one channel message costs the server beside its deliveries: a few receivers, many
// messages, server CPU per message, for Roomcast's REST and /ws posts against the bare floor and the
// durable floor (the bare one storing each message first, fsynced).
// Run: deno run -A bench/post_cost.ts [--messages=N] [--rate=R] [--receivers=K] [--profile=DIR]
//        [--root=DIR ...]
//   --root=DIR     instead, the /ws posts of the Roomcast checkout in DIR (repeatable)
//   --profile=DIR  run Roomcast's servers under `deno --cpu-prof` (then bench/_cpuprofile.ts)
import { parseArgs } from "node:util";
import { cpuSeconds, fmt, sleep } from "./_util.ts";
import type { FanoutTarget as Target } from "./_ws_client.ts";
import { floor, roomcast } from "./_fanout_targets.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    messages: { type: "string", default: "6000" },
    rate: { type: "string", default: "600" },
    receivers: { type: "string", default: "10" },
    profile: { type: "string" },
    root: { type: "string", multiple: true },
  },
});
const messages = Number(values.messages);
const rate = Number(values.rate);
const receivers = Number(values.receivers);
const profile = values.profile
  ? [`--cpu-prof`, `--cpu-prof-interval=200`, `--cpu-prof-dir=${values.profile}`]
  : [];

/** CPU ticks (1/100 s) so far of each kind of thread of `pid`, by thread name. */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/stat`);
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(name, (out.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
    } catch { /* the thread ended */ }
  }
  return out;
}

async function measure(target: Target) {
  let received = 0;
  const sockets = [];
  for (let i = 0; i < receivers; i++) sockets.push(await target.connect(() => received++));
  // A warm-up, so the JIT and the caches are the same for every server.
  for (let i = 0; i < 300; i++) (target.send(`warm ${i}`), await sleep(2));
  await sleep(500);
  received = 0;
  const cpu0 = cpuSeconds(target.pid);
  const threads0 = threadCpu(target.pid);
  const t0 = performance.now();
  let sent = 0;
  while (sent < messages) {
    const due = Math.min(messages, Math.floor(((performance.now() - t0) / 1000) * rate));
    while (sent < due) {
      if (target.send(`b ${sent}`)) sent++;
      else break;
    }
    await sleep(5);
  }
  const deadline = performance.now() + 10_000;
  while (received < messages * receivers && performance.now() < deadline) await sleep(20);
  const cpu = cpuSeconds(target.pid) - cpu0;
  const threads = threadCpu(target.pid);
  const byName = new Map<string, number>();
  for (const [name, ticks] of threads) {
    byName.set(name, (byName.get(name) ?? 0) + ticks - (threads0.get(name) ?? 0));
  }
  for (const s of sockets) s.close();
  await target.close();
  const perThread = [...byName].filter(([, t]) => t > 0).sort((a, b) => b[1] - a[1])
    .map(([name, t]) => `${name} ${fmt((t * 1e4) / messages, 0)}`).join(", ");
  return {
    name: target.name,
    cpuUs: (cpu * 1e6) / messages,
    lost: messages * receivers - received,
    perThread,
  };
}

const rows = [];
const makers = values.root
  ? values.root.map((root) => () => roomcast(`${root}, posts over /ws`, { root, post: "ws" }))
  : [
    () => roomcast("Roomcast, REST posts", { denoArgs: profile }),
    () => roomcast("Roomcast, posts over /ws", { post: "ws", denoArgs: profile }),
  ];
const floors = [
  () => floor(),
  () => floor({ durable: true }),
  () => floor({ durable: true, poolSync: true }),
];
for (const make of [...makers, ...floors]) rows.push(await measure(await make()));
console.log(
  `\n${messages} messages at ${rate}/s to ${receivers} receivers (server CPU per message, all deliveries included):`,
);
console.log(
  "| server | CPU per message | by thread (µs) | not delivered |\n| --- | --- | --- | --- |",
);
for (const r of rows) {
  console.log(`| ${r.name} | ${fmt(r.cpuUs, 0)} µs | ${r.perThread} | ${r.lost} |`);
}
