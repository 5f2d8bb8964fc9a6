// A passthrough publish through our own CMAF packager: parts in memory, no ffmpeg (stills on request).
import { CmafPackager } from "./cmaf_packager.ts";
import { LlHlsRing } from "./llhls.ts";
import type { Publish, PublishOptions } from "./publish.ts";

/** One room's packaged output; it outlives a publish by the grace period, for a reconnect. */
export interface PackagedStream {
  ring: LlHlsRing;
  packager: CmafPackager;
}

/**
 * The packaged counterpart of publish.ts's startPublish, with the same contract: the publish the
 * connection feeds, `finished` once the playlist has ended and onOffline was told (when onLive
 * was), and `kick`. `resumed` is the room's stream from a publish still in its grace period.
 */
export function startPackaged(
  p: PublishOptions,
  resumed: PackagedStream | null,
): {
  publish: Publish;
  finished: Promise<void>;
  kick(reason: string): void;
  stream: PackagedStream;
} {
  const { o, room } = p;
  const { slug, playbackId } = room;
  const stream = resumed ?? (() => {
    const ring = new LlHlsRing(o.ring);
    return { ring, packager: new CmafPackager(ring) };
  })();
  if (resumed) stream.packager.restart();
  const startedAt = Date.now();
  let playable = false;
  let ended = false;
  let dropped = false;
  o.log("info", "rtmp publish started", { slug, playbackId, packager: "roomcast" });

  const dropPublisher = (reason: string) => {
    if (dropped || ended) return;
    dropped = true;
    o.rooms.onDrop?.(slug, reason);
    p.drop(reason);
  };
  let endResolve: () => void = () => {};
  const endCalled = new Promise<void>((resolve) => (endResolve = resolve));
  const finished = endCalled.then(() => {
    stream.packager.end();
    if (playable) o.rooms.onOffline(slug, playbackId);
    o.log("info", "rtmp publish ended", { slug, playbackId });
  });

  const publish: Publish = {
    onMetadata() {}, // the sequence headers say all the packager needs
    onMedia(typeId, timestamp, payload) {
      if (ended) return;
      o.rooms.onMedia?.(slug, typeId, timestamp, payload);
      stream.packager.media(typeId, timestamp, payload);
      if (playable || !stream.ring.playable) return;
      playable = true;
      o.log("info", "rtmp stream playable", { slug, playbackId, ms: Date.now() - startedAt });
      o.rooms.onLive(slug, playbackId);
    },
    end(reason) {
      if (ended) return;
      // A connection that ends without the publisher's unpublish (lost, timed out) is a drop.
      if (reason !== undefined && !dropped) o.rooms.onDrop?.(slug, reason);
      ended = true;
      p.release();
      endResolve();
    },
  };
  return { publish, finished, kick: dropPublisher, stream };
}
