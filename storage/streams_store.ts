// Stream rooms in SQLite: slugs, hashed stream keys, playback ids, live state, chat tokens.
import { randomToken, sha256Hex } from "../tokens.ts";
import { type Db, type Row, transaction } from "./db.ts";

/** Who made a room live: our RTMP listener, or nginx-rtmp through the hooks. */
export type LiveSource = "rtmp" | "hook";

export interface StreamRoom {
  id: number;
  slug: string;
  name: string;
  playbackId: string;
  liveSource: LiveSource | null;
  /** Milliseconds since the epoch; null when offline. */
  liveSince: number | null;
  createdAt: number;
}

export interface StreamMessage {
  id: number;
  nickname: string;
  content: string;
  createdAt: number;
}

export interface StreamsStore {
  list(): StreamRoom[];
  get(slug: string): StreamRoom | null;
  byPlaybackId(playbackId: string): StreamRoom | null;
  /** The room whose key this is, found by the key's hash (so timing says nothing about the key). */
  byKey(key: string): StreamRoom | null;
  /** Creates a room with a unique slug made from `name`; returns it with its plain key, shown once. */
  create(name: string): { room: StreamRoom; streamKey: string };
  /** Replaces the key; the old one stops matching at once. Null for an unknown slug. */
  rotateKey(slug: string): string | null;
  /** Deletes the room, its messages and chat tokens; false when it did not exist. */
  remove(slug: string): boolean;
  /** Marks the room live from `source`, or offline with null. Returns the updated room. */
  setLive(slug: string, source: LiveSource | null): StreamRoom | null;
  /** Marks offline every room made live by `source` (no publisher survives a restart). */
  resetLive(source: LiveSource): string[];
  /** The newest `limit` messages, oldest first. */
  messages(roomId: number, limit: number): StreamMessage[];
  /** A chat token for `nickname` in one room, valid `ttlMs`; only its hash is stored. */
  createChatToken(roomId: number, nickname: string, ttlMs: number): string;
  /** The nickname and room of a token that has not expired, or null. */
  chatToken(token: string): { roomId: number; nickname: string } | null;
}

/** Slugs the API cannot use because a fixed route has that name. */
const RESERVED_SLUGS = new Set(["events"]);

/** `"Soirée séries!"` → `"soiree-series"`: lowercase ASCII words joined by dashes, ≤ 48 chars. */
export function slugify(name: string): string {
  const slug = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48).replace(/-+$/, "");
  return slug || "room";
}

const toRoom = (row: Row): StreamRoom => ({
  id: Number(row.id),
  slug: String(row.slug),
  name: String(row.name),
  playbackId: String(row.playback_id),
  liveSource: row.live_source === null ? null : String(row.live_source) as LiveSource,
  liveSince: row.live_since === null ? null : Number(row.live_since),
  createdAt: Number(row.created_at),
});

/** The store's SQL, prepared once per database. */
function statements(db: Db) {
  return {
    list: db.prepare("SELECT * FROM stream_rooms ORDER BY created_at, id"),
    bySlug: db.prepare("SELECT * FROM stream_rooms WHERE slug = ?"),
    byPlayback: db.prepare("SELECT * FROM stream_rooms WHERE playback_id = ?"),
    byKeyHash: db.prepare("SELECT * FROM stream_rooms WHERE key_hash = ?"),
    slugTaken: db.prepare("SELECT 1 FROM stream_rooms WHERE slug = ?"),
    insert: db.prepare(
      `INSERT INTO stream_rooms (slug, name, key_hash, playback_id, created_at, key_rotated_at)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
    ),
    rotate: db.prepare("UPDATE stream_rooms SET key_hash = ?, key_rotated_at = ? WHERE slug = ?"),
    remove: db.prepare("DELETE FROM stream_rooms WHERE slug = ?"),
    setLive: db.prepare(
      `UPDATE stream_rooms SET live_source = ?,
         live_since = CASE WHEN ? IS NULL THEN NULL ELSE COALESCE(live_since, ?) END
       WHERE slug = ? RETURNING *`,
    ),
    reset: db.prepare(
      "UPDATE stream_rooms SET live_source = NULL, live_since = NULL WHERE live_source = ? RETURNING slug",
    ),
    messages: db.prepare(
      `SELECT * FROM (SELECT * FROM stream_messages WHERE room_id = ? ORDER BY id DESC LIMIT ?)
       ORDER BY id`,
    ),
    insertToken: db.prepare(
      `INSERT INTO stream_chat_tokens (token_hash, room_id, nickname, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    expireTokens: db.prepare("DELETE FROM stream_chat_tokens WHERE expires_at <= ?"),
    token: db.prepare(
      "SELECT room_id, nickname FROM stream_chat_tokens WHERE token_hash = ? AND expires_at > ?",
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

    create(name) {
      const streamKey = randomToken(32);
      const base = slugify(name);
      const room = transaction(db, () => {
        let slug = base;
        for (let n = 2; q.slugTaken.get(slug) || RESERVED_SLUGS.has(slug); n++) {
          slug = `${base}-${n}`;
        }
        const now = Date.now();
        return toRoom(
          q.insert.get(slug, name, sha256Hex(streamKey), randomToken(16), now, now) as Row,
        );
      });
      return { room, streamKey };
    },

    rotateKey(slug) {
      const streamKey = randomToken(32);
      const { changes } = q.rotate.run(sha256Hex(streamKey), Date.now(), slug);
      return Number(changes) === 1 ? streamKey : null;
    },

    remove: (slug) => Number(q.remove.run(slug).changes) === 1,

    setLive: (slug, source) => one(q.setLive.get(source, source, Date.now(), slug)),

    resetLive: (source) => (q.reset.all(source) as Row[]).map((row) => String(row.slug)),

    messages: (roomId, limit) =>
      (q.messages.all(roomId, limit) as Row[]).map((row) => ({
        id: Number(row.id),
        nickname: String(row.nickname),
        content: String(row.content),
        createdAt: Number(row.created_at),
      })),

    createChatToken(roomId, nickname, ttlMs) {
      const token = randomToken(32);
      const now = Date.now();
      q.expireTokens.run(now);
      q.insertToken.run(sha256Hex(token), roomId, nickname, now, now + ttlMs);
      return token;
    },

    chatToken(token) {
      const row = q.token.get(sha256Hex(token), Date.now()) as Row | undefined;
      return row ? { roomId: Number(row.room_id), nickname: String(row.nickname) } : null;
    },
  };
}
