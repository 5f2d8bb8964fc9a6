// Stream rooms on /ws: entering a room (with a socket pass for private ones), chat, presence.
import { HttpError } from "../../errors.ts";
import type { TopicNamespace } from "../../realtime/topics.ts";
import type { WsClient, WsFeature } from "../../realtime/ws.ts";
import type { StreamRoom } from "../../storage/streams_store.ts";
import { SLUG, type StreamsContext } from "./context.ts";
import { ROOMS_TOPIC, roomTopic } from "./stream_live.ts";
import type { StreamEntered, StreamSent } from "./wire.ts";

const CODES: Record<number, string> = {
  400: "invalid_message",
  401: "invalid_token",
  403: "forbidden",
  404: "not_found",
  413: "too_long",
  429: "rate_limited",
};

/**
 * `{type: "stream:enter", topic, since?, pass?, token?}` follows a room (a private one needs the
 * page's socket pass; a chat token names the socket in presence); `{type: "stream:message", topic,
 * token, content}` sends; `{type: "stream:leave", topic}` stops following.
 */
export function createStreamWs(
  ctx: StreamsContext,
): { feature: WsFeature; topics: TopicNamespace[] } {
  const { store, live, access, chat } = ctx;
  // Rooms each socket entered with a pass: a reconnecting client enters again, so this dies with it.
  const entered = new Map<string, Set<string>>();

  const enter = async (client: WsClient, message: Record<string, unknown>) => {
    const room = await roomOf(store, message);
    if (room.private && !access.socketPassAllows(room.slug, message.pass)) {
      throw new HttpError(403, "This room is private: open it with an invite link");
    }
    let nickname: string | null = null;
    if (message.token !== undefined) {
      const token = await chat.tokenFor(room, message.token);
      nickname = token.nickname;
    }
    let rooms = entered.get(client.id);
    if (!rooms) entered.set(client.id, rooms = new Set());
    rooms.add(room.slug);
    const since = typeof message.since === "number" && message.since >= 0
      ? message.since
      : undefined;
    client.send(
      {
        type: "stream:entered",
        topic: roomTopic(room.slug),
        nickname,
      } satisfies StreamEntered,
    );
    if (!client.subscribe(roomTopic(room.slug), since)) {
      // Closed while the room was looked up (or at its topic limit): no seat to keep for it.
      rooms.delete(room.slug);
      if (rooms.size === 0) entered.delete(client.id);
      return;
    }
    live.enter(client.id, room.slug, nickname);
    // The room's presence may not change by this socket (a reload replacing its old socket), so
    // the recount would send nothing: the newcomer gets the current figures now.
    client.send({ ...live.presence(room.slug), type: "presence", topic: roomTopic(room.slug) });
  };

  const send = async (client: WsClient, message: Record<string, unknown>) => {
    const room = await roomOf(store, message);
    const token = await chat.tokenFor(room, message.token);
    const sent = await chat.send(room, token, message.content);
    if (entered.get(client.id)?.has(room.slug)) live.enter(client.id, room.slug, token.nickname);
    client.send(
      {
        type: "stream:sent",
        topic: roomTopic(room.slug),
        id: sent.id,
        ref: message.ref,
      } satisfies StreamSent,
    );
  };

  const feature: WsFeature = {
    types: ["stream:enter", "stream:message", "stream:leave"],
    async handle(client, message) {
      try {
        if (message.type === "stream:enter") return await enter(client, message);
        if (message.type === "stream:message") return await send(client, message);
        const room = await roomOf(store, message);
        client.unsubscribe(roomTopic(room.slug));
        entered.get(client.id)?.delete(room.slug);
        live.leave(client.id, room.slug);
      } catch (error) {
        reportError(client, message, error);
      }
    },
    onClose(client) {
      entered.delete(client.id);
      live.leave(client.id);
    },
  };
  return { feature, topics: streamTopics(ctx, entered) };
}

/**
 * The `stream:` and home-page namespaces. An SSE request (no socket) reaches here only from a route
 * that checked the room's access; the generic /ws subscribe follows public rooms only, private ones
 * need `stream:enter`'s pass (`entered`).
 */
function streamTopics(
  { store, live }: Pick<StreamsContext, "store" | "live">,
  entered: ReadonlyMap<string, ReadonlySet<string>>,
): TopicNamespace[] {
  return [{
    prefix: "stream:",
    async authorize(client, topic) {
      const slug = topic.slice("stream:".length);
      const room = SLUG.test(slug) ? await store.get(slug) : null;
      if (!room) return false;
      if (client === null) return true;
      if (room.private && !entered.get(client.id)?.has(slug)) return false;
      live.enter(client.id, slug, null);
      return true;
    },
  }, { prefix: ROOMS_TOPIC, authorize: () => true }];
}

/** The room a message's `topic` names, else a 404. */
async function roomOf(
  store: StreamsContext["store"],
  message: Record<string, unknown>,
): Promise<StreamRoom> {
  const topic = message.topic;
  const slug = typeof topic === "string" && topic.startsWith("stream:") ? topic.slice(7) : "";
  const room = SLUG.test(slug) ? await store.get(slug) : null;
  if (!room) throw new HttpError(404, "Room not found");
  return room;
}

/** Sends a refused message's HttpError as a `/ws` error with its topic and ref; rethrows others. */
function reportError(client: WsClient, message: Record<string, unknown>, error: unknown): void {
  if (!(error instanceof HttpError)) throw error;
  client.error(error.code ?? CODES[error.status] ?? "forbidden", error.message, {
    topic: message.topic,
    ...(message.ref !== undefined ? { ref: message.ref } : {}),
  });
}
