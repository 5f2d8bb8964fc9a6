// createMediaAdminRoutes(): an admin's session (isAdmin) opens the page and mints tokens without a
// Basic prompt; without one, the Basic challenge is as before.
import { Hono } from "hono";
import { assertEquals } from "../../tests/_assert.ts";
import { errorHandler } from "../../errors.ts";
import { silentLogger } from "../../log.ts";
import type { BasicAuthGuard } from "../../edge/basic_auth.ts";
import { createMediaAdminRoutes } from "./media_admin.ts";

function app(isAdmin: boolean): Hono {
  const refuseAll: BasicAuthGuard = {
    verify: () => Promise.resolve({ ok: false }),
    close() {},
  };
  const app = new Hono();
  app.onError(errorHandler(silentLogger));
  app.route(
    "/",
    createMediaAdminRoutes({
      htpasswdPath: "/nonexistent/.htpasswd",
      basicAuth: refuseAll,
      secret: "test-secret-that-is-long-enough-for-roomcast-0123456789",
      tokenExpirySeconds: 900,
      maxUploadBytes: 1024,
      log: silentLogger,
      page: (c, { data }) => c.json(data),
      sameOrigin: async (_c, next) => await next(),
      isAdmin: () => isAdmin,
    }),
  );
  return app;
}

Deno.test("createMediaAdminRoutes() lets an admin session in without Basic credentials", async () => {
  const page = await app(true).request("/media/admin");
  assertEquals(page.status, 200);
  assertEquals((await page.json()).user, "admin");
  const token = await app(true).request("/media/admin/token", { method: "POST" });
  assertEquals(token.status, 200);
  assertEquals(typeof (await token.json()).token, "string");
});

Deno.test("createMediaAdminRoutes() still challenges a request with no admin session", async () => {
  const page = await app(false).request("/media/admin");
  assertEquals(page.status, 401);
  assertEquals(
    page.headers.get("www-authenticate"),
    'Basic realm="Roomcast admin", charset="UTF-8"',
  );
  assertEquals(await page.json(), { detail: "Authentication required." });
});
