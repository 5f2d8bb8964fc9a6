// The upload queue under the toolbar: a progress bar while a file goes up, what to do if it failed.
import type { MediaFailure } from "./media_api.ts";
import { sizeText } from "./media_format.ts";

export interface Upload {
  id: number;
  file: File;
  loaded: number;
  /** Set once it failed; the progress bar is gone then. */
  failure?: MediaFailure;
}

interface UploadsProps {
  uploads: Upload[];
  onRetry: (upload: Upload) => void;
  onDismiss: (upload: Upload) => void;
}

export function MediaUploads({ uploads, onRetry, onDismiss }: UploadsProps) {
  if (uploads.length === 0) return null;
  return (
    <ul class="uploads" id="uploads">
      {uploads.map((u) => (
        <li key={u.id} class={u.failure ? "upload failed" : "upload"}>
          <span class="upload-name" title={u.file.name}>{u.file.name}</span>
          {u.failure
            ? (
              <>
                <span class="upload-error" role="alert">
                  <b class="media-error">{u.failure.message}</b> {u.failure.hint}
                </span>
                <span class="upload-actions">
                  {u.failure.retry && (
                    <button
                      type="button"
                      class="button"
                      onClick={() => onRetry(u)}
                    >
                      Retry
                    </button>
                  )}
                  <button type="button" class="button" onClick={() => onDismiss(u)}>
                    Dismiss
                  </button>
                </span>
              </>
            )
            : (
              <>
                <progress max={u.file.size || 1} value={u.loaded} />
                <span class="muted upload-size">
                  {sizeText(u.loaded)} / {sizeText(u.file.size)}
                </span>
              </>
            )}
        </li>
      ))}
    </ul>
  );
}
