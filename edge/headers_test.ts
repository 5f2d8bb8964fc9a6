// Framing headers against the real server: pages are framed by us only, the viewer by a setting.
import { assertEquals } from "../tests/_assert.ts";
import { startServer, type TestServer } from "../tests/_server.ts";

async function framing(server: TestServer, path: string): Promise<(string | null)[]> {
  const response = await fetch(`${server.url}${path}`, {
    headers: { accept: "text/html" },
    redirect: "manual",
  });
  await response.body?.cancel();
  return [
    response.headers.get("content-security-policy"),
    response.headers.get("x-frame-options"),
  ];
}

const SELF = ["frame-ancestors 'self'", "SAMEORIGIN"];

Deno.test("headers: every page says who may frame it; JSON and files are left alone", async () => {
  const server = await startServer();
  try {
    for (const path of ["", "cats", "watch/nowhere", "code/ABCDEFGHJK"]) {
      assertEquals(await framing(server, path), SELF, `/${path}`);
    }
    assertEquals(await framing(server, "login"), ["frame-ancestors 'none'", "DENY"], "auth forms");
    assertEquals(await framing(server, "healthz"), [null, null], "JSON");
  } finally {
    await server.close();
  }
});

Deno.test("headers: IMAGE_VIEWER_FRAME_ANCESTORS lets other sites embed the image viewer only", async () => {
  const server = await startServer({
    env: { IMAGE_VIEWER_FRAME_ANCESTORS: "https://wall.example https://*.intranet.example" },
  });
  try {
    assertEquals(await framing(server, "cats"), [
      "frame-ancestors 'self' https://wall.example https://*.intranet.example",
      null,
    ]);
    assertEquals(await framing(server, ""), SELF, "the home page stays ours");
    assertEquals(await framing(server, "signup"), ["frame-ancestors 'none'", "DENY"]);
  } finally {
    await server.close();
  }
});
