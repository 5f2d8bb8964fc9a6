// Test helpers for image rooms: uploads and admin calls as scripts make them, a large real image.
import { assertEquals } from "../../tests/_assert.ts";
import { basic, type TestServer } from "../../tests/_server.ts";
import { tinyPng } from "../../tests/_images.ts";

export const ADMIN = basic("admin", "adminpw");

/** Posts imgcast's form; `caption` goes first, as the viewer sends it. */
export function postImage(
  server: TestServer,
  room: string,
  options: { auth?: string; body?: Uint8Array; caption?: string } = {},
): Promise<Response> {
  const form = new FormData();
  if (options.caption !== undefined) form.append("caption", options.caption);
  form.append("image", new Blob([(options.body ?? tinyPng(1)) as BlobPart]), "x.png");
  return fetch(`${server.url}${room}/upload`, {
    method: "POST",
    body: form,
    headers: { authorization: options.auth ?? ADMIN },
  });
}

/** Uploads and returns the new image's id (200 expected). */
export async function uploadOk(
  server: TestServer,
  room: string,
  options: { auth?: string; body?: Uint8Array; caption?: string } = {},
): Promise<number> {
  const response = await postImage(server, room, options);
  assertEquals(response.status, 200, await response.clone().text());
  return (await response.json()).image.id;
}

/** A management call with the admin's Basic credentials (or `auth`). */
export function manage(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  auth: string | null = ADMIN,
): Promise<Response> {
  return fetch(`${server.url}api/image-rooms/${path}`, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
}

/** A real JPEG of noise (so it does not compress), about `kb` KiB, made by ffmpeg. */
export async function noiseJpeg(path: string, seed = 1): Promise<Uint8Array> {
  const { success } = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"],
      ...["-i", `color=c=gray:s=1280x960,noise=alls=100:all_seed=${seed}`],
      ...["-frames:v", "1", "-q:v", "2", path],
    ],
  }).output();
  if (!success) throw new Error("Cannot make the test image: ffmpeg failed");
  return await Deno.readFile(path);
}
