// The studio's sign-in against the real server: the session cookie, its limits, and CSRF checks.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { ADMIN_TOKEN, api } from "../../tests/_streams.ts";

const env = { SERVER_ADMIN_TOKEN: ADMIN_TOKEN, RTMP_ENABLED: "false" };

async function login(base: string, token: string, origin?: string) {
  const response = await fetch(`${base}studio/login`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(origin ? { origin } : {}),
    },
    body: new URLSearchParams({ token }),
  });
  await response.body?.cancel();
  const setCookie = response.headers.getSetCookie().join("\n");
  return {
    status: response.status,
    location: response.headers.get("location"),
    setCookie,
    cookie: setCookie.split(";")[0],
  };
}

Deno.test("studio: the sign-in form gives an HttpOnly session that works like x-admin-token", async () => {
  const server = await startServer({ env });
  try {
    const wrong = await login(server.url, "nope", server.origin);
    assertEquals([wrong.status, wrong.location, wrong.setCookie], [303, "/studio?error=token", ""]);
    const ok = await login(server.url, ADMIN_TOKEN, server.origin);
    assertEquals([ok.status, ok.location], [303, "/studio"]);
    assert(/HttpOnly/.test(ok.setCookie) && /SameSite=Lax/.test(ok.setCookie), ok.setCookie);
    assert(!ok.setCookie.includes(ADMIN_TOKEN), "the cookie is a session, not the token");

    const asAdmin = (method: string, path: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { cookie: ok.cookie, "content-type": "application/json", ...headers },
        body: method === "GET" ? undefined : JSON.stringify({ name: "Cookie room" }),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const created = await asAdmin("POST", "api/rooms", { origin: server.origin });
    assertEquals(created.status, 201);
    assertEquals((await asAdmin("GET", "api/studio/rooms")).body.length, 1);
    const crossSite = await asAdmin("POST", "api/rooms", { origin: "https://evil.example" });
    assertEquals([crossSite.status, crossSite.body.code], [403, "forbidden_origin"], "cross-site");
    const studio = await fetch(`${server.url}studio`, { headers: { cookie: ok.cookie } });
    assertEquals(studio.headers.get("x-frame-options"), "DENY");
    assert((await studio.text()).includes('"signedIn":true'));

    const forged = await login(server.url, ADMIN_TOKEN, "https://evil.example");
    assertEquals(forged.status, 403, "sign-in from another site's form is refused");
    const out = await fetch(`${server.url}studio/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: ok.cookie, origin: server.origin },
    });
    await out.body?.cancel();
    assertEquals(out.status, 303);
    assertEquals((await asAdmin("GET", "api/studio/rooms")).status, 401, "the session ended");
    assertEquals(
      (await api(server.url, "GET", "api/studio/rooms")).status,
      200,
      "the header still works",
    );
  } finally {
    await server.close();
  }
});

Deno.test("studio: sign-in attempts are rate limited per address", async () => {
  const server = await startServer({ env });
  try {
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await login(server.url, `guess-${i}`)).status);
    assertEquals(statuses.slice(0, 10).every((s) => s === 303), true);
    assertEquals(statuses[10], 429);
    assertEquals((await login(server.url, ADMIN_TOKEN)).status, 429, "even the right token waits");
    const long = await api(server.url, "PATCH", "api/rooms/none", { body: {} });
    assertEquals(long.status, 404);
    await api(server.url, "POST", "api/rooms", { body: { name: "Desc" } });
    const tooLong = await api(server.url, "PATCH", "api/rooms/desc", {
      body: { description: "d".repeat(501) },
    });
    assertEquals(tooLong.status, 400);
    assert(/500/.test(tooLong.body.error));
  } finally {
    await server.close();
  }
});
