// Workspace navigation in the browser: a URL per channel (/app/<server>/<channel>), the unread
// count in the tab title, and drawers that Escape closes.
import { useEffect, useLayoutEffect } from "preact/hooks";
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

export interface AddressDeps {
  load(want: { serverId?: number; channelId?: number }): Promise<void>;
  show(channelId: number): void;
  serverId(): number | null;
  /** True while what opens is what the address already names: no new history entry then. */
  quiet: { current: boolean };
  /** What to open when the address names nothing (the last channel this browser saw). */
  fallback: { serverId?: number; channelId?: number };
  fail(error: unknown): void;
}

/**
 * Opens the channel the address names (reload, a shared link), else `fallback`, and follows back
 * and forward to the channel each entry names. Returns the function that stops following.
 */
export function followAddress(deps: AddressDeps): () => void {
  const open = (run: () => Promise<void> | void) => {
    deps.quiet.current = true;
    Promise.resolve().then(run).catch(deps.fail).finally(() => (deps.quiet.current = false));
  };
  const first = parseChannelPath(location.pathname);
  open(() => deps.load(first.serverId ? first : deps.fallback));
  const onPop = () => {
    const want = parseChannelPath(location.pathname);
    if (!want.serverId) return;
    const here = want.serverId === deps.serverId() && want.channelId;
    open(() => here ? deps.show(want.channelId!) : deps.load(want));
  };
  addEventListener("popstate", onPop);
  return () => removeEventListener("popstate", onPop);
}

/** `(3) Workspaces · Roomcast` while anything is unread, the plain title otherwise. */
export function useUnreadTitle(unread: Record<string, number>, base: string): void {
  const total = Object.values(unread).reduce((sum, n) => sum + n, 0);
  useEffect(() => {
    document.title = total ? `(${total > 99 ? "99+" : total}) ${base}` : base;
  }, [total, base]);
}

/** Escape closes the open drawer (the backdrop closes it on a tap outside), from its first frame. */
export function useDrawerEscape(open: boolean, close: () => void): void {
  useLayoutEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && close();
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [open]);
}
