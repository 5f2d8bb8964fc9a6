import { assertEquals } from "./tests/_assert.ts";
import { silentLogger } from "./log.ts";
import {
  countOpenDescriptors,
  defaultMaxConnections,
  parseOpenFileLimit,
  serveResilient,
} from "./serve.ts";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             95012                95012                processes
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

Deno.test("parseOpenFileLimit() reads the soft and hard limits from /proc/self/limits", () => {
  assertEquals(parseOpenFileLimit(LIMITS), { soft: 1024, hard: 524288 });
  assertEquals(
    parseOpenFileLimit("Max open files            unlimited            unlimited            files"),
    { soft: Infinity, hard: Infinity },
  );
  assertEquals(parseOpenFileLimit("Max processes 1 1 processes"), undefined);
});

Deno.test("defaultMaxConnections() keeps 10 % of the limit free and at most 10,000", () => {
  assertEquals(defaultMaxConnections(1024), 921);
  assertEquals(defaultMaxConnections(256), 230);
  assertEquals(defaultMaxConnections(1_048_576), 10_000);
  assertEquals(defaultMaxConnections(undefined), 10_000);
});

Deno.test("countOpenDescriptors() counts what this process opened", () => {
  const before = countOpenDescriptors();
  if (before === undefined) return; // not Linux
  const files = Array.from({ length: 20 }, () => Deno.openSync("/dev/null"));
  try {
    assertEquals(countOpenDescriptors(), before + 20);
  } finally {
    for (const file of files) file.close();
  }
});

Deno.test("serveResilient() drops idle connections past maxDescriptors and keeps serving", async () => {
  let open = 10;
  const server = serveResilient(() => new Response("ok"), {
    hostname: "127.0.0.1",
    port: 0,
    maxDescriptors: 100,
    log: silentLogger,
    countDescriptors: () => open,
    checkEveryMs: 10,
  });
  const idle = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await new Promise((resolve) => setTimeout(resolve, 50));
    open = 100;
    // EOF: the server closed the connection that never sent a request.
    assertEquals(await idle.read(new Uint8Array(16)), null);
    // A connect in the moment before the port is bound again is refused; clients retry.
    const get = () => fetch(`http://127.0.0.1:${server.port}/`);
    const res = await get().catch(() => new Promise((r) => setTimeout(r, 10)).then(get));
    assertEquals(await res.text(), "ok");
  } finally {
    idle.close();
    await server.close();
  }
});
