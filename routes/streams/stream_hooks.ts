// nginx-rtmp callbacks (on_publish / on_done) for people who keep nginx-rtmp as their ingest.
import { Hono } from "hono";
import { HttpError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { StreamsStore } from "../../storage/streams_store.ts";
import { readForm } from "../../edge/body.ts";
import type { StreamLive } from "./stream_live.ts";
import type { StreamIngest } from "./stream_rtmp.ts";

export interface StreamHooksDeps {
  store: StreamsStore;
  live: StreamLive;
  /** Our own listener, so a room it has live never takes a second publisher from nginx. */
  ingest: Pick<StreamIngest, "isLive">;
  log: Logger;
}

/** nginx-rtmp posts `name=<key>` (plus app, addr, ...); a 2xx lets the publisher in, a 4xx refuses. */
export function streamHookRoutes(deps: StreamHooksDeps): Hono {
  const { store, live, ingest, log } = deps;
  const app = new Hono();

  const keyOf = (fields: URLSearchParams): string => {
    // Publishers may append a query string to the key (OBS users do); nginx passes it apart.
    const key = (fields.get("name") ?? "").split("?")[0].trim();
    if (!key) throw new HttpError(400, 'Missing "name" (the stream key)');
    if (key.length > 256) throw new HttpError(400, '"name" is too long');
    return key;
  };

  app.post("/hooks/rtmp/publish", async (c) => {
    const fields = await readForm(c.req.raw);
    const room = await store.byKey(keyOf(fields));
    if (!room) {
      log.warn("Refused publish hook: unknown stream key", { addr: fields.get("addr") });
      throw new HttpError(403, "Unknown stream key");
    }
    // Our own listener already has a publisher for this room: never let a second one in.
    if (room.liveSource === "rtmp" || ingest.isLive(room.slug)) {
      throw new HttpError(409, "This room is already live");
    }
    // A repeated publish from nginx (after a crash without on_done) simply keeps the room live.
    await live.setLive(room.slug, "hook");
    return c.json({ ok: true, slug: room.slug });
  });

  app.post("/hooks/rtmp/done", async (c) => {
    const fields = await readForm(c.req.raw);
    const room = await store.byKey(keyOf(fields));
    if (!room) throw new HttpError(404, "Unknown stream key");
    if (room.liveSource === "hook") await live.setLive(room.slug, null);
    return c.json({ ok: true, slug: room.slug });
  });

  return app;
}
