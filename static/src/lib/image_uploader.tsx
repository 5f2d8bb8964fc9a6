// The viewer's upload panel: pick, drop or paste an image, an optional caption, progress, errors.
import { useEffect, useRef, useState } from "preact/hooks";
import {
  type Credentials,
  rememberCredentials,
  storedCredentials,
  UploadError,
  uploadImage,
} from "./image_upload.ts";

export interface UploaderProps {
  room: string;
  /** A signed-in admin needs no credentials. */
  admin: boolean;
  maxCaption: number;
  maxUploadBytes: number;
  /** A file dropped or pasted onto the page, handed in by the viewer. */
  file: File | null;
  onFile(file: File | null): void;
  onClose(): void;
  /** The upload landed; the room's SSE brings it to every viewer, this one included. */
  onUploaded(): void;
}

type Phase = { kind: "idle" } | { kind: "uploading"; fraction: number } | {
  kind: "error";
  message: string;
};

const ACCEPT = "image/png,image/jpeg,image/gif,image/webp,image/bmp,image/avif";

function Preview({ file }: { file: File }) {
  const [src, setSrc] = useState("");
  useEffect(() => {
    const objectUrl = URL.createObjectURL(file);
    setSrc(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [file]);
  return <img class="upload-preview" src={src} alt="" />;
}

interface LoginProps {
  user: string;
  password: string;
  onUser(value: string): void;
  onPassword(value: string): void;
}

/** The room's Basic credentials, asked once per tab. */
function LoginFields({ user, password, onUser, onPassword }: LoginProps) {
  return (
    <fieldset class="upload-login">
      <legend>Room uploader (or admin, to make the room)</legend>
      <input
        id="upload-user"
        autocomplete="username"
        placeholder="User"
        required
        value={user}
        onInput={(e) => onUser((e.target as HTMLInputElement).value)}
      />
      <input
        id="upload-password"
        type="password"
        autocomplete="current-password"
        placeholder="Password"
        required
        value={password}
        onInput={(e) => onPassword((e.target as HTMLInputElement).value)}
      />
    </fieldset>
  );
}

function UploadStatus({ phase }: { phase: Phase }) {
  if (phase.kind === "uploading") {
    return (
      <div class="upload-progress">
        <progress id="upload-progress" max={1} value={phase.fraction} />
        <span>{Math.round(phase.fraction * 100)}%</span>
      </div>
    );
  }
  return phase.kind === "error" ? <p class="upload-error" role="alert">{phase.message}</p> : null;
}

/** The chosen image's preview, or the drop zone; a click opens the file picker. */
function FilePicker({ file, onFile }: { file: File | null; onFile(file: File | null): void }) {
  const picker = useRef<HTMLInputElement>(null);
  return (
    <div class={`drop-zone${file ? " has-file" : ""}`} onClick={() => picker.current?.click()}>
      {file ? <Preview file={file} /> : <span>Drop an image here, paste one, or pick a file</span>}
      <input
        ref={picker}
        type="file"
        accept={ACCEPT}
        id="upload-file"
        hidden
        onChange={(e) => onFile((e.target as HTMLInputElement).files?.[0] ?? null)}
      />
    </div>
  );
}

export function ImageUploader(props: UploaderProps) {
  const { room, file } = props;
  const [credentials, setCredentials] = useState<Credentials | null>(() => storedCredentials(room));
  const [user, setUser] = useState(credentials?.user ?? "");
  const [password, setPassword] = useState("");
  const [caption, setCaption] = useState("");
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const needsLogin = !props.admin && !credentials;
  const tooLarge = file !== null && file.size > props.maxUploadBytes;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file || tooLarge) return;
    const using = props.admin ? null : credentials ?? { user: user.trim(), password };
    setPhase({ kind: "uploading", fraction: 0 });
    try {
      await uploadImage({
        room,
        file,
        caption: caption.trim() || undefined,
        credentials: using,
        onProgress: (fraction) => setPhase({ kind: "uploading", fraction }),
      });
      if (using) rememberCredentials(room, using);
      setCredentials(using);
      setCaption("");
      setPhase({ kind: "idle" });
      props.onFile(null);
      props.onUploaded();
    } catch (error) {
      const status = error instanceof UploadError ? error.status : 0;
      if (status === 401) {
        // Forget what failed, so the form asks again instead of resending it.
        rememberCredentials(room, null);
        setCredentials(null);
        setPassword("");
      }
      setPhase({ kind: "error", message: (error as Error).message });
    }
  };

  const uploading = phase.kind === "uploading";
  return (
    <form class="uploader" id="uploader" onSubmit={submit} aria-label={`Upload to ${room}`}>
      <div class="uploader-head">
        <strong>Upload to {room}</strong>
        <button type="button" class="button" onClick={props.onClose} aria-label="Close">✕</button>
      </div>
      <FilePicker file={file} onFile={props.onFile} />
      {tooLarge && (
        <p class="upload-error" role="alert">
          This file is larger than the {Math.round(props.maxUploadBytes / 1e6)} MB rooms take.
        </p>
      )}
      <input
        type="text"
        id="upload-caption"
        placeholder="Caption (optional)"
        maxLength={props.maxCaption}
        value={caption}
        onInput={(e) => setCaption((e.target as HTMLInputElement).value)}
      />
      {needsLogin && (
        <LoginFields user={user} password={password} onUser={setUser} onPassword={setPassword} />
      )}
      {credentials && !props.admin && (
        <p class="muted upload-as">
          Uploading as <b>{credentials.user}</b>{" "}
          <button
            type="button"
            class="link-button"
            onClick={() => (rememberCredentials(room, null), setCredentials(null))}
          >
            change
          </button>
        </p>
      )}
      <UploadStatus phase={phase} />
      <button type="submit" class="button primary" id="upload-send" disabled={!file || uploading}>
        {uploading ? "Uploading…" : "Upload"}
      </button>
    </form>
  );
}
