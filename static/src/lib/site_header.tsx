// The header every page shares: Roomcast (home), where you are, and who is signed in or a sign-in.
import { useEffect, useState } from "preact/hooks";
import type { SiteViewer } from "../../../routes/accounts/wire.ts";
import { boot, url } from "./boot.ts";

type MeBody = { user?: { email: string; displayName: string } };

/** The signed-in account: from the page's boot data, else asked of `GET /api/auth/me`. */
function useViewer(): SiteViewer | null | undefined {
  const known = boot<{ viewer?: SiteViewer | null }>().viewer;
  const [viewer, setViewer] = useState(known);
  useEffect(() => {
    if (known !== undefined) return;
    fetch(url("api/auth/me"))
      .then((r) => (r.ok ? r.json() : {}))
      .then((body: MeBody) => setViewer(body.user ? { ...body.user, admin: false } : null))
      .catch(() => setViewer(null));
  }, []);
  return viewer;
}

async function signOut(): Promise<void> {
  await fetch(url("api/auth/logout"), { method: "POST" }).catch(() => {});
  // Home, not a reload: the page signed out of may be one only an admin can open.
  location.href = url("");
}

export function SiteHeader({ here }: { here: string }) {
  const viewer = useViewer();
  const next = encodeURIComponent(location.pathname + location.search);
  return (
    <header class="site-header" id="site-header">
      <a class="site-brand" href={url("")}>Roomcast</a>
      {here && <span class="site-here" id="site-here" title={here}>{here}</span>}
      <span class="site-spacer" />
      {viewer === undefined ? null : viewer
        ? (
          <span class="site-user" id="site-user">
            <span class="site-name" title={`Signed in as ${viewer.email}`}>
              {viewer.displayName}
            </span>
            {viewer.admin && <span class="badge" id="site-admin">admin</span>}
            <button type="button" class="button" id="site-sign-out" onClick={signOut}>
              Sign out
            </button>
          </span>
        )
        : (
          <a class="button" id="site-sign-in" href={url(`login?next=${next}`)}>
            Sign in
          </a>
        )}
    </header>
  );
}
