// The media page's calls to the Media Server API, and what to tell the user when one fails.
import { url } from "./boot.ts";
import { sizeText } from "./media_format.ts";
import type {
  MediaList,
  MediaProblem,
  MediaSortName,
  MediaToken,
  MediaUploaded,
} from "../../../routes/media/wire.ts";

/** A failed call: the server's words plus what the user can do about it. */
export class MediaFailure extends Error {
  constructor(message: string, readonly hint: string, readonly retry: boolean) {
    super(message);
    this.name = "MediaFailure";
  }
}

/** The message of an error body; a proxy's or a crashed server's may not be the Media Server's. */
function detailOf(body: unknown, status: number): string {
  const detail = (body as Partial<MediaProblem> | null)?.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((d) => `${d.loc?.join(".")}: ${d.msg}`).join("; ");
  return status === 0 ? "The connection dropped." : `The server answered ${status}.`;
}

/** What to do after a failed call with this status (0: no answer at all). */
function failure(body: unknown, status: number, maxUploadBytes: number): MediaFailure {
  const message = detailOf(body, status);
  if (status === 0) {
    return new MediaFailure(message, "Check your connection, then press Retry.", true);
  }
  if (status === 400) {
    return new MediaFailure(
      message,
      "Choose another file, or save this one again as a real JPG, PNG, GIF, WebP, SVG or BMP.",
      false,
    );
  }
  if (status === 413) {
    return new MediaFailure(
      message,
      `Shrink or compress it below ${sizeText(maxUploadBytes)}, then upload it again.`,
      false,
    );
  }
  if (status === 401 || status === 403) {
    return new MediaFailure(message, "Sign in again (reload the page), then press Retry.", true);
  }
  if (status === 429) return new MediaFailure(message, "Wait a moment, then press Retry.", true);
  if (status === 503) {
    return new MediaFailure(message, "Ask the server's admin to enable it.", false);
  }
  return new MediaFailure(message, "The server could not finish: press Retry in a moment.", true);
}

async function jsonCall(path: string, init: RequestInit, maxUploadBytes = Infinity) {
  let response: Response;
  try {
    response = await fetch(url(path), { cache: "no-store", ...init });
  } catch {
    throw failure(null, 0, maxUploadBytes);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw failure(body, response.status, maxUploadBytes);
  return body;
}

export interface ListQuery {
  q: string;
  sort: MediaSortName;
  limit: number;
  offset: number;
}

export async function listMedia(query: ListQuery, signal?: AbortSignal): Promise<MediaList> {
  const params = new URLSearchParams({
    limit: String(query.limit),
    offset: String(query.offset),
    sort: query.sort,
  });
  if (query.q) params.set("q", query.q);
  return await jsonCall(`media?${params}`, { signal }) as MediaList;
}

/** A fresh token, minted by the server for the signed-in admin; one per upload or delete, so single-use tokens work. */
export async function mintToken(): Promise<string> {
  return (await jsonCall("media/admin/token", { method: "POST" }) as MediaToken).token;
}

export async function deleteMedia(filename: string): Promise<void> {
  const token = await mintToken();
  await jsonCall(`media/${filename}?token=${encodeURIComponent(token)}`, { method: "DELETE" });
}

/** The extension the server reads (Python's `Path(name).suffix.lower()`), dot first, or "". */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 && dot < name.length - 1 ? name.slice(dot).toLowerCase() : "";
}

/** Why the server would refuse `file` before a byte is sent, or null when it may go. */
export function refusalOf(
  file: File,
  allowed: string[],
  maxUploadBytes: number,
): MediaFailure | null {
  const ext = extensionOf(file.name);
  if (!allowed.includes(ext)) {
    return new MediaFailure(
      ext ? `${ext} files are not accepted.` : "This file has no extension.",
      `Choose a ${allowed.join(", ")} image.`,
      false,
    );
  }
  if (file.size > maxUploadBytes) {
    return new MediaFailure(
      `It is ${sizeText(file.size)}; the limit is ${sizeText(maxUploadBytes)}.`,
      "Shrink or compress it, then upload it again.",
      false,
    );
  }
  if (file.size === 0) {
    return new MediaFailure("The file is empty.", "Choose the image file itself.", false);
  }
  return null;
}

/** Uploads with XMLHttpRequest, the one browser API that reports upload progress. */
export async function uploadMedia(
  file: File,
  maxUploadBytes: number,
  onProgress: (loaded: number) => void,
): Promise<MediaUploaded> {
  const token = await mintToken();
  return await new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url(`upload?token=${encodeURIComponent(token)}`));
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () =>
      xhr.status === 200
        ? resolve(xhr.response as MediaUploaded)
        : reject(failure(xhr.response, xhr.status, maxUploadBytes));
    xhr.onerror = () => reject(failure(null, 0, maxUploadBytes));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}
