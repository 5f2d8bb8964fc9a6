// The media page's upload queue: refuses what the server would refuse before sending, then sends
// one file at a time with progress.
import { useRef, useState } from "preact/hooks";
import { MediaFailure, refusalOf, uploadMedia } from "./media_api.ts";
import type { Upload } from "./media_uploads.tsx";

interface QueueOptions {
  allowed: string[];
  maxUploadBytes: number;
  /** After each stored file, so the grid shows it. */
  onUploaded: () => void;
  setStatus: (text: string) => void;
}

export interface UploadQueue {
  list: Upload[];
  add: (files: FileList | File[]) => void;
  retry: (upload: Upload) => void;
  dismiss: (upload: Upload) => void;
}

export function useUploads(options: QueueOptions): UploadQueue {
  const [list, setList] = useState<Upload[]>([]);
  const nextId = useRef(1);
  // One upload at a time: each gets the whole connection, and the order is the user's.
  const chain = useRef<Promise<void>>(Promise.resolve());
  const update = (id: number, patch: Partial<Upload>) =>
    setList((old) => old.map((u) => (u.id === id ? { ...u, ...patch } : u)));

  const send = (upload: Upload) => {
    chain.current = chain.current.then(async () => {
      try {
        await uploadMedia(
          upload.file,
          options.maxUploadBytes,
          (loaded) => update(upload.id, { loaded }),
        );
        setList((old) => old.filter((u) => u.id !== upload.id));
        options.setStatus(`Uploaded ${upload.file.name}.`);
        options.onUploaded();
      } catch (error) {
        const failure = error instanceof MediaFailure
          ? error
          : new MediaFailure(String(error), "Press Retry.", true);
        update(upload.id, { failure, loaded: 0 });
      }
    });
  };

  return {
    list,
    add(files) {
      const added = [...files].map((file): Upload => {
        const failure = refusalOf(file, options.allowed, options.maxUploadBytes) ?? undefined;
        return { id: nextId.current++, file, loaded: 0, failure };
      });
      setList((old) => [...old, ...added]);
      for (const upload of added) if (!upload.failure) send(upload);
    },
    retry(upload) {
      update(upload.id, { failure: undefined, loaded: 0 });
      send({ ...upload, failure: undefined });
    },
    dismiss(upload) {
      setList((old) => old.filter((u) => u.id !== upload.id));
    },
  };
}
