// A watch page's /ws connection to its room: enters (again after each reconnect) and resumes events.
import { boot } from "./boot.ts";
import { type ConnectionState, connectWs, type WsEvent, wsUrl } from "./ws_socket.ts";

export interface RoomSocketOptions {
  slug: string;
  /** The socket pass the page was rendered with (needed for private rooms). */
  pass?: string;
  /** The room topic's event id the page was rendered at: the first enter resumes from it. */
  since?: number;
  onEvent(event: WsEvent): void;
  onState(state: ConnectionState): void;
  /** Called when events were missed beyond the server's history: refetch the state. */
  onReset(): void;
}

export interface RoomSocket {
  /** Names this socket in presence from now on (and on every reconnect). */
  setToken(token: string | null): void;
  send(message: Record<string, unknown>): boolean;
  close(): void;
}

export function connectRoom(options: RoomSocketOptions): RoomSocket {
  const topic = `stream:${options.slug}`;
  let lastId = options.since;
  let token: string | null = null;
  const enter = () =>
    socket.send({
      type: "stream:enter",
      topic,
      since: lastId,
      pass: options.pass,
      ...(token ? { token } : {}),
    });
  const socket = connectWs({
    url: wsUrl(boot().basePath),
    onOpen: () => void enter(),
    onState: options.onState,
    onEvent(event) {
      if (event.topic === topic && typeof event.eventId === "number") lastId = event.eventId;
      if (event.type === "reset" && event.topic === topic) return options.onReset();
      options.onEvent(event);
    },
  });
  return {
    setToken(next) {
      token = next;
      if (next) enter();
    },
    send: (message) => socket.send({ ...message, topic }),
    close: () => socket.close(),
  };
}
