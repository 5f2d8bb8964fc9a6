// The one error type routes throw, and the one handler that turns errors into JSON responses.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The JSON key a seed's clients read the message from: `{"error": ...}` or `{"detail": ...}`. */
export type ErrorShape = "error" | "detail";

/** An error body in the `error` shape; `code` is for programs (EchoSphere's clients read it). */
export interface ErrorBody {
  error: string;
  code?: string;
}

/** An error body in the `detail` shape (the Media Server's FastAPI). */
export interface DetailBody {
  detail: string;
}

export interface HttpErrorOptions {
  /** @default "error" */
  shape?: ErrorShape;
  /** A machine-readable code, sent as `code` beside an `error`. */
  code?: string;
  headers?: Record<string, string>;
}

/** An error with the status and message the client should see. */
export class HttpError extends Error {
  readonly shape: ErrorShape;
  readonly code?: string;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    options: HttpErrorOptions = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.shape = options.shape ?? "error";
    this.code = options.code;
    this.headers = options.headers ?? {};
  }

  /** The JSON body in the seed's shape. */
  body(): ErrorBody | DetailBody {
    if (this.shape === "detail") return { detail: this.message };
    return this.code ? { error: this.message, code: this.code } : { error: this.message };
  }
}

/** Makes `HttpError`s of one shape, for a router whose seed speaks `{"detail"}`. */
export function errorsOf(
  shape: ErrorShape,
): (status: ContentfulStatusCode, message: string, options?: HttpErrorOptions) => HttpError {
  return (status, message, options) => new HttpError(status, message, { ...options, shape });
}

type Logger = { error(msg: string, fields?: Record<string, unknown>): void };

/** Hono's `onError`: HttpErrors become their JSON; anything else is logged and becomes a 500. */
export function errorHandler(log: Logger): (err: Error, c: Context) => Response {
  return (err, c) => {
    if (err instanceof HttpError) {
      return c.json(err.body(), err.status, err.headers);
    }
    // Hono's own HTTPException (e.g. from its body-limit middleware) carries a ready response.
    const maybe = err as { getResponse?: () => Response; status?: number };
    if (typeof maybe.getResponse === "function" && typeof maybe.status === "number") {
      return c.json(
        { error: err.message || "Request failed" },
        maybe.status as ContentfulStatusCode,
      );
    }
    if (/\(os error 30\)/.test(String(err?.message))) {
      // A read-only DATA_DIR (Deno Deploy, a volume mounted ro): the htpasswd files, which only
      // the operator edits there, cannot be written by this server.
      log.error("Cannot write to a read-only DATA_DIR", { path: c.req.path, error: err.message });
      return c.json(
        { error: "This server's DATA_DIR is read-only: edit its htpasswd files on the volume" },
        503,
      );
    }
    log.error("Unhandled error", { path: c.req.path, error: String(err?.stack ?? err) });
    return c.json({ error: "Internal server error" }, 500);
  };
}
