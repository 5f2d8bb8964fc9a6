// Accounts against the real server: EchoSphere's forms, the JSON API, sessions, limits and CSRF.
import { assert, assertEquals, assertMatch } from "../../tests/_assert.ts";
import { startServer, type TestServer } from "../../tests/_server.ts";
import { startApp } from "../../tests/_app.ts";
import { api, sessionCookie, signupUser } from "../../tests/_workspaces.ts";
import { serverSql } from "../../tests/_store_engines.ts";

function postForm(server: TestServer, path: string, fields: Record<string, string>, cookie = "") {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: server.origin,
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams(fields),
  });
}

Deno.test("auth: signup, login and logout through the HTML forms", async () => {
  const server = await startServer();
  try {
    const page = await fetch(`${server.url}signup`);
    assertEquals(page.status, 200);
    const html = await page.text();
    for (const field of ["email", "display_name", "password", "confirm_password"]) {
      assertMatch(html, new RegExp(`name="${field}"`));
    }

    const signup = await postForm(server, "signup", {
      email: "  Ada@Example.TEST ",
      display_name: "Ada",
      password: "analytical",
      confirm_password: "analytical",
    });
    assertEquals(signup.status, 303);
    assertEquals(signup.headers.get("location"), "/app");
    const setCookie = signup.headers.getSetCookie().join("\n");
    assertMatch(setCookie, /^roomcast_session=[A-Za-z0-9_-]{43}; /);
    // Attributes in any order (hono/cookie writes Max-Age first).
    for (const attribute of ["Path=/", "Max-Age=2592000", "HttpOnly", "SameSite=Lax"]) {
      assert(setCookie.split("; ").includes(attribute), `cookie has ${attribute}`);
    }
    assert(!/Secure/.test(setCookie), "no Secure flag over plain HTTP");
    const cookie = sessionCookie(signup)!;

    const app = await fetch(`${server.url}app`, { headers: { cookie }, redirect: "manual" });
    assertEquals(app.status, 200);
    assertMatch(await app.text(), /workspace\.js/);
    const me = await api(server, { cookie } as never, "GET", "api/auth/me");
    assertEquals(me.body.user, { id: 1, email: "ada@example.test", displayName: "Ada" });

    const logout = await postForm(server, "logout", {}, cookie);
    assertEquals(logout.status, 303);
    assertEquals(logout.headers.get("location"), "/login");
    assertMatch(logout.headers.getSetCookie().join(""), /roomcast_session=; .*Max-Age=0/);
    const after = await fetch(`${server.url}app`, { headers: { cookie }, redirect: "manual" });
    await after.body?.cancel();
    assertEquals(
      [after.status, after.headers.get("location")],
      [303, "/login"],
      "old cookie is dead",
    );

    const bad = await postForm(server, "login", {
      email: "ada@example.test",
      password: "wrong-one",
    });
    assertEquals(bad.status, 401);
    const badHtml = await bad.text();
    assertMatch(badHtml, /Invalid email or password/);
    assertMatch(badHtml, /value="ada@example.test"/, "the email is kept");

    const login = await postForm(server, "login", {
      email: "ADA@example.test",
      password: "analytical",
    });
    assertEquals(login.status, 303);
    assertEquals(login.headers.get("location"), "/app");
    assert(sessionCookie(login), "login sets a new session");
    await login.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("auth: the forms re-render with a 400 and the message on bad input", async () => {
  const server = await startServer();
  try {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { email: "nope", display_name: "A", password: "12345678", confirm_password: "12345678" },
        /valid email/,
      ],
      [
        {
          email: "a@b.test",
          display_name: " ",
          password: "12345678",
          confirm_password: "12345678",
        },
        /Display name is required/,
      ],
      [
        { email: "a@b.test", display_name: "A", password: "short", confirm_password: "short" },
        /at least 8/,
      ],
      [
        {
          email: "a@b.test",
          display_name: "A",
          password: "12345678",
          confirm_password: "12345679",
        },
        /do not match/,
      ],
    ];
    for (const [fields, message] of cases) {
      const response = await postForm(server, "signup", fields);
      assertEquals(response.status, 400, String(message));
      const html = await response.text();
      assertMatch(html, message);
      assertMatch(html, new RegExp(`value="${fields.email}"`));
      assertEquals(sessionCookie(response), null);
    }
    await signupUser(server, "taken");
    const dup = await postForm(server, "signup", {
      email: "TAKEN@example.test",
      display_name: "Other",
      password: "12345678",
      confirm_password: "12345678",
    });
    assertEquals(dup.status, 409);
    assertMatch(await dup.text(), /already exists/);
  } finally {
    await server.close();
  }
});

Deno.test("auth: JSON API errors, and passwords and sessions are stored hashed", async () => {
  const server = await startApp();
  try {
    const user = await signupUser(server, "grace", "compiler-1952");
    const wrongPassword = await api(server, null, "POST", "api/auth/login", {
      email: "grace@example.test",
      password: "nope-nope",
    });
    const wrongEmail = await api(server, null, "POST", "api/auth/login", {
      email: "nobody@example.test",
      password: "nope-nope",
    });
    assertEquals([wrongPassword.status, wrongEmail.status], [401, 401]);
    assertEquals(wrongPassword.body, wrongEmail.body, "same answer for a wrong email or password");
    assertEquals((await api(server, null, "POST", "api/auth/login", "{oops")).status, 400);
    assertEquals((await api(server, null, "GET", "api/auth/me")).status, 401);
    assertEquals((await api(server, null, "GET", "api/auth/me")).body.code, "unauthorized");
    const forged = { ...user, cookie: "roomcast_session=" + "A".repeat(43) };
    assertEquals((await api(server, forged, "GET", "api/auth/me")).status, 401);

    const db = await serverSql(server);
    try {
      const row = (await db.get<{ password_hash: string }>("SELECT password_hash FROM users"))!;
      assertMatch(row.password_hash, /^\$2[aby]\$1[0-9]\$/, "bcrypt, cost 10 or more");
      const token = user.cookie.split("=")[1];
      const sessions = await db.all<{ token_hash: string; expires_at: number }>(
        "SELECT token_hash, expires_at FROM sessions",
      );
      assertEquals(sessions.length, 1);
      assert(sessions[0].token_hash !== token && /^[0-9a-f]{64}$/.test(sessions[0].token_hash));
      const days = (sessions[0].expires_at - Date.now()) / 86_400_000;
      assert(days > 29.9 && days <= 30, "expires in SESSION_TTL_DAYS");
    } finally {
      await db.close();
    }
    const logout = await api(server, user, "POST", "api/auth/logout");
    assertEquals(logout.status, 200);
    assertEquals((await api(server, user, "GET", "api/auth/me")).status, 401);
  } finally {
    await server.close();
  }
});

Deno.test("auth: login is rate limited per account with 429 and Retry-After", async () => {
  const server = await startServer();
  try {
    await signupUser(server, "target", "the-real-one");
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 11; i++) {
      const r = await api(server, null, "POST", "api/auth/login", {
        email: "target@example.test",
        password: `guess-${i}`,
      });
      statuses.push(r.status);
      retryAfter ??= r.headers.get("retry-after");
    }
    assertEquals(statuses.slice(0, 9), Array(9).fill(401));
    assertEquals(statuses[10], 429);
    assert(Number(retryAfter) > 0, "Retry-After names seconds");
    const right = await api(server, null, "POST", "api/auth/login", {
      email: "target@example.test",
      password: "the-real-one",
    });
    assertEquals(
      [right.status, right.body.code],
      [429, "rate_limited"],
      "even the right password waits",
    );
    const form = await postForm(server, "login", { email: "target@example.test", password: "x" });
    assertEquals(form.status, 429);
    assert(Number(form.headers.get("retry-after")) > 0);
    assertMatch(await form.text(), /Too many attempts/);
  } finally {
    await server.close();
  }
});

