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

const BURST = 8;
const PER_SECOND = 4;
/** Messages waiting for the rate budget; past it, sending fails (the socket is far behind). */
const MAX_QUEUED = 200;

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

  // The server allows 5 messages a second (burst 10) per socket; a voice join with several peers
  // sends a burst of offers and ICE candidates, so sends beyond our own budget wait their turn.
  const outbox: string[] = [];
  let tokens = BURST;
  let refilled = Date.now();
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  const drain = () => {
    drainTimer = undefined;
    tokens = Math.min(BURST, tokens + ((Date.now() - refilled) / 1000) * PER_SECOND);
    refilled = Date.now();
    while (outbox.length > 0 && tokens >= 1 && socket?.readyState === WebSocket.OPEN) {
      socket.send(outbox.shift()!);
      tokens -= 1;
    }
    if (outbox.length > 0 && socket?.readyState === WebSocket.OPEN) {
      drainTimer = setTimeout(drain, Math.ceil(((1 - tokens) / PER_SECOND) * 1000));
    }
  };
  const raw = (message: Record<string, unknown>) => {
    if (socket?.readyState !== WebSocket.OPEN || outbox.length >= MAX_QUEUED) return false;
    outbox.push(JSON.stringify(message));
    if (drainTimer === undefined) drain();
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
      // What was queued belongs to the old socket's state; subscriptions are re-sent on reopen.
      outbox.length = 0;
      clearTimeout(drainTimer);
      drainTimer = undefined;
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
      clearTimeout(drainTimer);
      socket?.close();
    },
  };
}
