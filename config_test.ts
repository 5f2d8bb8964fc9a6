import { assert, assertEquals } from "./tests/_assert.ts";
import { ConfigError, defaultPasswordWorkers, loadConfig } from "./config.ts";

const env = (vars: Record<string, string>) => ({ get: (name: string) => vars[name] });

Deno.test("loadConfig() gives the documented defaults", () => {
  const config = loadConfig(env({}));
  assertEquals(
    [config.port, config.host, config.basePath, config.dataDir, config.maxUploadBytes],
    [8080, "0.0.0.0", "/", "var", 10 * 1024 * 1024],
  );
  assertEquals([config.rtmpPort, config.tokenExpirySeconds, config.streamTranscode], [
    1935,
    900,
    "copy",
  ]);
  assert(Object.isFrozen(config));
});

Deno.test("loadConfig() accepts imgcast's ROOM_BASE_DIR and ROOMS_BASE_DIR, DATA_DIR first", () => {
  assertEquals(loadConfig(env({ ROOM_BASE_DIR: "/r" })).dataDir, "/r");
  assertEquals(loadConfig(env({ ROOMS_BASE_DIR: "/rs", ROOM_BASE_DIR: "/r" })).dataDir, "/rs");
  assertEquals(loadConfig(env({ DATA_DIR: "/d", ROOMS_BASE_DIR: "/rs" })).dataDir, "/d");
});

Deno.test("loadConfig() normalises BASE_PATH", () => {
  assertEquals(loadConfig(env({ BASE_PATH: "imgcast" })).basePath, "/imgcast/");
  assertEquals(loadConfig(env({ BASE_PATH: "/imgcast/" })).basePath, "/imgcast/");
  assertEquals(loadConfig(env({ BASE_PATH: "//a//b" })).basePath, "/a/b/");
});

Deno.test("loadConfig() names every bad value in one error", () => {
  try {
    loadConfig(env({
      PORT: "http",
      LOG_LEVEL: "loud",
      MEDIA_SERVER_SECRET: "short",
      ALLOWED_ORIGINS: "https://ok.example,not a url",
      RTMP_ENABLED: "maybe",
    }));
    throw new Error("expected a ConfigError");
  } catch (error) {
    assert(error instanceof ConfigError);
    assertEquals(error.problems.length, 5);
    assert(error.message.includes('PORT must be a whole number from 0 to 65535, got "http"'));
    assert(error.message.includes("MEDIA_SERVER_SECRET must be at least 32 bytes long"));
  }
});

Deno.test("loadConfig() reads SIGNUP, SHARED_LOBBY and the password pool's size", () => {
  const defaults = loadConfig(env({}));
  assertEquals([defaults.signup, defaults.sharedLobby, defaults.passwordQueue], ["open", true, 64]);
  assertEquals(defaults.passwordWorkers, defaultPasswordWorkers());
  assertEquals([1, 2, 8].map(defaultPasswordWorkers), [1, 1, 7]);
  const set = loadConfig(env({
    SIGNUP: "invite",
    SHARED_LOBBY: "false",
    PASSWORD_WORKERS: "3",
    PASSWORD_QUEUE: "10",
  }));
  assertEquals([set.signup, set.sharedLobby, set.passwordWorkers, set.passwordQueue], [
    "invite",
    false,
    3,
    10,
  ]);
  try {
    loadConfig(env({ SIGNUP: "sometimes", PASSWORD_WORKERS: "0" }));
    throw new Error("expected a ConfigError");
  } catch (error) {
    assert(error instanceof ConfigError);
    assertEquals(error.problems.length, 2);
    assert(error.message.includes('SIGNUP must be one of open, invite, closed, got "sometimes"'));
  }
});

