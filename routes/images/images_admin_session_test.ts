// A signed-in admin (the feature's `isAdmin`, which accounts wires) uploads and manages image rooms
// with no Basic credentials; the feature's handler is called directly, as Fresh's tests do.
import { join } from "node:path";
import { Hono, type MiddlewareHandler } from "hono";
import { errorHandler } from "../../errors.ts";
import { assert, assertEquals } from "../../tests/_assert.ts";
import { tinyPng } from "../../tests/_images.ts";
import { createBasicAuthGuard } from "../../edge/basic_auth.ts";
import { createLogger } from "../../log.ts";
import { createHub } from "../../realtime/hub.ts";
import { createSseTransport } from "../../realtime/sse.ts";
import { createTopicTable } from "../../realtime/topics.ts";
import { createFileBlobs } from "../../storage/blobs_files.ts";
import { openDb } from "../../storage/db.ts";
import { openPostgres } from "../../storage/sql_postgres.ts";
import { sqliteSql } from "../../storage/sql_sqlite.ts";
import { engineEnv } from "../../tests/_engines.ts";
import { htpasswdLine } from "../../storage/htpasswd.ts";
import { createPasswordPool } from "../../storage/password_pool.ts";
import { createPageRenderer } from "../pages.ts";
import { createImagesFeature } from "./mod.ts";

Deno.test("image rooms: a signed-in admin uploads and manages without Basic; others cannot", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomcast-images-" });
  await Deno.writeTextFile(join(dataDir, ".htpasswd"), htpasswdLine("admin", "adminpw", 4) + "\n");

  // The harness's engine switch, as tests/_app.ts reads it.
  const { DATABASE_URL } = await engineEnv(dataDir);
  const sql = DATABASE_URL
    ? await openPostgres(DATABASE_URL)
    : sqliteSql(openDb(join(dataDir, "roomcast.db")));
  const topics = createTopicTable();
  const hub = createHub();
  const sse = createSseTransport(hub, topics);
  const passwords = createPasswordPool({ size: 1 });
  const basicAuth = createBasicAuthGuard({ passwords, client: { trustProxy: false } });
  // Origin checks have their own tests (edge/origin_test.ts); these requests carry no Origin.
  const anyOrigin: MiddlewareHandler = async (_c, next) => await next();
  const feature = createImagesFeature({
    sql,
    blobs: createFileBlobs(dataDir),
    hub,
    sse,
    log: createLogger("error"),
    config: {
      basePath: "/",
      dataDir,
      imageHistory: 10,
      maxUploadBytes: 1024 * 1024,
      ffmpegPath: "ffmpeg",
    },
    page: createPageRenderer("/"),
    basicAuth,
    passwords,
    sameOrigin: anyOrigin,
    isAdmin: (c) => c.req.header("cookie") === "session=admin",
  });
  for (const namespace of feature.topics ?? []) topics.add(namespace);
  // Errors become JSON the way app.ts makes them.
  const app = new Hono().route("/", feature.routes).onError(errorHandler(createLogger("error")));
  const asAdmin = { cookie: "session=admin" };
  try {
    const form = new FormData();
    form.append("caption", "From the admin's browser");
    form.append("image", new Blob([tinyPng(3) as BlobPart]), "a.png");
    const made = await app.request("/fresh/upload", {
      method: "POST",
      body: form,
      headers: asAdmin,
    });
    assertEquals(made.status, 200);
    const uploaded = await made.json();
    assertEquals([uploaded.created, uploaded.image.uploadedBy], [true, "admin"]);
    // The room's file names no uploader yet: only admins' sessions may post until one is added.
    const file = await Deno.readTextFile(join(dataDir, "rooms/fresh/.htpasswd"));
    assert(file.startsWith("#"), file);

    const page = await app.request("/fresh", { headers: asAdmin });
    assert((await page.text()).includes('"admin":true'));
    const listed = await app.request("/api/image-rooms/manage", { headers: asAdmin });
    assertEquals((await listed.json()).rooms[0].uploaders, []);
    const added = await app.request("/api/image-rooms/fresh/uploaders", {
      method: "POST",
      headers: { ...asAdmin, "content-type": "application/json" },
      body: JSON.stringify({ user: "dana", password: "danapass" }),
    });
    assertEquals(added.status, 200);
    assertEquals((await app.request("/rooms", { headers: asAdmin })).status, 200);

    // Without the admin's session: the Basic rules, exactly as before.
    const anonymous = await app.request("/fresh/upload", { method: "POST", body: new FormData() });
    assertEquals(anonymous.status, 401);
    assertEquals(anonymous.headers.get("www-authenticate"), 'Basic realm="Room Upload"');
    const quiet = await app.request("/fresh/upload", {
      method: "POST",
      body: new FormData(),
      headers: { "x-roomcast-ui": "1" },
    });
    assertEquals([quiet.status, quiet.headers.get("www-authenticate")], [401, null]);
    const manage = await app.request("/api/image-rooms/fresh", { method: "DELETE" });
    assertEquals(manage.status, 401);
    assertEquals(
      (await app.request("/api/image-rooms/fresh", {
        method: "DELETE",
        headers: asAdmin,
      })).status,
      200,
    );
  } finally {
    await feature.close();
    basicAuth.close();
    passwords.close();
    sse.close?.();
    await sql.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
