// Code sessions on /ws: anyone may follow `code:<CODE>` of a session that exists (the code is the secret).
import type { WsFeature } from "../realtime/ws.ts";
import type { CodeStore } from "../storage/code_store.ts";

export function codeWsFeature(store: Pick<CodeStore, "byCode">): WsFeature {
  return {
    types: [],
    topicPrefix: "code:",
    handle() {},
    // Topics use the canonical code (upper case, no dashes), as the API returns it.
    authorize: (_client, topic) => store.byCode(topic.slice("code:".length)) !== null,
  };
}
