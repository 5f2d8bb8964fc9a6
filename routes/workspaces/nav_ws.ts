// Search and a message's context on /ws: `search` answers `search:results`, `context` answers
// `context`, with the REST answers' bodies (nav_wire.ts) and the same rules (nav_service.ts).
import { parseId } from "../../edge/fields.ts";
import type { WsFeature } from "../../realtime/ws.ts";
import { runHandler, WorkspaceError, type WsHandler } from "./errors.ts";
import type { NavService } from "./nav_service.ts";

const required = (value: unknown, what: string): number => {
  const id = parseId(value);
  if (id === null) throw new WorkspaceError("bad_request", `${what} must be a positive integer`);
  return id;
};
const optional = (value: unknown, what: string) =>
  value === undefined ? undefined : required(value, what);

export function createNavWs(nav: NavService): WsFeature {
  const handlers: Record<string, WsHandler> = {
    async search(client, user, m) {
      const serverId = required(m.serverId, "serverId");
      const found = await nav.search(
        user,
        serverId,
        m.q,
        optional(m.before, "before"),
        optional(m.limit, "limit"),
      );
      client.send({ type: "search:results", ...found });
    },
    async context(client, user, m) {
      const messageId = required(m.messageId, "messageId");
      const found = await nav.context(user, messageId, optional(m.limit, "limit"));
      client.send({ type: "context", ...found });
    },
  };
  return {
    types: Object.keys(handlers),
    // Lookups only: they change nothing, so they need no ordering with the socket's other messages.
    handle: (client, message) => runHandler(handlers, client, message, async () => {}),
  };
}
