// Stream rooms on the Sql seam: slugs, hashed (and sealed) stream keys, playback ids, live state.
import { randomToken, sha256Hex } from "../tokens.ts";
import type { Row, Sql } from "./sql.ts";

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
  /** INSTANCE_URL of the instance holding the room's RTMP publish; null when none recorded. */
  originUrl: string | null;
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
  list(): Promise<StreamRoom[]>;
  get(slug: string): Promise<StreamRoom | null>;
  byPlaybackId(playbackId: string): Promise<StreamRoom | null>;
  /** The room whose key this is, found by the key's hash (so timing says nothing about the key). */
  byKey(key: string): Promise<StreamRoom | null>;
  /** Creates a room with a unique slug made from `name`; returns it with its plain key. */
  create(name: string, options?: { private?: boolean; seal?: Seal }): Promise<CreatedRoom>;
  /** Replaces the key; the old one stops matching at once. Null for an unknown slug. */
  rotateKey(slug: string, seal?: Seal): Promise<string | null>;
  /** The sealed key, or null when the room has none (created before keys were sealed). */
  sealedKey(slug: string): Promise<string | null>;
  update(slug: string, changes: RoomChanges): Promise<StreamRoom | null>;
  /** Deletes the room and everything of it (messages, tokens, invites, bans). */
  remove(slug: string): Promise<boolean>;
  /**
   * Marks the room live from `source` (held by the instance at `originUrl`, when known), or
   * offline with null, which clears its origin. Returns the updated room.
   */
  setLive(
    slug: string,
    source: LiveSource | null,
    originUrl?: string | null,
  ): Promise<StreamRoom | null>;
  /**
   * Marks offline every room made live by `source` (no publisher survives a restart). With
   * `originUrl`, only the rooms that instance held (or whose holder is unknown): the others'
   * publishers live on other instances.
   */
  resetLive(source: LiveSource, originUrl?: string | null): Promise<string[]>;
}

export interface CreatedRoom {
  room: StreamRoom;
  streamKey: string;
}

/** Slugs the API cannot use because a fixed route has that name. */
const RESERVED_SLUGS = new Set(["events"]);
/** Creates that lost a slug to a concurrent one (another instance) try again this many times. */
const CREATE_ATTEMPTS = 5;

/** `"Soirée séries!"` → `"soiree-series"`: lowercase ASCII words joined by dashes, ≤ 48 chars. */
export function slugify(name: string): string {
  const slug = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48).replace(/-+$/, "");
  return slug || "room";
}

/** A UNIQUE constraint refused the write: SQLSTATE 23505 on Postgres, SQLite's own message. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === "23505" || /UNIQUE constraint failed/.test(String(e?.message ?? ""));
}

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
  originUrl: row.origin_url == null ? null : String(row.origin_url),
  createdAt: Number(row.created_at),
});
const one = (row: Row | undefined) => (row ? toRoom(row) : null);

const INSERT = `INSERT INTO stream_rooms
    (slug, name, key_hash, key_sealed, playback_id, private, created_at, key_rotated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`;
const UPDATE = `UPDATE stream_rooms SET name = COALESCE(?, name),
    description = COALESCE(?, description), private = COALESCE(?, private),
    slow_mode_seconds = COALESCE(?, slow_mode_seconds)
  WHERE slug = ? RETURNING *`;
// Two statements rather than CASE on a parameter: Postgres cannot type a bare `? IS NULL`.
const SET_LIVE = `UPDATE stream_rooms SET live_source = ?, live_since = COALESCE(live_since, ?),
    origin_url = ?
  WHERE slug = ? RETURNING *`;
const SET_OFFLINE = `UPDATE stream_rooms SET live_source = NULL, live_since = NULL,
    origin_url = NULL,
    last_live_at = CASE WHEN live_source IS NOT NULL THEN ? ELSE last_live_at END
  WHERE slug = ? RETURNING *`;

/** The room whose `column` holds `value`, or null. */
async function roomWhere(sql: Sql, column: string, value: string): Promise<StreamRoom | null> {
  return one(await sql.get(`SELECT * FROM stream_rooms WHERE ${column} = ?`, [value]));
}

