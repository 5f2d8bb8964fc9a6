// How the Redis hub names its keys and channels and reads the events that come back from Redis.
import { TopicEvent } from "./hub.ts";

/** A topic's id counter, its history Stream, and the floor every topic's ids start above. */
export function keysOf(prefix: string, topic: string): [string, string, string] {
  return [`${prefix}id:${topic}`, `${prefix}stream:${topic}`, `${prefix}floor`];
}

/** The pub/sub channel a topic's events travel on. */
export function channelOf(prefix: string, topic: string): string {
  return `${prefix}ch:${topic}`;
}

/** The topic a channel (see channelOf) carries. */
export function topicOfChannel(prefix: string, channel: string): string {
  return channel.slice(prefix.length + 3);
}

/**
 * A pub/sub message as the publish script writes it: `<id> <kind> <body>`, kind `1` a kept event,
 * `0` a fleeting one, `d` the topic dropped (no body).
 */
export function parseMessage(message: string): { id: number; kind: string; body: string } {
  const space = message.indexOf(" ");
  return {
    id: Number(message.slice(0, space)),
    kind: message.slice(space + 1, space + 2),
    body: message.slice(space + 3),
  };
}

/** The event an id and its stored body make; null for a body that is not one of ours. */
export function eventOf(topic: string, id: number, body: string): TopicEvent<unknown> | null {
  try {
    const { type, data, at } = JSON.parse(body);
    return new TopicEvent(id, topic, type, data, at, 0);
  } catch {
    return null;
  }
}