Deno.test("auth: CSRF — a foreign Origin cannot log in, post forms or use the cookie", async () => {
  const server = await startServer({ env: { ALLOWED_ORIGINS: "https://friends.example" } });
  try {
    const user = await signupUser(server, "victim");
    const evil = { origin: "https://evil.example" };
    const form = await fetch(`${server.url}logout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: user.cookie, ...evil },
    });
    assertEquals(form.status, 403);
    assertEquals((await form.json()).code, "forbidden_origin");
    const post = await api(server, user, "POST", "api/servers", { name: "Pwned" }, evil);
    assertEquals(post.status, 403);
    const noOriginCrossSite = await fetch(`${server.url}api/servers`, {
      method: "POST",
      headers: {
        cookie: user.cookie,
        "content-type": "application/json",
        "sec-fetch-site": "cross-site",
      },
      body: JSON.stringify({ name: "Pwned" }),
    });
    assertEquals(noOriginCrossSite.status, 403, "no Origin, but the browser says cross-site");
    await noOriginCrossSite.body?.cancel();
    const listed = await api(server, user, "POST", "api/servers", { name: "Friends" }, {
      origin: "https://friends.example",
    });
    assertEquals(listed.status, 201);
    // Scripts (curl) send no Origin and no Sec-Fetch-Site: allowed, they hold the cookie themselves.
    const script = await fetch(`${server.url}api/servers`, {
      method: "POST",
      headers: { cookie: user.cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: "Scripted" }),
    });
    assertEquals(script.status, 201);
    await script.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("auth: Secure cookies behind a trusted TLS proxy, and BASE_PATH scoping", async () => {
  const server = await startServer({ env: { TRUST_PROXY: "true", BASE_PATH: "/chat/" } });
  try {
    const response = await fetch(`${server.url}api/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-proto": "https" },
      body: JSON.stringify({ email: "s@example.test", displayName: "S", password: "12345678" }),
    });
    assertEquals(response.status, 201);
    await response.body?.cancel();
    const attributes = response.headers.getSetCookie().join("").split("; ");
    for (const attribute of ["Path=/chat/", "HttpOnly", "SameSite=Lax", "Secure"]) {
      assert(attributes.includes(attribute), `cookie has ${attribute}`);
    }
    const app = await fetch(`${server.url}app`, { redirect: "manual" });
    await app.body?.cancel();
    assertEquals(app.headers.get("location"), "/chat/login");
  } finally {
    await server.close();
  }
  const untrusted = await startServer();
  try {
    const response = await fetch(`${untrusted.url}api/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-proto": "https" },
      body: JSON.stringify({ email: "s@example.test", displayName: "S", password: "12345678" }),
    });
    await response.body?.cancel();
    assert(!/Secure/.test(response.headers.getSetCookie().join("")), "X-Forwarded-Proto ignored");
  } finally {
    await untrusted.close();
  }
});
