// Reactions and pins on /ws: `reaction:add` / `reaction:remove` `{messageId, emoji}` and
// `pin` / `unpin` `{messageId}`; the changes come back to every follower as `reaction` and `pin`.
import { parseId } from "../../edge/fields.ts";
import { WorkspaceError, type WsHandler } from "./errors.ts";
import type { WorkspaceService } from "./service.ts";

const messageIdOf = (value: unknown): number => {
  const id = parseId(value);
  if (id === null) throw new WorkspaceError("bad_request", "messageId must be a positive integer");
  return id;
};

export function messageExtrasHandlers(service: WorkspaceService): Record<string, WsHandler> {
  return {
    async "reaction:add"(_client, user, m) {
      await service.react(user, messageIdOf(m.messageId), m.emoji, true);
    },
    async "reaction:remove"(_client, user, m) {
      await service.react(user, messageIdOf(m.messageId), m.emoji, false);
    },
    async pin(_client, user, m) {
      await service.pin(user, messageIdOf(m.messageId), true);
    },
    async unpin(_client, user, m) {
      await service.pin(user, messageIdOf(m.messageId), false);
    },
  };
}
