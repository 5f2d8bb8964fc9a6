// The transports' own messages, the same for every feature: /ws control messages and the SSE JSON
// frame. Types only: browser pages import them with `import type`, so nothing reaches a bundle.

/** A refused request: `code` is for programs, `error` for people; extras name what was refused. */
export interface WsError {
  type: "error";
  code: string;
  error: string;
  [extra: string]: unknown;
}

/** Following `topic` began; events after `eventId` follow. */
export interface WsSubscribed {
  type: "subscribed";
  topic: string;
  eventId: number;
}

/** The server stopped the subscription (the topic was dropped: a deleted room, an ended session). */
export interface WsUnsubscribed {
  type: "unsubscribed";
  topic: string;
}

/** Events were missed past what the topic keeps: refetch the state, then follow from `eventId`. */
export interface WsReset {
  type: "reset";
  topic: string;
  eventId: number;
}

export type WsControl = WsError | WsSubscribed | WsUnsubscribed | WsReset;

/** The `data:` of an SSE frame in the JSON format (sse.ts `jsonFormat`): one hub event. */
export interface JsonFrame<T = unknown> {
  id: number;
  type: string;
  data: T;
}

/** The JSON format's `reset` frame: events were missed; refetch the state. */
export interface JsonReset {
  id: number;
  type: "reset";
}
