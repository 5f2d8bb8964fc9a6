// Stream room chat on the Sql seam: messages (the newest 1,000 per room kept), chat tokens, bans.
import type { Row, Sql } from "./sql.ts";
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
  messages(roomId: number, limit: number): Promise<StreamMessage[]>;
  add(token: ChatToken, content: string): Promise<StreamMessage>;
  /** A message with the token that sent it, for bans from a message. */
  message(
    roomId: number,
    id: number,
  ): Promise<(StreamMessage & { tokenHash: string | null }) | null>;
  remove(roomId: number, id: number): Promise<boolean>;
  /** Deletes every message of a room; returns how many. */
  clear(roomId: number): Promise<number>;
  /** When this token last sent a message in its room (for slow mode), or null. */
  lastSentAt(tokenHash: string): Promise<number | null>;
  /** A token for `nickname` in one room, valid `ttlMs`; only its hash is stored. */
  createToken(
    roomId: number,
    nickname: string,
    ttlMs: number,
    origin: TokenOrigin,
  ): Promise<string>;
  /** The token's record if it has not expired, or null. */
  token(token: string): Promise<ChatToken | null>;
  tokenByHash(tokenHash: string): Promise<ChatToken | null>;
  /** Bans a nickname (and the viewer cookie and address behind it); their tokens end now. */
  ban(
    roomId: number,
    nickname: string,
    origin: Omit<TokenOrigin, "passHash">,
  ): Promise<StreamBan>;
  bans(roomId: number): Promise<StreamBan[]>;
  /** Ends the tokens given out without a room pass (when a public room turns private). */
  endTokensWithoutPass(roomId: number): Promise<void>;
  unban(roomId: number, id: number): Promise<boolean>;
  /**
   * Whether a join is banned: by nickname, by viewer cookie, or by address for a browser that
   * brings no viewer cookie (one that cleared it); another browser on the same address with its
   * own cookie is not (friends behind one router).
   */
  isBanned(
    roomId: number,
    nickname: string,
    origin: Omit<TokenOrigin, "passHash">,
  ): Promise<boolean>;
}

/** Messages kept per room; older ones are deleted as new ones come. */
export const MESSAGES_KEPT = 1000;

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

// The newest `limit`, oldest first (Postgres wants the derived table named).
const MESSAGES = `SELECT * FROM (SELECT * FROM stream_messages WHERE room_id = ? ORDER BY id DESC
  LIMIT ?) AS recent ORDER BY id`;
const INSERT = `INSERT INTO stream_messages (room_id, nickname, content, created_at, token_hash)
  VALUES (?, ?, ?, ?, ?) RETURNING *`;
// One statement, so concurrent senders (other instances) can only leave a few extra rows for the
// next prune, never delete one of the newest 1,000.
const PRUNE =
  `DELETE FROM stream_messages WHERE room_id = ? AND id <= (SELECT id FROM stream_messages
  WHERE room_id = ? ORDER BY id DESC LIMIT 1 OFFSET ${MESSAGES_KEPT})`;
