// Unit tests of stream room links and the admin token check.
import { assertEquals } from "../../tests/_assert.ts";
import { HttpError } from "../../errors.ts";
import { publicBase } from "../../edge/client.ts";
import { hlsFolder, requireAdmin, rtmpUrl } from "./stream_views.ts";

const req = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

Deno.test("publicBase() prefers PUBLIC_URL and keeps BASE_PATH once", () => {
  const r = req("http://10.0.0.5:8080/x/api/rooms");
  const opts = { basePath: "/x/", trustProxy: false };
  assertEquals(publicBase(r, opts), "http://10.0.0.5:8080/x/");
  assertEquals(
    publicBase(r, { ...opts, publicUrl: "https://tv.example" }),
    "https://tv.example/x/",
  );
  assertEquals(
    publicBase(r, { ...opts, publicUrl: "https://tv.example/x" }),
    "https://tv.example/x/",
  );
  const proxied = req("http://127.0.0.1/api", { "x-forwarded-proto": "https" });
  assertEquals(publicBase(proxied, { basePath: "/", trustProxy: false }), "http://127.0.0.1/");
  assertEquals(publicBase(proxied, { basePath: "/", trustProxy: true }), "https://127.0.0.1/");
});

Deno.test("hlsFolder() uses STREAM_HOST as the seed did, and rtmpUrl() the public host", () => {
  const r = req("http://tv.lan:8080/api/rooms");
  const opts = { basePath: "/", trustProxy: false };
  assertEquals(hlsFolder(r, opts, "abc"), "http://tv.lan:8080/hls/abc/");
  assertEquals(
    hlsFolder(r, { ...opts, streamHost: "https://cdn.example:8443" }, "abc"),
    "https://cdn.example:8443/hls/abc/",
  );
  assertEquals(rtmpUrl(r, opts, 1935), "rtmp://tv.lan:1935/live");
  assertEquals(rtmpUrl(req("http://[::1]:80/"), opts, 19350), "rtmp://[::1]:19350/live");
});

Deno.test("requireAdmin() answers 503 when off, 401 without a token, 403 for a wrong one", () => {
  const status = (expected: string | undefined, given: string | undefined) => {
    try {
      requireAdmin(expected, given);
      return 200;
    } catch (error) {
      return (error as HttpError).status;
    }
  };
  assertEquals(status(undefined, "x"), 503);
  assertEquals(status(undefined, undefined), 503);
  assertEquals(status("secret", undefined), 401);
  assertEquals(status("secret", "secreT"), 403);
  assertEquals(status("secret", "secret-longer"), 403);
  assertEquals(status("secret", "secret"), 200);
});
