// Stream room chat in SQLite: messages (the newest 1,000 per room kept), chat tokens, bans.
import type { Db } from "./db.ts";
import { randomToken, sha256Hex } from "../tokens.ts";

export interface StreamMessage {
  id: number;
  nickname: string;
  content: string;
  createdAt: number;
}

/** Where a chat token came from: hashes of the browser's viewer cookie, address and room pass. */
export interface TokenOrigin {
  viewerHash: string | null;
  ipHash: string | null;
  passHash: string | null;
}

export interface ChatToken extends TokenOrigin {
  roomId: number;
  nickname: string;
  tokenHash: string;
}

export interface StreamBan {
  id: number;
  nickname: string;
  createdAt: number;
}

export interface StreamChatStore {
  /** The newest `limit` messages, oldest first. */
  messages(roomId: number, limit: number): StreamMessage[];
  add(token: ChatToken, content: string): StreamMessage;
  /** A message with the token that sent it, for bans from a message. */
  message(roomId: number, id: number): (StreamMessage & { tokenHash: string | null }) | null;
  remove(roomId: number, id: number): boolean;
  /** Deletes every message of a room; returns how many. */
  clear(roomId: number): number;
  /** When this token last sent a message in its room (for slow mode), or null. */
  lastSentAt(tokenHash: string): number | null;
  /** A token for `nickname` in one room, valid `ttlMs`; only its hash is stored. */
  createToken(roomId: number, nickname: string, ttlMs: number, origin: TokenOrigin): string;
  /** The token's record if it has not expired, or null. */
  token(token: string): ChatToken | null;
  tokenByHash(tokenHash: string): ChatToken | null;
  /** Bans a nickname (and the viewer cookie and address behind it); their tokens end now. */
  ban(roomId: number, nickname: string, origin: Omit<TokenOrigin, "passHash">): StreamBan;
  bans(roomId: number): StreamBan[];
  /** Ends the tokens given out without a room pass (when a public room turns private). */
  endTokensWithoutPass(roomId: number): void;
  unban(roomId: number, id: number): boolean;
  /**
   * Whether a join is banned: by nickname, by viewer cookie, or by address for a browser that
   * brings no viewer cookie (one that cleared it); another browser on the same address with its
   * own cookie is not (friends behind one router).
   */
  isBanned(roomId: number, nickname: string, origin: Omit<TokenOrigin, "passHash">): boolean;
}

/** Messages kept per room; older ones are deleted as new ones come. */
export const MESSAGES_KEPT = 1000;

type Row = Record<string, string | number | null>;

/** How nicknames compare for bans: case and compatibility forms folded. */
export const nicknameKey = (nickname: string): string => nickname.normalize("NFKC").toLowerCase();

const str = (value: string | number | null | undefined) => (value == null ? null : String(value));
const toMessage = (row: Row): StreamMessage => ({
  id: Number(row.id),
  nickname: String(row.nickname),
  content: String(row.content),
  createdAt: Number(row.created_at),
});
const toToken = (row: Row): ChatToken => ({
  roomId: Number(row.room_id),
  nickname: String(row.nickname),
  tokenHash: String(row.token_hash),
  viewerHash: str(row.viewer_hash),
  ipHash: str(row.ip_hash),
  passHash: str(row.pass_hash),
});
const toBan = (row: Row): StreamBan => ({
  id: Number(row.id),
  nickname: String(row.nickname_key),
  createdAt: Number(row.created_at),
});