Deno.test("loadConfig() reads TRUST_PROXY as a hop count, and the edge's origin settings", () => {
  const hops = (value?: string) => {
    const config = loadConfig(env(value === undefined ? {} : { TRUST_PROXY: value }));
    return [config.trustProxy, config.proxyHops];
  };
  assertEquals([hops(), hops("false"), hops("0")], [[false, 0], [false, 0], [false, 0]]);
  assertEquals([hops("true"), hops("1"), hops("2")], [[true, 1], [true, 1], [true, 2]]);
  const defaults = loadConfig(env({}));
  assertEquals([defaults.mediaAllowedOrigins, defaults.imageViewerFrameAncestors], [
    ["*"],
    undefined,
  ]);
  const set = loadConfig(env({
    MEDIA_ALLOWED_ORIGINS: "https://app.example, https://admin.example",
    IMAGE_VIEWER_FRAME_ANCESTORS: "https://wall.example https://*.intranet.example:8443",
  }));
  assertEquals(set.mediaAllowedOrigins, ["https://app.example", "https://admin.example"]);
  assertEquals(
    set.imageViewerFrameAncestors,
    "https://wall.example https://*.intranet.example:8443",
  );
  try {
    loadConfig(env({
      TRUST_PROXY: "maybe",
      MEDIA_ALLOWED_ORIGINS: "app.example",
      IMAGE_VIEWER_FRAME_ANCESTORS: "https://ok.example 'unsafe-inline'; script-src *",
    }));
    throw new Error("expected a ConfigError");
  } catch (error) {
    assert(error instanceof ConfigError, String(error));
    assertEquals(error.problems.length, 4, error.problems.join("\n"));
  }
});

Deno.test("loadConfig() leaves MAX_CONNECTIONS to the open-file limit unless it is set", () => {
  assertEquals(loadConfig(env({})).maxConnections, undefined);
  assertEquals(loadConfig(env({ MAX_CONNECTIONS: "0" })).maxConnections, 0);
  assertEquals(loadConfig(env({ MAX_CONNECTIONS: "5000" })).maxConnections, 5000);
  try {
    loadConfig(env({ MAX_CONNECTIONS: "-1" }));
    throw new Error("no ConfigError");
  } catch (error) {
    assert(error instanceof ConfigError && /MAX_CONNECTIONS/.test(error.message));
  }
});

Deno.test("loadConfig() reads STREAM_PACKAGER: roomcast by default, ffmpeg, nothing else", () => {
  assertEquals(loadConfig(env({})).streamPackager, "roomcast");
  assertEquals(loadConfig(env({ STREAM_PACKAGER: "ffmpeg" })).streamPackager, "ffmpeg");
  try {
    loadConfig(env({ STREAM_PACKAGER: "gstreamer" }));
    throw new Error("expected a ConfigError");
  } catch (error) {
    assert(error instanceof ConfigError && error.message.includes("STREAM_PACKAGER"));
  }
});

Deno.test("loadConfig() reads INSTANCE_URL as a base URL ending in a slash; refuses others", () => {
  assertEquals(loadConfig(env({})).instanceUrl, undefined);
  const read = (value: string) => loadConfig(env({ INSTANCE_URL: value })).instanceUrl;
  assertEquals(read("http://10.0.0.5:8080"), "http://10.0.0.5:8080/");
  assertEquals(read("http://10.0.0.5:8080/roomcast/"), "http://10.0.0.5:8080/roomcast/");
  for (const bad of ["ftp://a", "nope", "http://a/?x=1", "http://a/#f", "http://u:p@a/"]) {
    try {
      read(bad);
      throw new Error(`expected a ConfigError for ${bad}`);
    } catch (error) {
      assert(error instanceof ConfigError && error.message.includes("INSTANCE_URL"), bad);
    }
  }
});

Deno.test("loadConfig() reads REDIS_URL and its knobs, hiding a bad URL's password", () => {
  const none = loadConfig(env({}));
  assertEquals([none.redisUrl, none.redisHistoryTtlSeconds, none.redisPublishQueue], [
    undefined,
    86_400,
    10_000,
  ]);
  const set = loadConfig(env({ REDIS_URL: "redis://:pw@cache:6379/2", REDIS_PUBLISH_QUEUE: "5" }));
  assertEquals([set.redisUrl, set.redisPublishQueue], ["redis://:pw@cache:6379/2", 5]);
  try {
    loadConfig(env({ REDIS_URL: "http://u:secret@cache" }));
    throw new Error("expected a ConfigError");
  } catch (error) {
    assert(error instanceof ConfigError);
    assertEquals(error.problems, [
      'REDIS_URL must be a URL like redis://host:6379, got "http://u:***@cache"',
    ]);
  }
});
