// The workspace page's dialogs: create a server, a channel, an invite link; join from an invite.
import { useEffect, useState } from "preact/hooks";
import {
  apiCall,
  type Channel,
  type InvitePreview,
  type InviteView,
  type RedeemedInvite,
  type ServerView,
  type ServerWithChannels,
} from "./workspace_api.ts";
import { Dialog, FormDialog } from "./workspace_views.tsx";

export type DialogKind = null | "server" | "channel" | "invite" | { join: string };

interface Props {
  kind: Exclude<DialogKind, null>;
  server: ServerView | undefined;
  onClose(): void;
  /** A server was created or joined. */
  onServer(id: number): void;
  onChannel(channel: Channel): void;
}

const problem = (e: unknown) => (e instanceof Error ? e.message : String(e));

function JoinDialog(props: { code: string; onClose(): void; onServer(id: number): void }) {
  const [preview, setPreview] = useState<InvitePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    apiCall<InvitePreview>("GET", `api/invites/${encodeURIComponent(props.code)}`)
      .then(setPreview, (e) => setError(problem(e)));
  }, [props.code]);
  const join = async () => {
    try {
      const r = await apiCall<RedeemedInvite>(
        "POST",
        `api/invites/${encodeURIComponent(props.code)}`,
      );
      props.onServer(r.server.id);
    } catch (e) {
      setError(problem(e));
    }
  };
  return (
    <Dialog title="Join a server" onClose={props.onClose}>
      {preview && (
        <p>
          You are invited to <b id="invite-server-name">{preview.server.name}</b>{" "}
          ({preview.memberCount} members).
        </p>
      )}
      {error && <p class="form-error" role="alert">{error}</p>}
      <button type="button" class="primary" id="join-invite" disabled={!preview} onClick={join}>
        Join
      </button>
    </Dialog>
  );
}

function InviteDialog(props: { server: ServerView; onClose(): void }) {
  const [link, setLink] = useState<string | null>(null);
  return (
    <FormDialog
      title={`Invite people to ${props.server.name}`}
      submit="Create link"
      onClose={props.onClose}
      onSubmit={async (form) => {
        const seconds = Number(form.get("expires"));
        const uses = Number(form.get("maxUses"));
        try {
          const invite = await apiCall<InviteView>(
            "POST",
            `api/servers/${props.server.id}/invites`,
            {
              expiresInSeconds: seconds || undefined,
              maxUses: uses || undefined,
            },
          );
          setLink(location.origin + invite.url);
          return null;
        } catch (e) {
          return problem(e);
        }
      }}
    >
      <label>
        Expires
        <select name="expires">
          <option value="0">Never</option>
          <option value="3600">After 1 hour</option>
          <option value="86400">After 1 day</option>
          <option value="604800">After 7 days</option>
        </select>
      </label>
      <label>
        Max uses <input type="number" name="maxUses" min="1" placeholder="No limit" />
      </label>
      {link && (
        <label>
          Share this link
          <input
            id="invite-link"
            readOnly
            value={link}
            onFocus={(e) => (e.target as HTMLInputElement).select()}
          />
          <button type="button" onClick={() => void navigator.clipboard?.writeText(link)}>
            Copy
          </button>
        </label>
      )}
    </FormDialog>
  );
}

export function WorkspaceDialog(props: Props) {
  const { kind, server } = props;
  if (typeof kind === "object") {
    return <JoinDialog code={kind.join} onClose={props.onClose} onServer={props.onServer} />;
  }
  if (kind === "invite" && server) return <InviteDialog server={server} onClose={props.onClose} />;
  if (kind === "server") {
    return (
      <FormDialog
        title="Create a server"
        submit="Create"
        onClose={props.onClose}
        onSubmit={async (form) => {
          try {
            const r = await apiCall<ServerWithChannels>("POST", "api/servers", {
              name: form.get("name"),
            });
            props.onServer(r.server.id);
            return null;
          } catch (e) {
            return problem(e);
          }
        }}
      >
        <label>
          Name <input id="dialog-name" name="name" required maxLength={100} autoFocus />
        </label>
      </FormDialog>
    );
  }
  if (kind === "channel" && server) {
    return (
      <FormDialog
        title={`New channel in ${server.name}`}
        submit="Create"
        onClose={props.onClose}
        onSubmit={async (form) => {
          try {
            const channel = await apiCall<Channel>("POST", `api/servers/${server.id}`, {
              name: form.get("name"),
              kind: form.get("kind"),
            });
            props.onChannel(channel);
            return null;
          } catch (e) {
            return problem(e);
          }
        }}
      >
        <label>
          Name <input id="dialog-name" name="name" required maxLength={64} autoFocus />
        </label>
        <label>
          Kind
          <select name="kind" id="dialog-kind">
            <option value="text">Text</option>
            <option value="voice">Voice</option>
          </select>
        </label>
      </FormDialog>
    );
  }
  return null;
}
