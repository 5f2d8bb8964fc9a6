// How workspace /ws handlers fail: an EchoSphere error code raised as WsProblem, sent back as
// `{type: "error", code, error}`; shared by the text and voice handlers.
import { HttpError } from "../../errors.ts";
import type { WsClient, WsUser } from "../../realtime/ws.ts";

export class WsProblem extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export type WsMessage = Record<string, unknown>;
export type WsHandler = (client: WsClient, user: WsUser, message: WsMessage) => void;

/** Runs `handlers[type]` for a signed-in socket; problems and HTTP errors become error events. */
export function runHandler(
  handlers: Record<string, WsHandler>,
  client: WsClient,
  message: WsMessage,
  seen: (client: WsClient) => void,
): void {
  const extra = message.channelId === undefined ? {} : { channelId: message.channelId };
  try {
    if (!client.user) throw new WsProblem("unauthorized", "Log in to use workspaces");
    seen(client);
    handlers[String(message.type)](client, client.user, message);
  } catch (error) {
    if (error instanceof WsProblem) return client.error(error.code, error.message, extra);
    if (error instanceof HttpError) {
      return client.error(error.code ?? "bad_request", error.message, extra);
    }
    throw error;
  }
}
