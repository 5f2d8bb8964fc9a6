// The body reader and the root backstop, in process: limits, stop-reading, 400s for bad bodies.
import { Hono } from "hono";
import { assert, assertEquals, assertRejects } from "../tests/_assert.ts";
import { errorHandler, HttpError } from "../errors.ts";
import { createLogger } from "../log.ts";
import { bodyLimit, readFormFields, readJsonObject, readText } from "./body.ts";

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://x/", { method: "POST", body, headers });

/** A body of `chunks` chunks of 1 KiB, counting how many were pulled from it. */
function pulled(chunks: number): { stream: ReadableStream<Uint8Array>; count(): number } {
  let n = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (n === chunks) return controller.close();
      n++;
      controller.enqueue(new Uint8Array(1024).fill(0x61));
    },
  });
  return { stream, count: () => n };
}

async function statusOf(promise: Promise<unknown>): Promise<number> {
  const error = await assertRejects(() => promise);
  assert(error instanceof HttpError, String(error));
  return error.status;
}

Deno.test("readText() refuses past maxBytes as bytes arrive, and stops reading there", async () => {
  const body = pulled(10_000);
  assertEquals(await statusOf(readText(post(body.stream), { maxBytes: 4096 })), 413);
  assert(body.count() <= 6, `pulled ${body.count()} KiB of a 10 MiB body`);
  const declared = post("x", { "content-length": String(1 << 30) });
  assertEquals(await statusOf(readText(declared, { maxBytes: 10 })), 413);
  assertEquals(await readText(post("héllo")), "héllo");
  assertEquals(await statusOf(readText(post(new Uint8Array([0xff, 0xfe])))), 400);
});

Deno.test("readJsonObject() wants an object; an empty body is {}", async () => {
  assertEquals(await readJsonObject(post('{"a":1}')), { a: 1 });
  assertEquals(await readJsonObject(post("")), {});
  for (const bad of ["nope", "[1]", "null", '"text"', "{"]) {
    const error = await assertRejects(() => readJsonObject(post(bad)));
    assertEquals([(error as HttpError).status, (error as HttpError).code], [400, "bad_request"]);
  }
});

Deno.test("readFormFields() reads urlencoded and multipart forms, 400 when malformed", async () => {
  const urlencoded = { "content-type": "application/x-www-form-urlencoded" };
  assertEquals(await readFormFields(post("email=a%40b.c&x=1", urlencoded)), {
    email: "a@b.c",
    x: "1",
  });
  const form = new FormData();
  form.append("email", "a@b.c");
  form.append("file", new Blob(["ignored"]), "f.txt");
  assertEquals(await readFormFields(new Request("http://x/", { method: "POST", body: form })), {
    email: "a@b.c",
  });
  const multipart = { "content-type": "multipart/form-data; boundary=B" };
  assertEquals(await statusOf(readFormFields(post("garbage", multipart))), 400);
  assertEquals(
    await statusOf(readFormFields(post("x", { "content-type": "multipart/form-data" }))),
    400,
  );
  assertEquals(
    await readFormFields(post('{"email":1}', { "content-type": "application/json" })),
    {},
  );
  assertEquals(await statusOf(readFormFields(post("a=" + "b".repeat(20_000), urlencoded))), 413);
});

Deno.test("bodyLimit() cuts a body a route reads without a limit, and leaves the rest alone", async () => {
  const app = new Hono();
  app.use("*", bodyLimit(4096));
  app.post("/careless", async (c) => c.text(String((await c.req.text()).length)));
  // A route with its own, larger declared check still answers in its own words.
  app.post("/own", (c) => {
    if (Number(c.req.header("content-length")) > 8192) throw new HttpError(413, "Route's own");
    return c.text("ok");
  });
  app.onError(errorHandler(createLogger("error")));

  const chunked = await app.request("/careless", { method: "POST", body: pulled(100).stream });
  assertEquals([chunked.status, (await chunked.json()).code], [413, "too_large"]);
  const small = await app.request("/careless", { method: "POST", body: "x".repeat(4096) });
  assertEquals(await small.text(), "4096");
  const own = await app.request("/own", {
    method: "POST",
    body: "x".repeat(9000),
    headers: { "content-length": "9000" },
  });
  assertEquals([own.status, (await own.json()).error], [413, "Route's own"]);
});
