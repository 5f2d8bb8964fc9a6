// Image rooms: IMAGE_HISTORY holds when uploads to one room arrive together (one transaction each).
import { assertEquals } from "../../tests/_assert.ts";
import { basic } from "../../tests/_server.ts";
import { startApp } from "../../tests/_app.ts";
import { tinyPng } from "../../tests/_images.ts";
import type { RoomMeta } from "./wire.ts";

Deno.test("image rooms: IMAGE_HISTORY=3 keeps 3 images under 25 concurrent uploads", async () => {
  // Each upload from its own address (behind a trusted proxy): the failure bucket a Basic login is
  // charged before its check is per client, and 25 at once from one would drain it (429).
  const app = await startApp({ env: { IMAGE_HISTORY: "3", TRUST_PROXY: "true" } });
  try {
    const send = async (seed: number) => {
      const form = new FormData();
      form.append("image", new Blob([tinyPng(seed) as BlobPart]), "myimage.png");
      const response = await app.fetch(`${app.url}crowd/upload`, {
        method: "POST",
        body: form,
        headers: {
          authorization: basic("admin", "adminpw"),
          "x-forwarded-for": `203.0.113.${seed}`,
        },
      });
      const text = await response.text();
      return response.status === 200 ? 200 : `${response.status} ${text}`;
    };
    assertEquals(await send(100), 200);
    const statuses = await Promise.all(Array.from({ length: 25 }, (_, i) => send(i)));
    assertEquals(statuses, Array(25).fill(200));
    const meta: RoomMeta = await (await app.fetch(`${app.url}crowd/meta`)).json();
    assertEquals(meta.recent.length, 3);
    assertEquals(meta.current?.id, Math.max(...meta.recent.map((r) => r.id)));
    const files = [...Deno.readDirSync(`${app.dataDir}/rooms/crowd/images`)];
    assertEquals(files.length, 3, "the forgotten images' files are gone too");
  } finally {
    await app.close();
  }
});
