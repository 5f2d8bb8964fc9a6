// A watch page's room state: live status, presence and chat over /ws, joining and sending.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { url } from "./boot.ts";
import type {
  Joined,
  LiveChange,
  MessageView,
  Presence,
  RoomEvents,
  RoomView,
} from "../../../routes/streams/wire.ts";
import { connectRoom, type RoomSocket } from "./stream_socket.ts";
import type { WsEvent } from "./ws_socket.ts";

/** The chat token kept in this browser for this room, while it is valid. */
function storedToken(tokenKey: string): Joined | null {
  try {
    const saved = JSON.parse(localStorage.getItem(tokenKey) ?? "null") as Joined | null;
    return saved && Date.parse(saved.expiresAt) > Date.now() + 60_000 ? saved : null;
  } catch {
    return null;
  }
}

export async function request(method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url(path), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, body: json };
}

/** The message list after one chat event; null when the event is not about messages. */
function nextMessages(event: Record<string, unknown>, list: MessageView[]): MessageView[] | null {
  switch (event.type) {
    case "message": {
      const { message } = event as unknown as RoomEvents["message"];
      return list.some((m) => m.id === message.id) ? list : [...list, message].slice(-200);
    }
    case "message-deleted": {
      const { id } = event as unknown as RoomEvents["message-deleted"];
      return list.filter((m) => m.id !== id);
    }
    case "chat-cleared":
      return [];
  }
  return null;
}

/** This browser's chat identity in the room: the kept token, joining, and sending with acks. */
function useChatIdentity(slug: string, socket: { current: RoomSocket | null }) {
  const tokenKey = `roomcast.chat.${slug}`;
  const [me, setMe] = useState<Joined | null>(() => storedToken(tokenKey));
  const pending = useMemo(() => new Map<string, (error: string | null) => void>(), []);
  const forget = () => {
    localStorage.removeItem(tokenKey);
    setMe(null);
    socket.current?.setToken(null);
  };
  const join = async (nickname: string) => {
    const r = await request("POST", `api/rooms/${slug}/join`, { nickname });
    if (!r.ok) return String(r.body.error ?? "Cannot join the chat");
    localStorage.setItem(tokenKey, JSON.stringify(r.body));
    localStorage.setItem("roomcast.nickname", r.body.nickname);
    setMe(r.body);
    socket.current?.setToken(r.body.token);
    return null;
  };
  const send = (content: string) =>
    new Promise<string | null>((resolve) => {
      if (!me) return resolve("Join the chat first");
      const ref = crypto.randomUUID();
      pending.set(ref, resolve);
      if (socket.current?.send({ type: "stream:message", token: me.token, content, ref })) return;
      // No socket right now: REST does the same.
      pending.delete(ref);
      request("POST", `api/rooms/${slug}/messages`, { content }, me.token).then((r) => {
        if (!r.ok && (r.status === 401 || r.body.code === "banned")) forget();
        resolve(r.ok ? null : String(r.body.error ?? "Cannot send"));
      });
    });
  /** Settles a send on its `stream:sent` or `error`; a refused token is forgotten. */
  const settle = (e: Record<string, unknown>) => {
    const done = pending.get(String(e.ref));
    if (done) {
      pending.delete(String(e.ref));
      done(e.type === "error" ? String(e.error) : null);
    }
    if (e.type === "error" && (e.code === "invalid_token" || e.code === "banned")) forget();
  };
  return { me, join, send, settle };
}

/** The room as the page shows it: live state, presence and chat, kept current over /ws. */
export function useWatchRoom(
  initial: RoomView,
  options: { slug: string; pass?: string; since?: number },
) {
  const { slug } = options;
  const [room, setRoom] = useState(initial);
  const [status, setStatus] = useState({
    isLive: initial.isLive,
    liveSince: initial.liveSince,
    lastLiveAt: initial.lastLiveAt,
  });
  const [viewers, setViewers] = useState(initial.viewers);
  const [presence, setPresence] = useState<Presence | null>(null);
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [connected, setConnected] = useState(false);
  const socket = useRef<RoomSocket | null>(null);
  const chat = useChatIdentity(slug, socket);
  const loadMessages = () =>
    request("GET", `api/rooms/${slug}/messages`).then((r) => r.ok && setMessages(r.body));

  const onEvent = (event: WsEvent) => {
    const e = event as Record<string, unknown>;
    switch (event.type) {
      case "live":
      case "offline": {
        const change = e as unknown as LiveChange;
        setStatus({
          isLive: Boolean(change.isLive),
          liveSince: change.liveSince ?? null,
          lastLiveAt: change.lastLiveAt ?? null,
        });
        break;
      }
      case "presence":
        setPresence(e as unknown as Presence);
        setViewers(e.viewers as number);
        break;
      case "viewers":
        setViewers(e.viewers as number);
        break;
      case "room":
        setRoom((r) => ({ ...r, ...(e as unknown as RoomEvents["room"]) }));
        break;
      // Dropped from the room's topic: it was deleted or turned private. The page tells which.
      case "deleted":
      case "unsubscribed":
        location.reload();
        break;
      case "stream:sent":
      case "error":
        chat.settle(e);
        // A socket pass ends with a server restart or after half a day: a reload brings a new one.
        if (e.code === "forbidden" && e.ref === undefined && room.private) location.reload();
        break;
      default:
        setMessages((list) => nextMessages(e, list) ?? list);
    }
  };
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    loadMessages();
    const s = connectRoom({
      slug,
      pass: options.pass,
      since: options.since,
      onEvent: (event) => handler.current(event),
      onState: (state) => setConnected(state === "live"),
      onReset: () => void loadMessages(),
    });
    socket.current = s;
    if (chat.me) s.setToken(chat.me.token);
    return () => s.close();
  }, []);

  const { me, join, send } = chat;
  return { room, status, viewers, presence, messages, me, connected, join, send };
}
