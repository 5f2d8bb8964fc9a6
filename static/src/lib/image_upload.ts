// Browser uploads to an image room: Basic credentials kept for the tab, XHR for upload progress.
import type { Uploaded } from "../../../routes/images/wire.ts";
import { url } from "./boot.ts";

export interface Credentials {
  user: string;
  password: string;
}

// sessionStorage: the tab remembers them, closing it forgets them; never written to disk by us.
const key = (room: string) => `roomcast:image-room:${room}`;

export function storedCredentials(room: string): Credentials | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(key(room)) ?? "null");
    return value && typeof value.user === "string" && typeof value.password === "string"
      ? value
      : null;
  } catch {
    return null;
  }
}

export function rememberCredentials(room: string, credentials: Credentials | null): void {
  if (credentials) sessionStorage.setItem(key(room), JSON.stringify(credentials));
  else sessionStorage.removeItem(key(room));
}

/** `Basic` with the user and password in UTF-8, as the server's parser reads them. */
export function basicHeader({ user, password }: Credentials): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return "Basic " + btoa(String.fromCharCode(...bytes));
}

/** Why an upload failed, with the server's status (0: the network). */
export class UploadError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "UploadError";
  }
}

export interface UploadOptions {
  room: string;
  file: Blob;
  caption?: string;
  /** None for a signed-in admin, whose session cookie is enough. */
  credentials: Credentials | null;
  onProgress(fraction: number): void;
  signal?: AbortSignal;
}

/** Posts imgcast's form (`image`, and `caption`) with XHR, whose upload events fetch lacks. */
export function uploadImage(options: UploadOptions): Promise<Uploaded> {
  const form = new FormData();
  // The caption first, so the server has read it by the time the image arrives.
  if (options.caption) form.append("caption", options.caption);
  form.append("image", options.file, (options.file as File).name || "pasted-image");
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url(`${options.room}/upload`));
    // Asks for a 401 without a challenge, so the browser shows no native login prompt.
    xhr.setRequestHeader("x-roomcast-ui", "1");
    if (options.credentials) {
      xhr.setRequestHeader("authorization", basicHeader(options.credentials));
    }
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => e.lengthComputable && options.onProgress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status === 200) return resolve(xhr.response as Uploaded);
      const message = (xhr.response as { error?: string } | null)?.error ??
        `Upload failed (${xhr.status})`;
      reject(new UploadError(xhr.status, message));
    };
    xhr.onerror = () => reject(new UploadError(0, "Upload failed: the server cannot be reached"));
    xhr.onabort = () => reject(new UploadError(0, "Upload cancelled"));
    options.signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(form);
  });
}
