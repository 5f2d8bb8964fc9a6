// Stream rooms in SQLite: slugs, hashed (and sealed) stream keys, playback ids, details, live state.
import { randomToken, sha256Hex } from "../tokens.ts";
import { type Db, transaction } from "./db.ts";

/** Who made a room live: our RTMP listener, or nginx-rtmp through the hooks. */
export type LiveSource = "rtmp" | "hook";

export interface StreamRoom {
  id: number;
  slug: string;
  name: string;
  description: string;
  /** Only invited browsers (and the admin) see a private room. */
  private: boolean;
  /** Seconds a chatter waits between two messages; 0 = off. */
  slowModeSeconds: number;
  playbackId: string;
  liveSource: LiveSource | null;
  /** Milliseconds since the epoch; null when offline. */
  liveSince: number | null;
  /** When the room last went offline; null when it never was live. */
  lastLiveAt: number | null;
  createdAt: number;
}

/** What an admin may change on a room. */
export interface RoomChanges {
  name?: string;
  description?: string;
  private?: boolean;
  slowModeSeconds?: number;
}

/** Turns a plain key into what is stored to show it again (see routes/streams/key_seal.ts). */
export type Seal = (streamKey: string) => string;

export interface StreamsStore {
  list(): StreamRoom[];
  get(slug: string): StreamRoom | null;
  byPlaybackId(playbackId: string): StreamRoom | null;
  /** The room whose key this is, found by the key's hash (so timing says nothing about the key). */
  byKey(key: string): StreamRoom | null;
  /** Creates a room with a unique slug made from `name`; returns it with its plain key. */
  create(name: string, options?: { private?: boolean; seal?: Seal }): CreatedRoom;
  /** Replaces the key; the old one stops matching at once. Null for an unknown slug. */
  rotateKey(slug: string, seal?: Seal): string | null;
  /** The sealed key, or null when the room has none (created before keys were sealed). */
  sealedKey(slug: string): string | null;
  update(slug: string, changes: RoomChanges): StreamRoom | null;
  /** Deletes the room and everything of it (messages, tokens, invites, bans). */
  remove(slug: string): boolean;
  /** Marks the room live from `source`, or offline with null. Returns the updated room. */
  setLive(slug: string, source: LiveSource | null): StreamRoom | null;
  /** Marks offline every room made live by `source` (no publisher survives a restart). */
  resetLive(source: LiveSource): string[];
}

export interface CreatedRoom {
  room: StreamRoom;
  streamKey: string;
}

/** Slugs the API cannot use because a fixed route has that name. */
const RESERVED_SLUGS = new Set(["events"]);

/** `"Soirée séries!"` → `"soiree-series"`: lowercase ASCII words joined by dashes, ≤ 48 chars. */
export function slugify(name: string): string {
  const slug = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48).replace(/-+$/, "");
  return slug || "room";
}

type Row = Record<string, string | number | null>;

const num = (value: string | number | null) => (value === null ? null : Number(value));
const toRoom = (row: Row): StreamRoom => ({
  id: Number(row.id),
  slug: String(row.slug),
  name: String(row.name),
  description: String(row.description ?? ""),
  private: Number(row.private) === 1,
  slowModeSeconds: Number(row.slow_mode_seconds ?? 0),
  playbackId: String(row.playback_id),
  liveSource: row.live_source === null ? null : String(row.live_source) as LiveSource,
  liveSince: num(row.live_since),
  lastLiveAt: num(row.last_live_at),
  createdAt: Number(row.created_at),
});

/** The store's statements, prepared once. */
function statements(db: Db) {
  return {
    list: db.prepare("SELECT * FROM stream_rooms ORDER BY created_at, id"),
    bySlug: db.prepare("SELECT * FROM stream_rooms WHERE slug = ?"),
    byPlayback: db.prepare("SELECT * FROM stream_rooms WHERE playback_id = ?"),
    byKeyHash: db.prepare("SELECT * FROM stream_rooms WHERE key_hash = ?"),
    slugTaken: db.prepare("SELECT 1 FROM stream_rooms WHERE slug = ?"),
    insert: db.prepare(
      `INSERT INTO stream_rooms
         (slug, name, key_hash, key_sealed, playback_id, private, created_at, key_rotated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ),
    rotate: db.prepare(
      "UPDATE stream_rooms SET key_hash = ?, key_sealed = ?, key_rotated_at = ? WHERE slug = ?",
    ),
    sealed: db.prepare("SELECT key_sealed FROM stream_rooms WHERE slug = ?"),
    update: db.prepare(
      `UPDATE stream_rooms SET name = COALESCE(?, name), description = COALESCE(?, description),
         private = COALESCE(?, private), slow_mode_seconds = COALESCE(?, slow_mode_seconds)
       WHERE slug = ? RETURNING *`,
    ),
    remove: db.prepare("DELETE FROM stream_rooms WHERE slug = ?"),
    setLive: db.prepare(
      `UPDATE stream_rooms SET live_source = ?,
         live_since = CASE WHEN ? IS NULL THEN NULL ELSE COALESCE(live_since, ?) END,
         last_live_at = CASE WHEN ? IS NULL AND live_source IS NOT NULL THEN ? ELSE last_live_at END
       WHERE slug = ? RETURNING *`,
    ),
    reset: db.prepare(
      `UPDATE stream_rooms SET live_source = NULL, live_since = NULL, last_live_at = ?
       WHERE live_source = ? RETURNING slug`,
    ),
  };
}

export function createStreamsStore(db: Db): StreamsStore {
  const q = statements(db);
  const one = (row: unknown) => (row ? toRoom(row as Row) : null);

  return {
    list: () => (q.list.all() as Row[]).map(toRoom),
    get: (slug) => one(q.bySlug.get(slug)),
    byPlaybackId: (playbackId) => one(q.byPlayback.get(playbackId)),
    byKey: (key) => one(q.byKeyHash.get(sha256Hex(key))),

    create(name, options = {}) {
      const streamKey = randomToken(32);
      const base = slugify(name);
      const sealed = options.seal?.(streamKey) ?? null;
      const room = transaction(db, () => {
        let slug = base;
        for (let n = 2; q.slugTaken.get(slug) || RESERVED_SLUGS.has(slug); n++) {
          slug = `${base}-${n}`;
        }
        const now = Date.now();
        const row = q.insert.get(
          slug,
          name,
          sha256Hex(streamKey),
          sealed,
          randomToken(16),
          options.private ? 1 : 0,
          now,
          now,
        );
        return toRoom(row as Row);
      });
      return { room, streamKey };
    },

    rotateKey(slug, seal) {
      const streamKey = randomToken(32);
      const sealed = seal?.(streamKey) ?? null;
      const { changes } = q.rotate.run(sha256Hex(streamKey), sealed, Date.now(), slug);
      return Number(changes) === 1 ? streamKey : null;
    },

    sealedKey(slug) {
      const row = q.sealed.get(slug) as Row | undefined;
      return row?.key_sealed ? String(row.key_sealed) : null;
    },

    update(slug, changes) {
      const flag = changes.private === undefined ? null : changes.private ? 1 : 0;
      return one(q.update.get(
        changes.name ?? null,
        changes.description ?? null,
        flag,
        changes.slowModeSeconds ?? null,
        slug,
      ));
    },

    remove: (slug) => Number(q.remove.run(slug).changes) === 1,

    setLive(slug, source) {
      const now = Date.now();
      return one(q.setLive.get(source, source, now, source, now, slug));
    },

    resetLive: (source) =>
      (q.reset.all(Date.now(), source) as Row[]).map((row) => String(row.slug)),
  };
}
