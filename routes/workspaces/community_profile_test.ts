// The profile in process (tests/_app.ts): display name, password, avatar limits and how avatars
// are served.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { startApp } from "../../tests/_app.ts";
import { api as request } from "../../tests/_api.ts";
import { api, signupUser } from "../../tests/_workspaces.ts";

// A 1×1 PNG.
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  ),
  (ch) => ch.charCodeAt(0),
);

Deno.test("profile: a new display name shows on messages and is checked like any name", async () => {
  const app = await startApp();
  try {
    const ada = await signupUser(app, "ada");
    const boot = await api(app, ada, "GET", "api/bootstrap");
    const general = boot.body.activeChannelId as number;
    await api(app, ada, "POST", `api/channels/${general}/messages`, { content: "hello" });
    const renamed = await api(app, ada, "PATCH", "api/profile", { displayName: "  Ada  L. " });
    assertEquals([renamed.status, renamed.body.displayName, renamed.body.avatarUrl], [
      200,
      "Ada L.",
      null,
    ]);
    const history = await api(app, ada, "GET", `api/channels/${general}/messages`);
    assertEquals(
      (history.body.messages as { authorDisplayName: string }[])[0].authorDisplayName,
      "Ada L.",
    );
    for (const displayName of ["", "x".repeat(65), "bell\u0007", 5]) {
      const bad = await api(app, ada, "PATCH", "api/profile", { displayName });
      assertEquals([bad.status, bad.body.code], [400, "invalid"], JSON.stringify(displayName));
    }
    assertEquals((await api(app, ada, "GET", "api/auth/me")).body.user, {
      id: ada.id,
      email: ada.email,
      displayName: "Ada L.",
    });
  } finally {
    await app.close();
  }
});

Deno.test("profile: a password change needs the current one, and guessing it is limited", async () => {
  const app = await startApp();
  try {
    const ada = await signupUser(app, "ada", "first password");
    const weak = await api(app, ada, "POST", "api/profile/password", {
      currentPassword: "first password",
      newPassword: "short",
    });
    assertEquals([weak.status, weak.body.code], [400, "invalid"]);
    const wrong = await api(app, ada, "POST", "api/profile/password", {
      currentPassword: "nope nope",
      newPassword: "second password",
    });
    assertEquals([wrong.status, wrong.body.code], [403, "forbidden"]);
    const ok = await api(app, ada, "POST", "api/profile/password", {
      currentPassword: "first password",
      newPassword: "second password",
    });
    assertEquals(ok.status, 200);
    const login = (password: string) =>
      request(app, "POST", "api/auth/login", {
        body: { email: ada.email, password },
        origin: null,
      });
    assertEquals((await login("first password")).status, 401);
    assertEquals((await login("second password")).status, 200);

    // Five wrong guesses in all (one above), then 429 with Retry-After, even for the right one.
    for (let i = 0; i < 4; i++) {
      const r = await api(app, ada, "POST", "api/profile/password", {
        currentPassword: `guess ${i}!`,
        newPassword: "third password",
      });
      assertEquals(r.status, 403);
    }
    const limited = await api(app, ada, "POST", "api/profile/password", {
      currentPassword: "second password",
      newPassword: "third password",
    });
    assertEquals([limited.status, limited.body.code], [429, "rate_limited"]);
    assert(Number(limited.headers.get("retry-after")) > 0);
    assertEquals((await login("second password")).status, 200, "the password did not change");
  } finally {
    await app.close();
  }
});

Deno.test("profile: avatars are size-limited, magic-byte checked and served with nosniff", async () => {
  const app = await startApp({ env: { AVATAR_MAX_BYTES: "4096" } });
  try {
    const ada = await signupUser(app, "ada");
    const bob = await signupUser(app, "bob");
    const put = (body: unknown, headers: Record<string, string> = {}) =>
      api(app, ada, "PUT", "api/profile/avatar", body, headers);

    const declared = await put(new Uint8Array(8192));
    assertEquals([declared.status, declared.body.code], [413, "too_large"]);
    // A body without a length is cut off at the limit: far less than it offers is ever read.
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1024;
        if (pulled > 1024 * 1024) return controller.close();
        const chunk = new Uint8Array(1024);
        chunk.set(PNG.subarray(0, 8));
        controller.enqueue(chunk);
      },
    });
    const streamed = await put(endless);
    assertEquals(streamed.status, 413);
    assert(pulled < 64 * 1024, `read ${pulled} bytes of an oversized avatar`);

    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>');
    const html = new TextEncoder().encode("<html><script>alert(1)</script></html>");
    for (const body of [svg, html, new Uint8Array(0)]) {
      const r = await put(body, { "content-type": "image/png" });
      assertEquals([r.status, r.body.code], [400, "invalid"]);
    }
    assertEquals((await api(app, ada, "GET", `api/users/${ada.id}/avatar`)).status, 404);

    const stored = await put(PNG);
    assertEquals(stored.status, 200);
    const url = stored.body.avatarUrl as string;
    assert(url.startsWith(`/api/users/${ada.id}/avatar?v=`), url);
    const served = await app.fetch(
      new Request(new URL(url.slice(1), app.url), {
        headers: { cookie: bob.cookie },
      }),
    );
    assertEquals(served.status, 200);
    assertEquals(served.headers.get("content-type"), "image/png");
    assertEquals(served.headers.get("x-content-type-options"), "nosniff");
    assert(served.headers.get("content-security-policy")!.includes("sandbox"));
    assertEquals(new Uint8Array(await served.arrayBuffer()), PNG);
    const anonymous = await app.fetch(new Request(new URL(url.slice(1), app.url)));
    assertEquals(anonymous.status, 401);
    await anonymous.body?.cancel();

    const files = [...Deno.readDirSync(`${app.dataDir}/avatars`)].map((e) => e.name);
    assertEquals(files.length, 1, `refused uploads leave nothing: ${files}`);
    assertEquals((await api(app, ada, "DELETE", "api/profile/avatar")).body.avatarUrl, null);
    assertEquals([...Deno.readDirSync(`${app.dataDir}/avatars`)].length, 0);
  } finally {
    await app.close();
  }
});
