// The voice parts of the workspace app: who is in a voice channel (under it in the sidebar), the
// controls while in voice, and the shared screen.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  apiCall,
  type IceConfig,
  type VoiceRosters,
  type WorkspaceEvent,
} from "./workspace_api.ts";
import { createVoice, type Voice, type VoiceView } from "./workspace_voice.ts";
import { mergeRosters, type VoiceRoster } from "./workspace_voice_roster.ts";

export type { VoiceRoster };

/** The people in one voice channel; speaking rings and connection states when it is ours. */
export function VoiceRosterList(props: {
  channelId: number;
  roster: VoiceRoster | undefined;
  view: VoiceView;
}) {
  const { roster, view } = props;
  if (!roster || roster.participants.length === 0) return null;
  const mine = view.channelId === props.channelId && !view.joining;
  return (
    <ul class="ws-voice-roster" data-voice-roster={props.channelId}>
      {roster.participants.map((p) => {
        const isSelf = mine && p.id === view.self?.id;
        const peer = mine ? view.peers.find((x) => x.id === p.id) : undefined;
        const speaking = isSelf ? view.selfSpeaking : peer?.speaking ?? false;
        return (
          <li
            key={p.id}
            data-peer-id={p.id}
            data-speaking={speaking ? "true" : "false"}
            data-connection={isSelf ? "self" : peer?.connection ?? ""}
            class={speaking ? "speaking" : ""}
            title={p.email}
          >
            <span class="ws-avatar" aria-hidden="true">{p.displayName.slice(0, 1)}</span>
            <span class="ws-channel-name">{p.displayName}</span>
            {roster.screen === p.id && <span class="ws-live">LIVE</span>}
            {peer && peer.connection !== "connected" && (
              <span class="muted ws-conn">{peer.connection}</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** Controls while in a voice channel: mute, deafen, screen, devices, leave. */
export function VoiceBar(props: { view: VoiceView; channelName: string; voice: Voice }) {
  const { view, voice } = props;
  if (view.channelId === null) return null;
  const sharingSelf = view.sharer !== null && view.sharer === view.self?.id;
  const someoneElse = view.sharer !== null && !sharingSelf;
  return (
    <section class="ws-voice-bar" id="voice-bar" aria-label="Voice">
      <span class="ws-voice-where">
        <b>{view.joining ? "Joining…" : "Voice"}</b>{" "}
        <span class="muted">∿ {props.channelName}</span>
      </span>
      <button
        type="button"
        id="voice-mute"
        aria-pressed={view.muted}
        class={view.muted ? "on" : ""}
        onClick={() => voice.setMuted(!view.muted)}
      >
        {view.muted ? "Unmute" : "Mute"}
      </button>
      <button
        type="button"
        id="voice-deafen"
        aria-pressed={view.deafened}
        class={view.deafened ? "on" : ""}
        onClick={() => voice.setDeafened(!view.deafened)}
      >
        {view.deafened ? "Undeafen" : "Deafen"}
      </button>
      {"getDisplayMedia" in (navigator.mediaDevices ?? {}) && (
        <button
          type="button"
          id="voice-share"
          disabled={view.joining || someoneElse}
          title={someoneElse ? "Someone else is sharing a screen" : "Share your screen"}
          onClick={() => (sharingSelf ? voice.stopShare() : void voice.startShare())}
        >
          {sharingSelf ? "Stop sharing" : "Share screen"}
        </button>
      )}
      <details class="ws-voice-devices">
        <summary>Devices</summary>
        <div class="ws-voice-menu">
          <DeviceSelect
            id="voice-input"
            label="Microphone"
            devices={view.inputs}
            value={view.inputId}
            onPick={(id) => void voice.setInput(id)}
          />
          {view.canPickOutput && (
            <DeviceSelect
              id="voice-output"
              label="Speaker"
              devices={view.outputs}
              value={view.outputId}
              onPick={(id) => void voice.setOutput(id)}
            />
          )}
        </div>
      </details>
      <button type="button" id="voice-leave" class="danger" onClick={() => voice.leave()}>
        Leave
      </button>
    </section>
  );
}

/** The screen someone in our voice channel shares. */
export function ScreenView(props: { stream: MediaStream | null; who: string; own: boolean }) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = video.current;
    if (!el) return;
    if (el.srcObject !== props.stream) el.srcObject = props.stream;
    void el.play().catch(() => {});
  }, [props.stream]);
  if (!props.stream) return null;
  return (
    <section class="ws-screen" aria-label="Shared screen">
      <p class="muted">{props.own ? "You are sharing your screen" : `${props.who}'s screen`}</p>
      <video id="screen-video" ref={video} autoplay playsInline muted />
    </section>
  );
}

const IDLE: VoiceView = {
  channelId: null,
  joining: false,
  self: null,
  selfSpeaking: false,
  peers: [],
  muted: false,
  deafened: false,
  sharer: null,
  screen: null,
  inputs: [],
  outputs: [],
  inputId: "",
  outputId: "",
  canPickOutput: false,
};

/** One voice session for the app's lifetime, sending over `send` (the app's /ws socket). */
export function useVoice(
  send: (message: Record<string, unknown>) => boolean,
  onError: (message: string) => void,
): { voice: Voice; view: VoiceView } {
  const [view, setView] = useState<VoiceView>(IDLE);
  const hooks = useRef({ send, onError });
  hooks.current = { send, onError };
  const voice = useMemo(() =>
    createVoice({
      send: (m) => hooks.current.send(m),
      onError: (m) => hooks.current.onError(m),
      onView: setView,
      iceConfig: async () => {
        const r = await apiCall<IceConfig>("GET", "api/voice/ice");
        return { iceServers: r.iceServers };
      },
    }), []);
  useEffect(() => () => voice.close(), [voice]);
  return { voice, view };
}

/** The voice rosters of the shown server: fetched with it, then kept live by voice:roster events. */
export function useVoiceRosters(serverId: () => number | null) {
  const [byChannel, setByChannel] = useState<Record<string, VoiceRoster>>({});
  // Event ids count per server topic: a fetch for another server replaces, never merges.
  const shown = useRef<number | null>(null);
  return {
    byChannel,
    async load(id: number) {
      const r = await apiCall<VoiceRosters>("GET", `api/servers/${id}/voice`).catch(() => null);
      if (!r || serverId() !== id) return;
      const same = shown.current === id;
      shown.current = id;
      setByChannel((current) => mergeRosters(same ? current : {}, r.voice, r.eventId));
    },
    onEvent(e: Extract<WorkspaceEvent, { type: "voice:roster" }>) {
      const id = e.serverId;
      if (id !== serverId()) return;
      const same = shown.current === id;
      shown.current = id;
      setByChannel((current) => ({
        ...(same ? current : {}),
        [e.channelId]: { participants: e.participants, screen: e.screen, eventId: e.eventId },
      }));
    },
  };
}

/** One device list (microphones or speakers), "Default" first; unnamed devices get a number. */
function DeviceSelect(
  props: {
    id: string;
    label: string;
    devices: MediaDeviceInfo[];
    value: string;
    onPick(deviceId: string): void;
  },
) {
  return (
    <label>
      {props.label}
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onPick((e.target as HTMLSelectElement).value)}
      >
        <option value="">Default</option>
        {props.devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || `${props.label} ${i + 1}`}
          </option>
        ))}
      </select>
    </label>
  );
}
