// The workspace page's top bar: the drawers' toggles, the channel's name, search, pins, the
// community's menu (as children) and the connection's state.
import type { ComponentChildren } from "preact";
import type { ConnectionState } from "./ws_socket.ts";
import type { SearchResult } from "../../../routes/workspaces/nav_wire.ts";
import { SearchBox } from "./workspace_nav_search.tsx";

export type Panel = "none" | "channels" | "members";

/** Opens one drawer (on narrow screens), or closes it when it is the one open. */
function PanelToggle(
  props: { panel: Panel; setPanel(p: Panel): void; drawer: Panel; label: string; text: string },
) {
  return (
    <button
      type="button"
      class="ws-toggle"
      id={`toggle-${props.drawer}`}
      aria-label={props.label}
      onClick={() => props.setPanel(props.panel === props.drawer ? "none" : props.drawer)}
    >
      {props.text}
    </button>
  );
}

export function TopBar(props: {
  channelName: string;
  serverId: number | null;
  connection: ConnectionState;
  panel: Panel;
  setPanel(panel: Panel): void;
  onJump(result: SearchResult): void;
  onPins(): void;
  children: ComponentChildren;
}) {
  return (
    <header class="ws-top">
      <PanelToggle {...props} drawer="channels" label="Channels" text="☰" />
      <h1># {props.channelName}</h1>
      <SearchBox serverId={props.serverId} onJump={props.onJump} />
      <button
        type="button"
        class="ws-toggle"
        id="toggle-pins"
        aria-label="Pinned messages"
        title="Pinned messages"
        onClick={props.onPins}
      >
        Pins
      </button>
      {props.children}
      <span class={`status status-${props.connection}`} id="conn" data-state={props.connection}>
        {props.connection}
      </span>
      <PanelToggle {...props} drawer="members" label="Members" text="Members" />
    </header>
  );
}
