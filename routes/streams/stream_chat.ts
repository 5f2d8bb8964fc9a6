// The rules of room chat, shared by REST and /ws: joining, sending, moderating, rate limits.
import { HttpError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type {
  ChatToken,
  StreamChatStore,
  StreamMessage,
  TokenOrigin,
} from "../../storage/stream_chat_store.ts";
import type { StreamRoom, StreamsStore } from "../../storage/streams_store.ts";
import { createRateLimiter } from "../../edge/rate_limit.ts";
import { textField } from "../../edge/fields.ts";
import type { StreamLive } from "./stream_live.ts";
import type { Joined, MessageView } from "./wire.ts";

/** Messages returned by `GET /api/rooms/<slug>/messages` (StreamCircle: the last 50). */
export const HISTORY = 50;
export const MAX_MESSAGE = 500;
export const MAX_NICKNAME = 32;
/** Chat tokens from `/join` last half a day; a viewer joins again after that. */
export const CHAT_TOKEN_TTL_MS = 12 * 3600 * 1000;

export interface ChatLimits {
  /** Messages a token may send in a burst, then one per `messageEverySeconds`. @default 5 */
  messageBurst?: number;
  /** @default 2 */
  messageEverySeconds?: number;
  /** Joins an address may make in a burst, then one per `joinEverySeconds`. @default 10 */
  joinBurst?: number;
  /** @default 30 */
  joinEverySeconds?: number;
}

// Direction overrides and zero-width characters let one nickname pass for another.
const SPOOFING = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

export function messageView(room: StreamRoom, m: StreamMessage): MessageView {
  return {
    id: m.id,
    room: room.slug,
    nickname: m.nickname,
    content: m.content,
    createdAt: new Date(m.createdAt).toISOString(),
  };
}

const limited = (message: string, seconds: number) =>
  new HttpError(429, message, {
    code: "rate_limited",
    headers: { "retry-after": String(seconds) },
  });

export function createStreamChat(
  deps: { rooms: StreamsStore; chat: StreamChatStore; live: StreamLive; log: Logger },
  limits: ChatLimits = {},
) {
  const { chat, live } = deps;
  const perToken = createRateLimiter({
    capacity: limits.messageBurst ?? 5,
    refillPerSecond: 1 / (limits.messageEverySeconds ?? 2),
  });
  const perIp = createRateLimiter({
    capacity: limits.joinBurst ?? 10,
    refillPerSecond: 1 / (limits.joinEverySeconds ?? 30),
  });

  return {
    /** The token's record for this room: 401 when missing or expired, 403 for another room's. */
    tokenFor: (room: StreamRoom, token: unknown): Promise<ChatToken> =>
      chatToken(chat, room, token),

    /** `checked` is what bans are matched on; `origin` is what the token records. */
    async join(
      room: StreamRoom,
      body: Record<string, unknown>,
      checked: TokenOrigin,
      ip: string,
      origin: TokenOrigin = checked,
    ): Promise<Joined> {
      const nickname = nicknameOf(body);
      const taken = perIp.take(ip);
      if (!taken.ok) {
        throw limited("Too many joins from this address: wait", taken.retryAfterSeconds);
      }
      await refuseBanned(chat, room, nickname, checked);
      const token = await chat.createToken(room.id, nickname, CHAT_TOKEN_TTL_MS, origin);
      const expiresAt = new Date(Date.now() + CHAT_TOKEN_TTL_MS).toISOString();
      return { token, nickname, room: room.slug, expiresAt };
    },

    /** Checks and stores a message, then pushes it to the room. Admins skip rate limits. */
    async send(
      room: StreamRoom,
      token: ChatToken,
      raw: unknown,
      admin = false,
    ): Promise<MessageView> {
      const content = textField({ content: raw }, "content", MAX_MESSAGE);
      await refuseBanned(chat, room, token.nickname, token);
      if (!admin) {
        await refuseSlowMode(chat, room, token);
        const taken = perToken.take(token.tokenHash);
        if (!taken.ok) throw limited("Too many messages: slow down", taken.retryAfterSeconds);
      }
      const view = messageView(room, await chat.add(token, content));
      live.publishRoom(room.slug, "message", { message: view });
      return view;
    },

    ...moderation(deps),

    close() {
      perToken.close();
      perIp.close();
    },
  };
}

/** What the room's admins do to its chat: delete a message, clear it all, ban a sender. */
function moderation({ chat, live, log }: { chat: StreamChatStore; live: StreamLive; log: Logger }) {
  return {
    async remove(room: StreamRoom, id: number): Promise<void> {
      if (!await chat.remove(room.id, id)) throw new HttpError(404, "Message not found");
      live.publishRoom(room.slug, "message-deleted", { slug: room.slug, id });
    },

    async clear(room: StreamRoom): Promise<number> {
      const count = await chat.clear(room.id);
      live.publishRoom(room.slug, "chat-cleared", { slug: room.slug });
      log.info("Stream chat cleared", { slug: room.slug, count });
      return count;
    },

    /** Bans the sender of a message (nickname, viewer cookie, address) or a bare nickname. */
    async ban(room: StreamRoom, body: Record<string, unknown>) {
      const { nickname, origin } = await banTarget(chat, room, body);
      const ban = await chat.ban(room.id, nickname, origin);
      live.publishRoom(room.slug, "banned", { slug: room.slug, nickname });
      log.info("Stream chat ban", { slug: room.slug });
      return ban;
    },
  };
}

async function chatToken(
  chat: StreamChatStore,
  room: StreamRoom,
  token: unknown,
): Promise<ChatToken> {
  if (typeof token !== "string" || token === "") {
    throw new HttpError(401, "Chat token required: join the room first", { code: "no_token" });
  }
  const found = token.length <= 100 ? await chat.token(token) : null;
  if (!found) {
    throw new HttpError(401, "Invalid or expired chat token: join again", {
      code: "invalid_token",
    });
  }
  if (found.roomId !== room.id) {
    throw new HttpError(403, "This chat token is for another room", { code: "wrong_room" });
  }
  return found;
}

function nicknameOf(body: Record<string, unknown>): string {
  const nickname = textField(body, "nickname", MAX_NICKNAME);
  if (SPOOFING.test(nickname)) {
    throw new HttpError(400, '"nickname" must not contain invisible or direction characters');
  }
  return nickname;
}

async function refuseBanned(
  chat: StreamChatStore,
  room: StreamRoom,
  nickname: string,
  origin: TokenOrigin,
): Promise<void> {
  if (await chat.isBanned(room.id, nickname, origin)) {
    throw new HttpError(403, "You are banned from this room's chat", { code: "banned" });
  }
}

/** A 429 while the room's slow mode says this token sent too recently. */
async function refuseSlowMode(
  chat: StreamChatStore,
  room: StreamRoom,
  token: ChatToken,
): Promise<void> {
  if (room.slowModeSeconds <= 0) return;
  const last = await chat.lastSentAt(token.tokenHash);
  const wait = last === null ? 0 : last + room.slowModeSeconds * 1000 - Date.now();
  if (wait > 0) {
    throw limited(`Slow mode: one message every ${room.slowModeSeconds} s`, Math.ceil(wait / 1000));
  }
}

/** Who a ban names: a message's sender (with its cookie and address when known) or a nickname. */
async function banTarget(
  chat: StreamChatStore,
  room: StreamRoom,
  body: Record<string, unknown>,
): Promise<{ nickname: string; origin: Omit<TokenOrigin, "passHash"> }> {
  if (body.messageId === undefined) {
    const nickname = textField(body, "nickname", MAX_NICKNAME);
    return { nickname, origin: { viewerHash: null, ipHash: null } };
  }
  if (!Number.isSafeInteger(body.messageId)) {
    throw new HttpError(400, '"messageId" must be an integer');
  }
  const message = await chat.message(room.id, body.messageId as number);
  if (!message) throw new HttpError(404, "Message not found");
  const sender = message.tokenHash ? await chat.tokenByHash(message.tokenHash) : null;
  const origin = sender
    ? { viewerHash: sender.viewerHash, ipHash: sender.ipHash }
    : { viewerHash: null, ipHash: null };
  return { nickname: message.nickname, origin };
}

export type StreamChat = ReturnType<typeof createStreamChat>;
