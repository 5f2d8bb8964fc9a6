// Admin accounts against the real server: who is one (ADMIN_EMAILS or the first account), what an
// admin session opens (media page, studio API) and what the seeds' credentials still do verbatim.
import { assert, assertEquals, assertMatch } from "../../tests/_assert.ts";
import { startServer } from "../../tests/_server.ts";
import { tinyPng } from "../../tests/_images.ts";
import { djangoToken, SECRET } from "../../tests/_media.ts";
import { ADMIN_TOKEN } from "../../tests/_streams.ts";
import { api, signupUser, type TestUser } from "../../tests/_workspaces.ts";

const ENV = { MEDIA_SERVER_SECRET: SECRET, SERVER_ADMIN_TOKEN: ADMIN_TOKEN };

async function curl(args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await new Deno.Command("curl", {
    args: ["-sS", "-w", "\n%{http_code}", ...args],
  }).output();
  const text = new TextDecoder().decode(stdout);
  const cut = text.lastIndexOf("\n");
  return { status: Number(text.slice(cut + 1)), body: text.slice(0, cut) };
}

/** GET `path` as `user` (no Basic credentials), as a browser with only the session would. */
const get = (server: { url: string }, user: TestUser | null, path: string) =>
  fetch(`${server.url}${path}`, { headers: user ? { cookie: user.cookie } : {} });

Deno.test("admin accounts: the first account of a fresh install is the admin, and the log says so", async () => {
  const server = await startServer({ env: ENV });
  try {
    await server.waitForLog(/first account to sign up will be the admin/);
    const alice = await signupUser(server, "alice");
    const said = await server.waitForLog(/The first account is the admin/);
    assertEquals(said.email, "alice@example.test");
    const bob = await signupUser(server, "bob");

    const page = await get(server, alice, "media/admin");
    assertEquals(page.status, 200);
    assertMatch(await page.text(), /"user":"alice@example.test"/);
    const refused = await get(server, bob, "media/admin");
    assertEquals(refused.status, 403);
    assertEquals(refused.headers.get("www-authenticate"), null);
    assertEquals(await refused.json(), { detail: "This account is not an admin." });
    const nobody = await get(server, null, "media/admin");
    assertEquals(nobody.status, 401);
    assertMatch(nobody.headers.get("www-authenticate") ?? "", /^Basic /);
    await nobody.body?.cancel();

    const token = await api(server, alice, "POST", "media/admin/token");
    assertEquals(token.status, 200);
    assertMatch(String(token.body.token), /^\d+\.[0-9a-f]{64}$/);
    assertEquals((await api(server, bob, "POST", "media/admin/token")).status, 403);

    const rooms = await api(server, alice, "GET", "api/studio/rooms");
    assertEquals(rooms.status, 200);
    const notAdmin = await api(server, bob, "GET", "api/studio/rooms");
    assertEquals(notAdmin.status, 403);
    assertEquals(notAdmin.body.code, "not_admin");
    const studio = await get(server, alice, "studio");
    assertMatch(await studio.text(), /"signedIn":true/);
    const studioBob = await get(server, bob, "studio");
    assertEquals(studioBob.status, 403);
    assertMatch(await studioBob.text(), /"notAdmin":true/);

    const created = await api(server, alice, "POST", "api/rooms", { name: "Alice live" });
    assertEquals(created.status, 201);
    assertEquals((await api(server, bob, "POST", "api/rooms", { name: "Bob live" })).status, 403);
    // The session cookie rides along on other sites' requests too: their writes are refused.
    const foreign = await api(server, alice, "POST", "api/rooms", { name: "Evil" }, {
      origin: "https://evil.example",
    });
    assertEquals(foreign.status, 403);
    assertEquals(foreign.body.code, "forbidden_origin");
  } finally {
    await server.close();
  }
});

Deno.test("admin accounts: the first admin stays the admin after a restart", async () => {
  // Our own folder, so the first server's close leaves it for the second.
  const dataDir = await Deno.makeTempDir({ prefix: "roomcast-admin-" });
  let alice: TestUser;
  const first = await startServer({ env: ENV, dataDir });
  try {
    alice = await signupUser(first, "alice");
    await signupUser(first, "bob");
  } finally {
    await first.close();
  }
  const again = await startServer({ env: ENV, dataDir, admins: null });
  try {
    const said = await again.waitForLog(/The admin is the install's first account/);
    assertEquals(said.email, "alice@example.test");
    assertEquals((await get(again, alice!, "media/admin")).status, 200);
  } finally {
    await again.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("admin accounts: ADMIN_EMAILS names the admins, and then the first account is not one", async () => {
  const server = await startServer({
    env: { ...ENV, ADMIN_EMAILS: " Carol@Example.test ,dave@example.test" },
  });
  try {
    const said = await server.waitForLog(/Admins are the accounts in ADMIN_EMAILS/);
    assertEquals(said.emails, ["carol@example.test", "dave@example.test"]);
    const alice = await signupUser(server, "alice");
    const carol = await signupUser(server, "carol");
    assertEquals((await get(server, alice, "media/admin")).status, 403);
    assertEquals((await get(server, carol, "media/admin")).status, 200);
    assertEquals((await api(server, alice, "GET", "api/studio/rooms")).status, 403);
    assertEquals((await api(server, carol, "GET", "api/studio/rooms")).status, 200);
    assert(!server.logs.some((line) => line.includes("The first account is the admin")));
  } finally {
    await server.close();
  }
});

Deno.test("admin accounts: the seeds' credentials still work verbatim beside them", async () => {
  const server = await startServer({ env: ENV });
  try {
    // An account that is not an admin exists; scripts never send its cookie, and nothing changes.
    await signupUser(server, "alice");
    await signupUser(server, "bob");
    const image = await Deno.makeTempFile({ suffix: ".png" });
    await Deno.writeFile(image, tinyPng(5));
    const base = server.url.replace(/\/$/, "");

    // imgcast: `curl -F "image=@image.jpg" -u admin:password http://localhost:8080/demo/upload`
    const upload = await curl([
      "-F",
      `image=@${image}`,
      "-u",
      "admin:adminpw",
      `${base}/demo/upload`,
    ]);
    assertEquals(upload.status, 200);
    const wrong = await curl(["-F", `image=@${image}`, "-u", "admin:nope", `${base}/demo/upload`]);
    assertEquals(wrong.status, 401);

    // StreamCircle: `curl -X POST …/api/rooms -H "Content-Type: …" -H "x-admin-token: …" -d …`
    const room = await curl([
      "-X",
      "POST",
      `${base}/api/rooms`,
      "-H",
      "Content-Type: application/json",
      "-H",
      `x-admin-token: ${ADMIN_TOKEN}`,
      "-d",
      '{"name":"Soiree series"}',
    ]);
    assertEquals(room.status, 201);
    assertMatch(JSON.parse(room.body).streamKey, /.+/);

    // Media Server: `POST /upload?token=<token>` with a token from the Django snippet.
    const media = await curl([
      "-F",
      `file=@${image}`,
      `${base}/upload?token=${await djangoToken()}`,
    ]);
    assertEquals(media.status, 200);
    assertMatch(JSON.parse(media.body).filename, /^[0-9a-f]{32}\.png$/);

    // The media page with the htpasswd admin's Basic credentials, as before.
    const page = await curl(["-u", "admin:adminpw", `${base}/media/admin`]);
    assertEquals(page.status, 200);
    await Deno.remove(image);
  } finally {
    await server.close();
  }
});
