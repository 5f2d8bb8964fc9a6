// Workspace navigation in the browser: a URL per channel (/app/<server>/<channel>), the unread
// count in the tab title, and drawers that Escape closes.
import { useEffect } from "preact/hooks";
import { url } from "./boot.ts";

/** The channel's own address, for the address bar, back/forward and reload. */
export const channelPath = (serverId: number, channelId: number) =>
  url(`app/${serverId}/${channelId}`);

/** The server and channel `pathname` names (`…/app/<server>/<channel>`), or nothing. */
export function parseChannelPath(pathname: string): { serverId?: number; channelId?: number } {
  const found = pathname.match(/\/app\/(\d{1,15})(?:\/(\d{1,15}))?\/?$/);
  if (!found) return {};
  return { serverId: Number(found[1]), channelId: found[2] ? Number(found[2]) : undefined };
}

/** Puts the channel's path in the address bar: a new history entry unless it is already there. */
export function showChannelPath(serverId: number, channelId: number, replace = false): void {
  const path = channelPath(serverId, channelId);
  if (location.pathname === path) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
}

/** `(3) Workspaces · Roomcast` while anything is unread, the plain title otherwise. */
export function useUnreadTitle(unread: Record<string, number>, base: string): void {
  const total = Object.values(unread).reduce((sum, n) => sum + n, 0);
  useEffect(() => {
    document.title = total ? `(${total > 99 ? "99+" : total}) ${base}` : base;
  }, [total, base]);
}

/** Escape closes the open drawer (the backdrop closes it on a tap outside). */
export function useDrawerEscape(open: boolean, close: () => void): void {
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && close();
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [open]);
}
