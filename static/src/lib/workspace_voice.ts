// Voice in the browser: a WebRTC audio mesh per voice channel, signaled with EchoSphere's voice:*
// events over /ws; mute, deafen, devices, speaking indicators, screen share, ICE restarts.
import type { WsError } from "../../../realtime/wire.ts";
import type { WirePeer, WorkspaceEvent } from "./workspace_api.ts";
import { type SignalPayload, VoicePeer } from "./workspace_voice_peer.ts";

/** What `handle` takes: a voice:* event, or an error answering a voice request. */
export type VoiceEvent = Extract<WorkspaceEvent, { type: `voice:${string}` }> | WsError;

export interface PeerView extends WirePeer {
  connection: RTCPeerConnectionState | "new";
  speaking: boolean;
}

export interface VoiceView {
  /** The channel this tab talks in, or the one it is joining. */
  channelId: number | null;
  joining: boolean;
  self: WirePeer | null;
  selfSpeaking: boolean;
  peers: PeerView[];
  muted: boolean;
  deafened: boolean;
  /** Who shares a screen in this channel (a peer id, maybe our own). */
  sharer: string | null;
  /** What to show of that share: the remote stream, or our own capture as a preview. */
  screen: MediaStream | null;
  inputs: MediaDeviceInfo[];
  outputs: MediaDeviceInfo[];
  inputId: string;
  outputId: string;
  /** Whether the browser can route audio to another output (`setSinkId`). */
  canPickOutput: boolean;
}

export interface VoiceOptions {
  send(message: Record<string, unknown>): boolean;
  /** RTCConfiguration from GET /api/voice/ice (fetched on every join: TURN credentials expire). */
  iceConfig(): Promise<RTCConfiguration>;
  onView(view: VoiceView): void;
  onError(message: string): void;
}

export interface Voice {
  join(channelId: number): Promise<void>;
  leave(): void;
  /** After the socket reconnected: the server forgot us, so join again with a fresh mesh. */
  rejoin(): void;
  /** A voice:* event (or an error about a voice request) from /ws. */
  handle(event: VoiceEvent): void;
  setMuted(muted: boolean): void;
  setDeafened(deafened: boolean): void;
  setInput(deviceId: string): Promise<void>;
  setOutput(deviceId: string): Promise<void>;
  startShare(): Promise<void>;
  stopShare(): void;
  close(): void;
}

const TICK_MS = 250;
const VOICE_ERRORS = new Set(["voice_full", "voice_invalid", "forbidden", "not_found"]);

/** The microphone, with the browser's voice processing; the default one if `deviceId` is gone. */
async function microphone(deviceId: string): Promise<MediaStream> {
  const open = (id: string) =>
    navigator.mediaDevices.getUserMedia({
      audio: {
        ...(id ? { deviceId: { exact: id } } : {}),
        echoCancellation: true,
        noiseSuppression: true,
        autoGainControl: true,
      },
      video: false,
    });
  try {
    return await open(deviceId);
  } catch (error) {
    // A headset remembered from last time may be unplugged now.
    if (deviceId && (error as Error).name === "OverconstrainedError") return await open("");
    throw error;
  }
}

