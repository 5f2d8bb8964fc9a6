// The profile dialog (name, avatar, password, sign out everywhere) and the avatar every list shows:
// the uploaded picture, else one generated from the name.
import { useEffect, useState } from "preact/hooks";
import { url } from "./boot.ts";
import { apiCall, ApiError } from "./workspace_api.ts";
import { Dialog } from "./workspace_views.tsx";
import type { ProfileView } from "../../../routes/workspaces/community_wire.ts";

const problem = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A stable hue from the name, so a generated avatar keeps its colour. */
function hueOf(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) % 360;
  return h;
}

export function Avatar(props: { name: string; url?: string | null; size?: number }) {
  const size = props.size ?? 28;
  const style = { width: `${size}px`, height: `${size}px` };
  if (props.url) return <img class="ws-avatar" src={props.url} alt="" style={style} />;
  const initial = [...props.name.trim()][0]?.toUpperCase() ?? "?";
  return (
    <span
      class="ws-avatar"
      aria-hidden="true"
      style={{ ...style, background: `hsl(${hueOf(props.name)} 45% 40%)` }}
    >
      {initial}
    </span>
  );
}

/** Sends the picked file as the request body; the server checks its bytes, not its name. */
async function uploadAvatar(file: File): Promise<ProfileView> {
  const response = await fetch(url("api/profile/avatar"), {
    method: "PUT",
    credentials: "same-origin",
    body: file,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data.error ?? "Upload failed", data.code);
  return data as ProfileView;
}

type Run = (work: () => Promise<string>) => Promise<void>;

function PasswordForm(props: { run: Run }) {
  const { run } = props;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const data = new FormData(form);
        void run(async () => {
          await apiCall("POST", "api/profile/password", {
            currentPassword: data.get("current"),
            newPassword: data.get("next"),
          });
          form.reset();
          return "Password changed";
        });
      }}
    >
      <label>
        Current password
        <input type="password" name="current" required autoComplete="current-password" />
      </label>
      <label>
        New password
        <input
          type="password"
          name="next"
          required
          minLength={8}
          autoComplete="new-password"
        />
      </label>
      <button type="submit">Change password</button>
    </form>
  );
}

function AvatarSection(
  props: { profile: ProfileView; setProfile(p: ProfileView): void; run: Run },
) {
  const { profile, setProfile, run } = props;
  return (
    <section class="ws-profile-head">
      <Avatar name={profile.displayName} url={profile.avatarUrl} size={56} />
      <label class="ws-file">
        Upload avatar
        <input
          type="file"
          id="avatar-file"
          accept="image/png,image/jpeg,image/gif,image/webp"
          onChange={(e) => {
            const file = (e.target as HTMLInputElement).files?.[0];
            if (file) {
              void run(async () => (setProfile(await uploadAvatar(file)), "Avatar updated"));
            }
          }}
        />
      </label>
      {profile.avatarUrl && (
        <button
          type="button"
          onClick={() =>
            run(async () => (
              setProfile(await apiCall<ProfileView>("DELETE", "api/profile/avatar")),
                "Avatar removed"
            ))}
        >
          Remove
        </button>
      )}
    </section>
  );
}

export function ProfileDialog(props: { onClose(): void }) {
  const [profile, setProfile] = useState<ProfileView | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [name, setName] = useState("");
  useEffect(() => {
    apiCall<ProfileView>("GET", "api/profile").then(
      (p) => (setProfile(p), setName(p.displayName)),
      (e) => setStatus({ ok: false, text: problem(e) }),
    );
  }, []);
  const run = async (work: () => Promise<string>) => {
    try {
      setStatus({ ok: true, text: await work() });
    } catch (e) {
      setStatus({ ok: false, text: problem(e) });
    }
  };
  if (!profile) return <Dialog title="Profile" onClose={props.onClose}>{null}</Dialog>;
  return (
    <Dialog title="Profile" onClose={props.onClose}>
      <div class="ws-community" id="profile-dialog">
        <AvatarSection profile={profile} setProfile={setProfile} run={run} />
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const displayName = new FormData(e.currentTarget).get("displayName");
            void run(async () => (
              setProfile(await apiCall<ProfileView>("PATCH", "api/profile", { displayName })),
                "Name saved"
            ));
          }}
        >
          <label>
            Display name
            <input
              name="displayName"
              id="profile-name"
              required
              maxLength={64}
              value={name}
              onInput={(e) => setName((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" id="profile-save">Save name</button>
        </form>
        <PasswordForm run={run} />
        {status && (
          <p class={status.ok ? "muted" : "form-error"} role="status" id="profile-status">
            {status.text}
          </p>
        )}
        <button
          type="button"
          class="danger"
          id="sign-out-everywhere"
          onClick={async () => {
            if (!confirm("Sign out on every device, this one included?")) return;
            await apiCall("POST", "api/auth/logout-all", {}).catch(() => {});
            location.assign(url("login"));
          }}
        >
          Sign out everywhere
        </button>
      </div>
    </Dialog>
  );
}
