// Workspace attachments in the browser: upload by picker, drop or paste with progress, files shown
// under their message, images inline with a lightbox.
import { useEffect, useLayoutEffect, useState } from "preact/hooks";
import type { ErrorBody } from "../../../errors.ts";
import type { AttachmentView, MessageWithFiles } from "../../../routes/workspaces/nav_wire.ts";
import { url } from "./boot.ts";

export type { AttachmentView, MessageWithFiles };

/** One upload in flight (or failed), shown beside the composer. */
export interface Upload {
  id: number;
  name: string;
  /** 0..1 of the bytes sent. */
  progress: number;
  error?: string;
}

const sizeText = (n: number) =>
  n < 1024
    ? `${n} B`
    : n < 1048576
    ? `${(n / 1024).toFixed(0)} KB`
    : `${(n / 1048576).toFixed(1)} MB`;

/**
 * Posts `file` as a message of `channelId` (multipart, the caption before the file so the server
 * reads it first). XHR, not fetch: only XHR reports upload progress.
 */
export function uploadAttachment(
  channelId: number,
  file: File,
  onProgress: (sent: number) => void,
): Promise<MessageWithFiles> {
  const body = new FormData();
  body.set("file", file, file.name || "pasted.png");
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url(`api/channels/${channelId}/attachments`));
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let data: Partial<ErrorBody> & Partial<MessageWithFiles> = {};
      try {
        data = JSON.parse(xhr.responseText);
      } catch { /* a proxy's HTML error page: the status says enough */ }
      if (xhr.status === 201) resolve(data as MessageWithFiles);
      else reject(new Error(data.error ?? `Upload failed (${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error("Upload failed: the connection was lost"));
    xhr.send(body);
  });
}

/** Uploads with their progress; `start` sends files to the open channel. */
export function useUploads(onPosted: (message: MessageWithFiles) => void) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const update = (id: number, change: Partial<Upload>) =>
    setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...change } : u)));
  const start = (channelId: number, files: Iterable<File>) => {
    for (const file of files) {
      const id = Math.random();
      setUploads((list) => [...list, { id, name: file.name || "pasted image", progress: 0 }]);
      uploadAttachment(channelId, file, (progress) => update(id, { progress }))
        .then((message) => {
          setUploads((list) => list.filter((u) => u.id !== id));
          onPosted(message);
        })
        .catch((error) => update(id, { error: (error as Error).message }));
    }
  };
  const dismiss = (id: number) => setUploads((list) => list.filter((u) => u.id !== id));
  return { uploads, start, dismiss };
}

/** The uploads in flight, each with a bar, and failed ones with why (tap to dismiss). */
export function UploadList(props: { uploads: Upload[]; onDismiss(id: number): void }) {
  if (!props.uploads.length) return null;
  return (
    <ul class="ws-uploads" id="uploads">
      {props.uploads.map((u) => (
        <li key={u.id} class={u.error ? "failed" : ""}>
          <span class="name">{u.name}</span>
          {u.error
            ? (
              <button type="button" class="link" onClick={() => props.onDismiss(u.id)}>
                {u.error} ×
              </button>
            )
            : <progress max={1} value={u.progress} />}
        </li>
      ))}
    </ul>
  );
}

/** The composer's file button: a hidden picker. */
export function AttachButton(props: { disabled: boolean; onFiles(files: File[]): void }) {
  return (
    <label class={`ws-attach ${props.disabled ? "disabled" : ""}`} title="Attach files">
      <input
        type="file"
        id="attach"
        multiple
        hidden
        disabled={props.disabled}
        onChange={(e) => {
          const input = e.target as HTMLInputElement;
          props.onFiles([...input.files ?? []]);
          input.value = "";
        }}
      />
      <span aria-hidden="true">＋</span>
      <span class="visually-hidden">Attach files</span>
    </label>
  );
}

/** Files dropped on, or pasted into, the page go to `onFiles` (text pastes stay text). */
export function useDropAndPaste(onFiles: (files: File[]) => void): void {
  useEffect(() => {
    const over = (e: DragEvent) => e.dataTransfer?.types.includes("Files") && e.preventDefault();
    const drop = (e: DragEvent) => {
      if (!e.dataTransfer?.files.length) return;
      e.preventDefault();
      onFiles([...e.dataTransfer.files]);
    };
    const paste = (e: ClipboardEvent) => {
      const files = [...e.clipboardData?.files ?? []];
      if (!files.length) return;
      e.preventDefault();
      onFiles(files);
    };
    addEventListener("dragover", over);
    addEventListener("drop", drop);
    addEventListener("paste", paste);
    return () => {
      removeEventListener("dragover", over);
      removeEventListener("drop", drop);
      removeEventListener("paste", paste);
    };
  }, [onFiles]);
}

/** A message's files: images inline (a tap opens the lightbox), the rest as download links. */
export function MessageFiles(props: { files?: AttachmentView[] }) {
  const [open, setOpen] = useState<AttachmentView | null>(null);
  if (!props.files?.length) return null;
  return (
    <div class="ws-files">
      {props.files.map((f) =>
        f.contentType.startsWith("image/")
          ? (
            <button type="button" class="ws-image" key={f.id} onClick={() => setOpen(f)}>
              <img src={f.url} alt={f.name} loading="lazy" />
            </button>
          )
          : (
            <a class="ws-file" key={f.id} href={f.url} download={f.name} rel="noopener">
              {f.name} <span class="muted">{sizeText(f.size)}</span>
            </a>
          )
      )}
      {open && <Lightbox file={open} onClose={() => setOpen(null)} />}
    </div>
  );
}

function Lightbox(props: { file: AttachmentView; onClose(): void }) {
  // Before the first paint, not after it (useEffect waits a frame): an Escape pressed as soon as
  // the lightbox shows must close it.
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
  return (
    <div
      class="ws-lightbox"
      id="lightbox"
      role="dialog"
      aria-label={props.file.name}
      onClick={props.onClose}
    >
      <img src={props.file.url} alt={props.file.name} />
      <a href={props.file.url} download={props.file.name} onClick={(e) => e.stopPropagation()}>
        Download {props.file.name}
      </a>
    </div>
  );
}
