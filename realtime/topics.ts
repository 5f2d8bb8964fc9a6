// The table of topic namespaces (`image:`, `code:`, …): who may follow a topic, and its history.
import type { WsClient } from "./ws.ts";

/** One family of hub topics, registered by the feature that owns it. */
export interface TopicNamespace {
  /** `"code:"` covers every topic that starts with it; a name without a colon (`"streams"`) only itself. */
  prefix: string;
  /** Events kept per topic for resuming. @default 256 */
  history?: number;
  /**
   * Whether a client may follow `topic`: the /ws socket, or null for an SSE request (which carries
   * no session). Refusing also keeps the hub from growing a topic for a name nobody owns.
   */
  authorize(client: WsClient | null, topic: string): boolean | Promise<boolean>;
}

export interface TopicTable {
  /** Registers a namespace; a prefix may be registered once. */
  add(namespace: TopicNamespace): void;
  find(topic: string): TopicNamespace | undefined;
  /** Events kept for `topic`, for the hub's `historySize`. */
  history(topic: string): number;
  /** False for a topic no namespace owns, a name past `MAX_TOPIC_LENGTH`, or one its owner refuses. */
  authorize(client: WsClient | null, topic: string): Promise<boolean>;
}

/** Longer names are refused before any lookup: no topic of ours comes near it. */
export const MAX_TOPIC_LENGTH = 200;
const DEFAULT_HISTORY = 256;

/** Creates an empty table; SSE, /ws and the hub all read the same one. */
export function createTopicTable(): TopicTable {
  const namespaces: TopicNamespace[] = [];
  const matches = (ns: TopicNamespace, topic: string) =>
    ns.prefix.endsWith(":") ? topic.startsWith(ns.prefix) : topic === ns.prefix;
  const find = (topic: string) => namespaces.find((ns) => matches(ns, topic));

  return {
    add(namespace) {
      if (namespaces.some((ns) => ns.prefix === namespace.prefix)) {
        throw new Error(`Cannot register topic namespace ${namespace.prefix}: already registered`);
      }
      namespaces.push(namespace);
    },
    find,
    history: (topic) => find(topic)?.history ?? DEFAULT_HISTORY,
    async authorize(client, topic) {
      if (topic.length > MAX_TOPIC_LENGTH) return false;
      const namespace = find(topic);
      return namespace !== undefined && await namespace.authorize(client, topic);
    },
  };
}