export function createVoice(options: VoiceOptions): Voice {
  let channelId: number | null = null;
  let joining = false;
  let self: WirePeer | null = null;
  let local: MediaStream | null = null;
  let config: RTCConfiguration = {};
  /** Everyone in the channel; `peers` only those we have a connection with. */
  const known = new Map<string, WirePeer>();
  const peers = new Map<string, VoicePeer>();
  let muted = false;
  let deafened = false;
  let mutedBeforeDeafen = false;
  let sharer: string | null = null;
  let display: MediaStream | null = null;
  let inputs: MediaDeviceInfo[] = [];
  let outputs: MediaDeviceInfo[] = [];
  let inputId = localStorage.getItem("roomcast.voice.input") ?? "";
  let outputId = localStorage.getItem("roomcast.voice.output") ?? "";
  let selfSpeaking = false;
  let selfEnergy = { total: 0, duration: 0, until: 0 };
  let ticker: ReturnType<typeof setInterval> | undefined;
  const canPickOutput = "setSinkId" in HTMLMediaElement.prototype;

  const emit = () =>
    options.onView({
      channelId,
      joining,
      self,
      selfSpeaking,
      peers: [...known.values()].map((info) => {
        const peer = peers.get(info.id);
        return {
          ...info,
          connection: peer?.pc.connectionState ?? "new",
          speaking: peer?.speaking ?? false,
        };
      }),
      muted,
      deafened,
      sharer,
      screen: sharer === null
        ? null
        : sharer === self?.id
        ? display
        : peers.get(sharer)?.video ?? null,
      inputs,
      outputs,
      inputId,
      outputId,
      canPickOutput,
    });

  const refreshDevices = async () => {
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    inputs = devices.filter((d) => d.kind === "audioinput");
    outputs = devices.filter((d) => d.kind === "audiooutput");
    emit();
  };

  const connect = (info: WirePeer): VoicePeer => {
    const peer = new VoicePeer(info, (self?.id ?? "") < info.id, config, local!, {
      signal: (payload) => {
        options.send({ type: "voice:signal", channelId, target: info.id, payload });
      },
      changed: emit,
    });
    peer.audio.muted = deafened;
    if (outputId && canPickOutput) void peer.audio.setSinkId(outputId).catch(() => {});
    if (display && sharer === self?.id) peer.shareScreen(display);
    peers.set(info.id, peer);
    return peer;
  };

  const dropPeers = () => {
    for (const peer of peers.values()) peer.close();
    peers.clear();
    known.clear();
  };

  const sampleSelf = async (now: number) => {
    const first = peers.values().next().value;
    if (!first || muted) return (selfSpeaking = false, undefined);
    const stats = await first.pc.getStats();
    stats.forEach((s) => {
      if (s.type !== "media-source" || s.kind !== "audio") return;
      const dE = (s.totalAudioEnergy ?? 0) - selfEnergy.total;
      const dT = (s.totalSamplesDuration ?? 0) - selfEnergy.duration;
      const until = dT > 0 && dE / dT > 1e-4 ? now + 400 : selfEnergy.until;
      selfEnergy = { total: s.totalAudioEnergy ?? 0, duration: s.totalSamplesDuration ?? 0, until };
    });
    selfSpeaking = now < selfEnergy.until;
  };

  const tick = async () => {
    const now = performance.now();
    const before = selfSpeaking;
    const changed = await Promise.all([...peers.values()].map((p) => p.sampleLevel(now)));
    await sampleSelf(now);
    if (changed.some(Boolean) || before !== selfSpeaking) emit();
  };

  const stopLocal = () => {
    for (const track of local?.getTracks() ?? []) track.stop();
    local = null;
    for (const track of display?.getTracks() ?? []) track.stop();
    display = null;
  };

  const reset = () => {
    dropPeers();
    stopLocal();
    clearInterval(ticker);
    channelId = null;
    joining = false;
    self = null;
    sharer = null;
    selfSpeaking = false;
    emit();
  };

  const applyMute = () => {
    for (const track of local?.getAudioTracks() ?? []) track.enabled = !muted;
  };

  const restartAll = () => {
    for (const peer of peers.values()) peer.restartIce();
  };
  const onLeavePage = () => voice.leave();
  addEventListener("online", restartAll);
  addEventListener("pagehide", onLeavePage);
  const connection = (navigator as { connection?: EventTarget }).connection;
  connection?.addEventListener("change", restartAll);

  const voice: Voice = {
    async join(id) {
      if (channelId === id) return;
      if (channelId !== null) voice.leave();
      channelId = id;
      joining = true;
      emit();
      try {
        const [ice, stream] = await Promise.all([options.iceConfig(), microphone(inputId)]);
        if (channelId !== id) return void stream.getTracks().forEach((t) => t.stop());
        config = ice;
        local = stream;
      } catch (error) {
        reset();
        return options.onError(`Cannot join voice: ${(error as Error).message}`);
      }
      applyMute();
      void refreshDevices();
      options.send({ type: "voice:join", channelId: id });
    },
    leave() {
      if (channelId === null) return;
      options.send({ type: "voice:leave", channelId });
      reset();
    },
    rejoin() {
      if (channelId === null || !local) return;
      dropPeers();
      sharer = null;
      for (const track of display?.getTracks() ?? []) track.stop();
      display = null;
      joining = true;
      emit();
      options.send({ type: "voice:join", channelId });
    },
    handle(e) {
      const forUs = e.channelId === channelId;
      switch (e.type) {
        case "voice:participants": {
          if (!forUs || !joining) return;
          joining = false;
          self = e.self;
          sharer = e.screen;
          // The joiner offers to everyone already there, as EchoSphere's clients expect.
          for (const p of e.participants) {
            known.set(p.id, p);
            connect(p);
          }
          clearInterval(ticker);
          ticker = setInterval(() => void tick().catch(() => {}), TICK_MS);
          return emit();
        }
        case "voice:peer-joined":
          if (!forUs) return;
          known.set(e.peer.id, e.peer);
          return emit();
        case "voice:peer-left": {
          if (!forUs) return;
          const id = e.peer.id;
          peers.get(id)?.close();
          peers.delete(id);
          known.delete(id);
          return emit();
        }
        case "voice:signal": {
          const { signal } = e;
          if (!forUs || !local || !signal?.payload) return;
          const info = known.get(signal.from);
          if (!info) return;
          // Relayed as the sending tab wrote it: one of ours, or nothing we act on.
          (peers.get(info.id) ?? connect(info)).receive(signal.payload as SignalPayload);
          return;
        }
        case "voice:screen": {
          if (!forUs) return;
          sharer = e.peer?.id ?? null;
          if (sharer === self?.id && display) {
            for (const p of peers.values()) p.shareScreen(display);
          }
          return emit();
        }
        case "error":
          if (e.code === "voice_screen_busy") {
            for (const track of display?.getTracks() ?? []) track.stop();
            display = null;
            return emit();
          }
          if (forUs && joining && VOICE_ERRORS.has(e.code)) reset();
      }
    },
    setMuted(value) {
      muted = value;
      // Speaking up means hearing again too.
      if (!muted && deafened) {
        deafened = false;
        applyDeafen();
      }
      applyMute();
      emit();
    },
    setDeafened(value) {
      if (value && !deafened) mutedBeforeDeafen = muted;
      deafened = value;
      // Deafened people cannot hear the room, so they are not heard either (as in Discord).
      muted = value ? true : mutedBeforeDeafen;
      applyDeafen();
      applyMute();
      emit();
    },
    async setInput(deviceId) {
      inputId = deviceId;
      localStorage.setItem("roomcast.voice.input", deviceId);
      if (!local) return emit();
      const stream = await microphone(deviceId);
      const track = stream.getAudioTracks()[0];
      for (const peer of peers.values()) await peer.replaceAudio(track);
      for (const old of local.getTracks()) old.stop();
      local = stream;
      applyMute();
      emit();
    },
    async setOutput(deviceId) {
      outputId = deviceId;
      localStorage.setItem("roomcast.voice.output", deviceId);
      if (canPickOutput) {
        for (const peer of peers.values()) await peer.audio.setSinkId(deviceId).catch(() => {});
      }
      emit();
    },
    async startShare() {
      if (channelId === null || joining) return;
      if (sharer && sharer !== self?.id) {
        return options.onError("Someone else is sharing a screen in this channel");
      }
      try {
        display = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      } catch (error) {
        return options.onError(`Cannot share the screen: ${(error as Error).message}`);
      }
      // The browser's own "Stop sharing" button ends the track.
      display.getVideoTracks()[0]?.addEventListener("ended", () => voice.stopShare());
      options.send({ type: "voice:screen", channelId, sharing: true });
      emit();
    },
    stopShare() {
      if (!display) return;
      for (const track of display.getTracks()) track.stop();
      display = null;
      for (const peer of peers.values()) peer.shareScreen(null);
      options.send({ type: "voice:screen", channelId, sharing: false });
      emit();
    },
    close() {
      voice.leave();
      removeEventListener("online", restartAll);
      removeEventListener("pagehide", onLeavePage);
      connection?.removeEventListener("change", restartAll);
    },
  };

  function applyDeafen() {
    for (const peer of peers.values()) peer.audio.muted = deafened;
  }

  return voice;
}
