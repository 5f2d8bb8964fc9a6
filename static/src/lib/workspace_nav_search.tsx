// Workspace search in the browser: the query box, the results panel, and the jump to a result in
// its channel (the page of history around it, the message highlighted).
import { useState } from "preact/hooks";
import type {
  MessageContext,
  SearchResult,
  SearchResults,
} from "../../../routes/workspaces/nav_wire.ts";
import { apiCall } from "./workspace_api.ts";

export type { MessageContext };

/** Loads the history around `messageId`, then scrolls it into view, highlighted. */
export async function loadContext(messageId: number): Promise<MessageContext> {
  return await apiCall<MessageContext>("GET", `api/messages/${messageId}/context?limit=25`);
}

/** Scrolls to the message once it is drawn, and marks it for a moment. */
export function highlightMessage(messageId: number): void {
  requestAnimationFrame(() => {
    const item = document.querySelector(`[data-message-id="${messageId}"]`);
    if (!item) return;
    item.scrollIntoView({ block: "center" });
    item.classList.add("ws-jumped");
    setTimeout(() => item.classList.remove("ws-jumped"), 2000);
  });
}

export function SearchBox(props: {
  serverId: number | null;
  onJump(result: SearchResult): void;
}) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState<SearchResults | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    if (!props.serverId || !q.trim()) return;
    try {
      setError(null);
      const query = new URLSearchParams({ q });
      setFound(
        await apiCall<SearchResults>("GET", `api/servers/${props.serverId}/search?${query}`),
      );
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const close = () => (setFound(null), setError(null));
  return (
    <div class="ws-search">
      <form role="search" onSubmit={(e) => (e.preventDefault(), void run())}>
        <input
          type="search"
          id="search"
          placeholder="Search: words, from:, in:, has:file"
          aria-label="Search this server"
          value={q}
          maxLength={200}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => e.key === "Escape" && close()}
        />
      </form>
      {(found || error) && (
        <div class="ws-results" id="search-results">
          <header>
            <b>
              {error ?? `${found!.results.length} result${found!.results.length === 1 ? "" : "s"}`}
            </b>
            <button type="button" class="link" onClick={close}>Close</button>
          </header>
          <ul>
            {found?.results.map((r) => (
              <li key={r.id}>
                <button type="button" onClick={() => (close(), props.onJump(r))}>
                  <span class="muted">#{r.channelName} · {r.authorDisplayName}</span>
                  <span class="text">
                    {r.content || r.attachments?.map((a) => a.name).join(", ")}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