/** One attempt at a new room: the first free slug from `base`, and the row. */
function insertRoom(
  sql: Sql,
  name: string,
  base: string,
  keyHash: string,
  sealed: string | null,
  flag: number,
): Promise<StreamRoom> {
  return sql.transaction(async () => {
    // Creates of one name take turns on Postgres (READ COMMITTED would let them all pick the same
    // free slug); SQLite's BEGIN IMMEDIATE already makes them. The UNIQUE retry stays a backstop.
    if (sql.dialect === "postgres") {
      await sql.get("SELECT pg_advisory_xact_lock(hashtext(?))", [`stream-slug:${base}`]);
    }
    let slug = base;
    for (let n = 2; RESERVED_SLUGS.has(slug) || await roomWhere(sql, "slug", slug); n++) {
      slug = `${base}-${n}`;
    }
    const now = Date.now();
    const row = await sql.get(INSERT, [
      slug,
      name,
      keyHash,
      sealed,
      randomToken(16),
      flag,
      now,
      now,
    ]);
    return toRoom(row!);
  });
}

/** Who is live where: one room going live or offline, and every room a source left behind. */
function liveQueries(sql: Sql): Pick<StreamsStore, "setLive" | "resetLive"> {
  return {
    async setLive(slug, source, originUrl = null) {
      const now = Date.now();
      const row = source === null
        ? await sql.get(SET_OFFLINE, [now, slug])
        : await sql.get(SET_LIVE, [source, now, originUrl, slug]);
      return one(row);
    },

    async resetLive(source, originUrl = null) {
      const mine = originUrl === null ? "" : " AND (origin_url IS NULL OR origin_url = ?)";
      const rows = await sql.all(
        `UPDATE stream_rooms SET live_source = NULL, live_since = NULL, origin_url = NULL,
           last_live_at = ?
         WHERE live_source = ?${mine} RETURNING slug`,
        originUrl === null ? [Date.now(), source] : [Date.now(), source, originUrl],
      );
      return rows.map((row) => String(row.slug));
    },
  };
}

export function createStreamsStore(sql: Sql): StreamsStore {
  const byColumn = (column: string) => (value: string) => roomWhere(sql, column, value);
  const bySlug = byColumn("slug");

  return {
    list: async () =>
      (await sql.all("SELECT * FROM stream_rooms ORDER BY created_at, id")).map(toRoom),
    get: bySlug,
    byPlaybackId: byColumn("playback_id"),
    byKey: (key) => byColumn("key_hash")(sha256Hex(key)),

    async create(name, options = {}) {
      const streamKey = randomToken(32);
      const sealed = options.seal?.(streamKey) ?? null;
      const flag = options.private ? 1 : 0;
      // Two instances may pick the same free slug at once (Postgres, READ COMMITTED): the UNIQUE
      // constraint refuses the second, which looks again.
      for (let attempt = 1;; attempt++) {
        try {
          const room = await insertRoom(
            sql,
            name,
            slugify(name),
            sha256Hex(streamKey),
            sealed,
            flag,
          );
          return { room, streamKey };
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= CREATE_ATTEMPTS) throw error;
        }
      }
    },

    async rotateKey(slug, seal) {
      const streamKey = randomToken(32);
      const sealed = seal?.(streamKey) ?? null;
      const changed = await sql.run(
        "UPDATE stream_rooms SET key_hash = ?, key_sealed = ?, key_rotated_at = ? WHERE slug = ?",
        [sha256Hex(streamKey), sealed, Date.now(), slug],
      );
      return changed === 1 ? streamKey : null;
    },

    async sealedKey(slug) {
      const row = await sql.get("SELECT key_sealed FROM stream_rooms WHERE slug = ?", [slug]);
      return row?.key_sealed ? String(row.key_sealed) : null;
    },

    async update(slug, changes) {
      const flag = changes.private === undefined ? null : changes.private ? 1 : 0;
      return one(
        await sql.get(UPDATE, [
          changes.name ?? null,
          changes.description ?? null,
          flag,
          changes.slowModeSeconds ?? null,
          slug,
        ]),
      );
    },

    remove: async (slug) =>
      (await sql.run("DELETE FROM stream_rooms WHERE slug = ?", [slug])) === 1,

    ...liveQueries(sql),
  };
}
