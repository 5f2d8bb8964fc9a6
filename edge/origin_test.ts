// The Origin rule: alone, and on the Basic-auth and media token routes of the real server.
import { assert, assertEquals } from "../tests/_assert.ts";
import { tinyPng } from "../tests/_images.ts";
import { djangoToken, SECRET } from "../tests/_media.ts";
import { basic, startServer, type TestServer } from "../tests/_server.ts";
import { isSameSiteWrite, type SameOriginOptions } from "./origin.ts";

const options: SameOriginOptions = {
  client: { basePath: "/", trustProxy: false },
  allowedOrigins: ["https://friends.example"],
};
const post = (headers: Record<string, string>, method = "POST") =>
  new Request("http://chat.example/x", { method, headers: { host: "chat.example", ...headers } });

Deno.test("isSameSiteWrite() lets scripts and our own pages write, and refuses other sites", () => {
  assert(isSameSiteWrite(post({}), options), "no Origin: a script");
  assert(isSameSiteWrite(post({ origin: "http://chat.example" }), options), "our own page");
  assert(isSameSiteWrite(post({ origin: "https://friends.example" }), options), "allowed");
  assert(!isSameSiteWrite(post({ origin: "https://evil.example" }), options));
  assert(!isSameSiteWrite(post({ origin: "null" }), options), "sandboxed or file: pages");
  assert(!isSameSiteWrite(post({ "sec-fetch-site": "cross-site" }), options));
  assert(!isSameSiteWrite(post({ "sec-fetch-site": "same-site" }), options));
  assert(isSameSiteWrite(post({ "sec-fetch-site": "same-origin" }), options));
  assert(isSameSiteWrite(post({ origin: "https://evil.example" }, "GET"), options), "reads");
  assert(isSameSiteWrite(post({ origin: "https://evil.example" }), {
    ...options,
    allowedOrigins: ["*"],
  }));
});

function imageForm(): FormData {
  const form = new FormData();
  form.append("image", new Blob([tinyPng(3) as BlobPart]), "x.png");
  return form;
}

async function status(response: Promise<Response>): Promise<[number, unknown]> {
  const r = await response;
  const text = await r.text();
  return [r.status, text ? JSON.parse(text) : null];
}

const mediaUpload = (server: TestServer, token: string, origin?: string) => {
  const form = new FormData();
  form.append("file", new Blob([tinyPng(4) as BlobPart]), "a.png");
  return fetch(`${server.url}upload?token=${token}`, {
    method: "POST",
    body: form,
    headers: origin ? { origin } : {},
  });
};

Deno.test("origin: image uploads and the media page's token refuse other sites; scripts pass", async () => {
  const server = await startServer({ env: { MEDIA_SERVER_SECRET: SECRET } });
  try {
    const admin = { authorization: basic("admin", "adminpw") };
    const upload = (headers: Record<string, string>) =>
      status(fetch(`${server.url}cats/upload`, { method: "POST", body: imageForm(), headers }));
    const refused: [number, unknown] = [403, {
      error: "Origin not allowed",
      code: "forbidden_origin",
    }];
    assertEquals(await upload({ ...admin, origin: "https://evil.example" }), refused);
    assertEquals(await upload({ ...admin, "sec-fetch-site": "cross-site" }), refused);
    assertEquals((await upload({ ...admin, origin: server.origin }))[0], 200, "our own page");
    assertEquals((await upload(admin))[0], 200, "curl");

    const mint = (headers: Record<string, string>) =>
      status(fetch(`${server.url}media/admin/token`, { method: "POST", headers }));
    assertEquals(await mint({ ...admin, origin: "https://evil.example" }), [403, {
      detail: "Origin not allowed",
    }]);
    assertEquals((await mint(admin))[0], 200);

    // The Media Server's frontends live on other sites and hold only the token: still open.
    const cross = await mediaUpload(server, await djangoToken(), "https://app.example");
    assertEquals(cross.status, 200);
    assertEquals(cross.headers.get("access-control-allow-origin"), "*");
    await cross.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("origin: MEDIA_ALLOWED_ORIGINS limits which sites' pages use media tokens", async () => {
  const server = await startServer({
    env: { MEDIA_SERVER_SECRET: SECRET, MEDIA_ALLOWED_ORIGINS: "https://app.example" },
  });
  try {
    const token = await djangoToken();
    const evil = await mediaUpload(server, token, "https://evil.example");
    assertEquals([evil.status, await evil.json()], [403, { detail: "Origin not allowed" }]);
    assertEquals(evil.headers.get("access-control-allow-origin"), null);
    const app = await mediaUpload(server, token, "https://app.example");
    assertEquals(app.status, 200);
    assertEquals(app.headers.get("access-control-allow-origin"), "https://app.example");
    const { filename } = await app.json();
    const remove = (origin?: string) =>
      fetch(`${server.url}media/${filename}?token=${token}`, {
        method: "DELETE",
        headers: origin ? { origin } : {},
      });
    assertEquals((await status(remove("https://evil.example")))[0], 403);
    assertEquals(await status(remove()), [200, { detail: `Deleted ${filename}` }], "scripts pass");
  } finally {
    await server.close();
  }
});