/** The store's statements, prepared once. */
function statements(db: Db) {
  return {
    messages: db.prepare(
      `SELECT * FROM (SELECT * FROM stream_messages WHERE room_id = ? ORDER BY id DESC LIMIT ?)
       ORDER BY id`,
    ),
    insert: db.prepare(
      `INSERT INTO stream_messages (room_id, nickname, content, created_at, token_hash)
       VALUES (?, ?, ?, ?, ?) RETURNING *`,
    ),
    prune: db.prepare(
      `DELETE FROM stream_messages WHERE room_id = ? AND id <= (SELECT id FROM stream_messages
         WHERE room_id = ? ORDER BY id DESC LIMIT 1 OFFSET ${MESSAGES_KEPT})`,
    ),
    message: db.prepare("SELECT * FROM stream_messages WHERE room_id = ? AND id = ?"),
    remove: db.prepare("DELETE FROM stream_messages WHERE room_id = ? AND id = ?"),
    clear: db.prepare("DELETE FROM stream_messages WHERE room_id = ?"),
    lastSent: db.prepare("SELECT MAX(created_at) AS at FROM stream_messages WHERE token_hash = ?"),
    insertToken: db.prepare(
      `INSERT INTO stream_chat_tokens
         (token_hash, room_id, nickname, created_at, expires_at, viewer_hash, ip_hash, pass_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    expireTokens: db.prepare("DELETE FROM stream_chat_tokens WHERE expires_at <= ?"),
    token: db.prepare("SELECT * FROM stream_chat_tokens WHERE token_hash = ? AND expires_at > ?"),
    insertBan: db.prepare(
      `INSERT INTO stream_bans (room_id, nickname_key, viewer_hash, ip_hash, created_at)
       VALUES (?, ?, ?, ?, ?) RETURNING *`,
    ),
    endTokens: db.prepare(
      `DELETE FROM stream_chat_tokens WHERE room_id = ? AND
         (lower(nickname) = ? OR (viewer_hash IS NOT NULL AND viewer_hash = ?))`,
    ),
    bans: db.prepare("SELECT * FROM stream_bans WHERE room_id = ? ORDER BY id"),
    endUnpassed: db.prepare(
      "DELETE FROM stream_chat_tokens WHERE room_id = ? AND pass_hash IS NULL",
    ),
    unban: db.prepare("DELETE FROM stream_bans WHERE room_id = ? AND id = ?"),
    banned: db.prepare(
      `SELECT 1 FROM stream_bans WHERE room_id = ? AND (nickname_key = ?
         OR (viewer_hash IS NOT NULL AND viewer_hash = ?)
         OR (? AND ip_hash IS NOT NULL AND ip_hash = ?)) LIMIT 1`,
    ),
  };
}

export function createStreamChatStore(db: Db): StreamChatStore {
  const q = statements(db);

  const byHash = (tokenHash: string) => {
    const row = q.token.get(tokenHash, Date.now()) as Row | undefined;
    return row ? toToken(row) : null;
  };

  return {
    messages: (roomId, limit) => (q.messages.all(roomId, limit) as Row[]).map(toMessage),

    add(token, content) {
      const row = q.insert.get(token.roomId, token.nickname, content, Date.now(), token.tokenHash);
      q.prune.run(token.roomId, token.roomId);
      return toMessage(row as Row);
    },

    message(roomId, id) {
      const row = q.message.get(roomId, id) as Row | undefined;
      return row ? { ...toMessage(row), tokenHash: str(row.token_hash) } : null;
    },

    remove: (roomId, id) => Number(q.remove.run(roomId, id).changes) === 1,
    clear: (roomId) => Number(q.clear.run(roomId).changes),

    lastSentAt(tokenHash) {
      const row = q.lastSent.get(tokenHash) as Row | undefined;
      return row?.at == null ? null : Number(row.at);
    },

    createToken(roomId, nickname, ttlMs, origin) {
      const token = randomToken(32);
      const now = Date.now();
      q.expireTokens.run(now);
      q.insertToken.run(
        sha256Hex(token),
        roomId,
        nickname,
        now,
        now + ttlMs,
        origin.viewerHash,
        origin.ipHash,
        origin.passHash,
      );
      return token;
    },

    token: (token) => byHash(sha256Hex(token)),
    tokenByHash: byHash,

    ban(roomId, nickname, origin) {
      const key = nicknameKey(nickname);
      const row = q.insertBan.get(roomId, key, origin.viewerHash, origin.ipHash, Date.now());
      q.endTokens.run(roomId, key, origin.viewerHash);
      return toBan(row as Row);
    },

    bans: (roomId) => (q.bans.all(roomId) as Row[]).map(toBan),
    endTokensWithoutPass: (roomId) => void q.endUnpassed.run(roomId),
    unban: (roomId, id) => Number(q.unban.run(roomId, id).changes) === 1,

    isBanned(roomId, nickname, origin) {
      const byIp = origin.viewerHash === null ? 1 : 0;
      return q.banned.get(roomId, nicknameKey(nickname), origin.viewerHash, byIp, origin.ipHash) !==
        undefined;
    },
  };
}
