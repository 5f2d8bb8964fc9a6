// A /ws client for the browser that reconnects by itself and resumes every topic from its last event.

export type WsEvent = Record<string, unknown> & { type: string };
export type ConnectionState = "connecting" | "live" | "reconnecting";

export interface WsSocketOptions {
  url: string;
  onEvent(event: WsEvent): void;
  /** Called on every (re)connect, after subscriptions were re-sent; `first` on the first one. */
  onOpen?(first: boolean): void;
  onState?(state: ConnectionState): void;
  /** The server closed the socket because its session ended (4401); it is not reopened. */
  onSignedOut?(): void;
}

export interface WsSocket {
  /** Follows a generic topic (`workspace:1`), resuming from the last event seen. */
  follow(topic: string): void;
  /** Follows one channel with EchoSphere's flat `subscribe`; only one channel at a time. */
  followChannel(channelId: number | null): void;
  send(message: Record<string, unknown>): boolean;
  close(): void;
}

export function wsUrl(basePath: string): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}${basePath}ws`;
}

export function connectWs(options: WsSocketOptions): WsSocket {
  const topics = new Set<string>();
  const lastIds = new Map<string, number>();
  let channel: number | null = null;
  let socket: WebSocket | null = null;
  let closed = false;
  let attempts = 0;
  let opened = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const raw = (message: Record<string, unknown>) => {
    if (socket?.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  };
  const since = (topic: string) => lastIds.get(topic);
  const subscribeTopic = (topic: string) => raw({ type: "subscribe", topic, since: since(topic) });
  const subscribeChannel = (id: number) =>
    raw({ type: "subscribe", channelId: id, since: since(`channel:${id}`) });

  const open = () => {
    options.onState?.(opened ? "reconnecting" : "connecting");
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      for (const topic of topics) subscribeTopic(topic);
      if (channel !== null) subscribeChannel(channel);
      options.onState?.("live");
      options.onOpen?.(!opened);
      opened = true;
    };
    ws.onmessage = (e) => {
      let event: WsEvent;
      try {
        event = JSON.parse(e.data);
      } catch {
        return;
      }
      const topic = typeof event.topic === "string" ? event.topic : undefined;
      if (topic && typeof event.eventId === "number") {
        lastIds.set(topic, event.eventId);
      }
      options.onEvent(event);
    };
    ws.onclose = (e) => {
      if (socket !== ws) return;
      socket = null;
      if (closed) return;
      // Reconnecting would only come back signed out: let the page send the user to log in.
      if (e.code === 4401 && options.onSignedOut) return options.onSignedOut();
      options.onState?.("reconnecting");
      // Backoff with jitter, so a restarted server is not stampeded by every tab at once.
      const delay = Math.min(10_000, 500 * 2 ** attempts++) * (0.5 + Math.random() / 2);
      timer = setTimeout(open, delay);
    };
  };
  open();

  return {
    follow(topic) {
      if (topics.has(topic)) return;
      topics.add(topic);
      subscribeTopic(topic);
    },
    followChannel(id) {
      if (id === channel) return;
      if (channel !== null) raw({ type: "unsubscribe", channelId: channel });
      channel = id;
      if (id !== null) subscribeChannel(id);
    },
    send: raw,
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}