const INSERT_TOKEN = `INSERT INTO stream_chat_tokens
    (token_hash, room_id, nickname, created_at, expires_at, viewer_hash, ip_hash, pass_hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_BAN =
  `INSERT INTO stream_bans (room_id, nickname_key, viewer_hash, ip_hash, created_at)
  VALUES (?, ?, ?, ?, ?) RETURNING *`;
const END_TOKENS = `DELETE FROM stream_chat_tokens WHERE room_id = ? AND
  (lower(nickname) = ? OR (viewer_hash IS NOT NULL AND viewer_hash = ?))`;
// `? = 1`, not a bare `?`: Postgres does not take an integer for a boolean.
const BANNED = `SELECT 1 AS banned FROM stream_bans WHERE room_id = ? AND (nickname_key = ?
    OR (viewer_hash IS NOT NULL AND viewer_hash = ?)
    OR (? = 1 AND ip_hash IS NOT NULL AND ip_hash = ?)) LIMIT 1`;

/** The room chat's messages, each room keeping its last MESSAGES_KEPT. */
function messageQueries(
  sql: Sql,
): Pick<StreamChatStore, "messages" | "add" | "message" | "remove" | "clear" | "lastSentAt"> {
  return {
    messages: async (roomId, limit) => (await sql.all(MESSAGES, [roomId, limit])).map(toMessage),

    add: (token, content) =>
      sql.transaction(async () => {
        const row = await sql.get(INSERT, [
          token.roomId,
          token.nickname,
          content,
          Date.now(),
          token.tokenHash,
        ]);
        await sql.run(PRUNE, [token.roomId, token.roomId]);
        return toMessage(row!);
      }),

    async message(roomId, id) {
      const row = await sql.get("SELECT * FROM stream_messages WHERE room_id = ? AND id = ?", [
        roomId,
        id,
      ]);
      return row ? { ...toMessage(row), tokenHash: str(row.token_hash) } : null;
    },

    remove: async (roomId, id) =>
      (await sql.run("DELETE FROM stream_messages WHERE room_id = ? AND id = ?", [roomId, id])) ===
        1,
    clear: (roomId) => sql.run("DELETE FROM stream_messages WHERE room_id = ?", [roomId]),

    async lastSentAt(tokenHash) {
      const row = await sql.get(
        "SELECT MAX(created_at) AS at FROM stream_messages WHERE token_hash = ?",
        [tokenHash],
      );
      return row?.at == null ? null : Number(row.at);
    },
  };
}

/** Chat tokens: a nickname in one room for a while, stored as their hash only. */
function tokenQueries(
  sql: Sql,
): Pick<StreamChatStore, "createToken" | "token" | "tokenByHash" | "endTokensWithoutPass"> {
  const byHash = async (tokenHash: string) => {
    const row = await sql.get(
      "SELECT * FROM stream_chat_tokens WHERE token_hash = ? AND expires_at > ?",
      [tokenHash, Date.now()],
    );
    return row ? toToken(row) : null;
  };

  return {
    async createToken(roomId, nickname, ttlMs, origin) {
      const token = randomToken(32);
      const now = Date.now();
      await sql.run("DELETE FROM stream_chat_tokens WHERE expires_at <= ?", [now]);
      await sql.run(INSERT_TOKEN, [
        sha256Hex(token),
        roomId,
        nickname,
        now,
        now + ttlMs,
        origin.viewerHash,
        origin.ipHash,
        origin.passHash,
      ]);
      return token;
    },

    token: (token) => byHash(sha256Hex(token)),
    tokenByHash: byHash,

    endTokensWithoutPass: async (roomId) =>
      void await sql.run(
        "DELETE FROM stream_chat_tokens WHERE room_id = ? AND pass_hash IS NULL",
        [roomId],
      ),
  };
}

/** Bans by nickname and by the viewer or address that held it; a ban ends the tokens it covers. */
function banQueries(sql: Sql): Pick<StreamChatStore, "ban" | "bans" | "unban" | "isBanned"> {
  return {
    ban: (roomId, nickname, origin) =>
      sql.transaction(async () => {
        const key = nicknameKey(nickname);
        const row = await sql.get(INSERT_BAN, [
          roomId,
          key,
          origin.viewerHash,
          origin.ipHash,
          Date.now(),
        ]);
        await sql.run(END_TOKENS, [roomId, key, origin.viewerHash]);
        return toBan(row!);
      }),

    bans: async (roomId) =>
      (await sql.all("SELECT * FROM stream_bans WHERE room_id = ? ORDER BY id", [roomId])).map(
        toBan,
      ),
    unban: async (roomId, id) =>
      (await sql.run("DELETE FROM stream_bans WHERE room_id = ? AND id = ?", [roomId, id])) === 1,

    async isBanned(roomId, nickname, origin) {
      const byIp = origin.viewerHash === null ? 1 : 0;
      const row = await sql.get(BANNED, [
        roomId,
        nicknameKey(nickname),
        origin.viewerHash,
        byIp,
        origin.ipHash,
      ]);
      return row !== undefined;
    },
  };
}

export function createStreamChatStore(sql: Sql): StreamChatStore {
  return { ...messageQueries(sql), ...tokenQueries(sql), ...banQueries(sql) };
}
