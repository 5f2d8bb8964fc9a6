// The client's view of a request: forwarded headers from trusted hops only, PUBLIC_URL first.
import { assertEquals } from "../tests/_assert.ts";
import { rawExchange } from "../tests/_media.ts";
import { startServer } from "../tests/_server.ts";
import { api, signupUser } from "../tests/_workspaces.ts";
import { type ClientOptions, forwardedValue, isTls, ownOrigin, publicBase } from "./client.ts";

const req = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

Deno.test("forwardedValue() takes the entry the outermost trusted proxy added, never the client's", () => {
  const r = req("http://10.0.0.1/", { "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.2" });
  assertEquals(forwardedValue(r, "x-forwarded-for", false), undefined);
  assertEquals(forwardedValue(r, "x-forwarded-for", true), "10.0.0.2");
  assertEquals(forwardedValue(r, "x-forwarded-for", 1), "10.0.0.2");
  assertEquals(forwardedValue(r, "x-forwarded-for", 2), "203.0.113.7");
  assertEquals(forwardedValue(r, "x-forwarded-for", 5), "6.6.6.6", "fewer entries than hops");
  assertEquals(forwardedValue(req("http://x/"), "x-forwarded-for", true), undefined);
});

Deno.test("ownOrigin() and publicBase() follow PUBLIC_URL over Host, and Host otherwise", () => {
  const base: ClientOptions = { basePath: "/x/", trustProxy: false };
  const r = req("http://10.0.0.5:8080/x/api", { host: "evil.example" });
  assertEquals(ownOrigin(r, base), "http://evil.example");
  assertEquals(publicBase(r, base), "http://evil.example/x/");
  const pinned = { ...base, publicUrl: "https://chat.example" };
  assertEquals(ownOrigin(r, pinned), "https://chat.example");
  assertEquals(publicBase(r, pinned), "https://chat.example/x/");
  assertEquals(
    publicBase(r, { ...base, publicUrl: "https://chat.example/x" }),
    "https://chat.example/x/",
  );
  assertEquals(isTls(r, pinned), true, "the client reaches PUBLIC_URL over https");

  const proxied = req("http://127.0.0.1/", {
    "x-forwarded-proto": "https",
    "x-forwarded-host": "tv.example",
  });
  assertEquals(ownOrigin(proxied, { basePath: "/", trustProxy: false }), "http://127.0.0.1");
  assertEquals(ownOrigin(proxied, { basePath: "/", trustProxy: true }), "https://tv.example");
  assertEquals(isTls(proxied, { basePath: "/", trustProxy: false }), false);
  const odd = req("http://127.0.0.1/", { "x-forwarded-proto": "gopher" });
  assertEquals(ownOrigin(odd, { basePath: "/", trustProxy: true }), "http://127.0.0.1");
});

Deno.test("TRUST_PROXY: a client-chosen leftmost X-Forwarded-For does not escape the rate limit", async () => {
  const server = await startServer({ env: { TRUST_PROXY: "true" } });
  try {
    // Each login spoofs a new leftmost address; the proxy's own entry (rightmost) stays the same.
    // Distinct emails keep the per-account limit out of it: only the per-address one can answer.
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await api(server, null, "POST", "api/auth/login", {
        email: `nobody${i}@example.test`,
        password: "wrong password",
      }, { "x-forwarded-for": `198.51.100.${i}, 203.0.113.7` });
      statuses.push(r.status);
    }
    assertEquals(statuses.includes(429), true, `statuses: ${statuses.join(",")}`);
    // Another client behind the same proxy is a different bucket.
    const other = await api(server, null, "POST", "api/auth/login", {
      email: "someone@example.test",
      password: "wrong password",
    }, { "x-forwarded-for": "203.0.113.8" });
    assertEquals(other.status, 401);
  } finally {
    await server.close();
  }
});

Deno.test("PUBLIC_URL is the server's own origin: a page under another Host name cannot post", async () => {
  const server = await startServer({ env: { PUBLIC_URL: "https://chat.example" } });
  try {
    const user = await signupUser(server, "pinned");
    // DNS rebinding: a page on attacker.example that resolves to us sends Host = its Origin.
    // (Raw HTTP, as fetch does not let a script choose Host.)
    const body = JSON.stringify({ name: "Rebound" });
    const rebound = await rawExchange(
      server.port,
      "POST /api/servers HTTP/1.1\r\nHost: attacker.example\r\nOrigin: http://attacker.example\r\n" +
        `Cookie: ${user.cookie}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      [],
    );
    assertEquals([rebound.status, JSON.parse(rebound.body).code], [403, "forbidden_origin"]);
    const own = await api(server, user, "POST", "api/servers", { name: "Own" }, {
      origin: "https://chat.example",
    });
    assertEquals(own.status, 201);
  } finally {
    await server.close();
  }
});
