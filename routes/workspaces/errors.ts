// How workspaces fail: one error type with EchoSphere's codes, raised by the service and the /ws
// handlers alike, and translated once per transport (REST: status + `{error, code}`; /ws: an
// `{type: "error", code, error}` event).
import type { Context } from "hono";
import { HttpError } from "../../errors.ts";
import type { WsClient, WsUser } from "../../realtime/ws.ts";

/** Each code with the HTTP status REST answers it with; /ws sends the code alone. */
const STATUS = {
  invalid: 400,
  too_long: 400,
  wrong_kind: 400,
  bad_request: 400,
  invalid_channel: 400,
  invalid_message: 400,
  not_subscribed: 400,
  unauthorized: 401,
  forbidden: 403,
  banned: 403,
  not_found: 404,
  expired: 410,
  too_large: 413,
  unsupported_type: 415,
  used_up: 410,
  conflict: 409,
  rate_limited: 429,
  voice_invalid: 400,
  voice_full: 400,
  voice_not_joined: 400,
  voice_target_missing: 400,
  voice_screen_busy: 400,
} as const;

export type WorkspaceCode = keyof typeof STATUS;

export class WorkspaceError extends Error {
  override name = "WorkspaceError";
  constructor(
    readonly code: WorkspaceCode,
    message: string,
    /** For `rate_limited`: REST's Retry-After, /ws's `retryAfter`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** The REST answer: the code's status, `{error, code}` as EchoSphere's API sends it. */
  toHttp(): HttpError {
    const retry = this.retryAfterSeconds;
    const headers: Record<string, string> = retry === undefined
      ? {}
      : { "retry-after": String(retry) };
    return new HttpError(STATUS[this.code], this.message, { code: this.code, headers });
  }
}

/** Hono's `onError` for the workspace routers: a WorkspaceError becomes its HttpError. */
export function restErrors(err: Error, _c: Context): Response {
  throw err instanceof WorkspaceError ? err.toHttp() : err;
}

export type WsMessage = Record<string, unknown>;
export type WsHandler = (
  client: WsClient,
  user: WsUser,
  message: WsMessage,
) => void | Promise<void>;

/** Runs `handlers[type]` for a signed-in socket; a WorkspaceError becomes an error event. */
export async function runHandler(
  handlers: Record<string, WsHandler>,
  client: WsClient,
  message: WsMessage,
  seen: (client: WsClient) => Promise<void>,
): Promise<void> {
  const extra = message.channelId === undefined ? {} : { channelId: message.channelId };
  try {
    if (!client.user) throw new WorkspaceError("unauthorized", "Log in to use workspaces");
    await seen(client);
    await handlers[String(message.type)](client, client.user, message);
  } catch (error) {
    if (error instanceof WorkspaceError) {
      const retry = error.retryAfterSeconds;
      const more = retry === undefined ? extra : { ...extra, retryAfter: retry };
      return client.error(error.code, error.message, more);
    }
    throw error;
  }
}
