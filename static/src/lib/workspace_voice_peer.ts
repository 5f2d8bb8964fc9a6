// One WebRTC connection of the voice mesh: "perfect negotiation" over voice:signal, Opus first,
// remote audio into an <audio> element, a remote screen share kept as a stream, the speaking level.
import type { WirePeer } from "./workspace_api.ts";

/** EchoSphere's voice:signal payloads. */
export type SignalPayload =
  | { kind: "sdp"; description: RTCSessionDescriptionInit }
  | { kind: "candidate"; candidate: RTCIceCandidateInit };

export interface PeerHooks {
  signal(payload: SignalPayload): void;
  /** Connection state, remote screen or speaking changed. */
  changed(): void;
}

/** Mean-square level (of full scale) above which someone counts as speaking: about -40 dBFS. */
const SPEAKING_ENERGY = 1e-4;
/** How long a burst keeps the indicator on, so it does not flicker between words. */
const SPEAKING_HOLD_MS = 400;
/** A connection "disconnected" this long gets an ICE restart. */
const DISCONNECTED_RESTART_MS = 3000;
/**
 * How long a description waits for ICE gathering, so its candidates travel inside it rather than
 * one message each (the server allows 5 messages a second); later candidates still trickle.
 */
const GATHER_WAIT_MS = 700;

export class VoicePeer {
  readonly pc: RTCPeerConnection;
  readonly audio = new Audio();
  /** The remote screen share, when this peer sends one. */
  video: MediaStream | null = null;
  speaking = false;
  private makingOffer = false;
  private ignoreOffer = false;
  private queue: Promise<void> = Promise.resolve();
  private energy = { total: 0, duration: 0 };
  private speakingUntil = 0;
  private screenSender: RTCRtpSender | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the last description went out, so new candidates must be sent one by one. */
  private trickle = false;
  /** Bumped by every description set, so a description superseded while it waited is dropped. */
  private generation = 0;
  /** The description waiting for its candidates; a new offer waits for it to go first. */
  private sending: Promise<void> = Promise.resolve();

  constructor(
    readonly info: WirePeer,
    /** The polite side yields when both offer at once. */
    private readonly polite: boolean,
    config: RTCConfiguration,
    local: MediaStream,
    private readonly hooks: PeerHooks,
  ) {
    this.audio.autoplay = true;
    const pc = this.pc = new RTCPeerConnection(config);
    for (const track of local.getAudioTracks()) pc.addTrack(track, local);
    preferOpus(pc);
    pc.onnegotiationneeded = async () => {
      try {
        await this.sending;
        this.makingOffer = true;
        await pc.setLocalDescription();
        await (this.sending = this.sendDescription(++this.generation));
      } catch (error) {
        console.warn("Voice: cannot make an offer", error);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && this.trickle) {
        hooks.signal({ kind: "candidate", candidate: candidate.toJSON() });
      }
    };
    pc.ontrack = ({ track, streams }) => {
      const stream = streams[0] ?? new MediaStream([track]);
      if (track.kind === "audio") {
        this.audio.srcObject = stream;
        void this.audio.play().catch(() => {});
      } else {
        this.video = stream;
        hooks.changed();
      }
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "failed") pc.restartIce();
      hooks.changed();
    };
    pc.oniceconnectionstatechange = () => {
      clearTimeout(this.restartTimer);
      if (pc.iceConnectionState === "disconnected") {
        this.restartTimer = setTimeout(() => this.restartIce(), DISCONNECTED_RESTART_MS);
      }
    };
  }

  /** Handles a voice:signal payload, one at a time, in arrival order. */
  receive(payload: SignalPayload): void {
    this.queue = this.queue.then(() => this.apply(payload)).catch((error) => {
      console.warn("Voice: signal failed", error);
    });
  }

  private async apply(payload: SignalPayload): Promise<void> {
    const pc = this.pc;
    if (payload.kind === "candidate") {
      try {
        await pc.addIceCandidate(payload.candidate);
      } catch (error) {
        if (!this.ignoreOffer) throw error;
      }
      return;
    }
    const description = payload.description;
    const collision = description.type === "offer" &&
      (this.makingOffer || pc.signalingState !== "stable");
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    this.generation++;
    await pc.setRemoteDescription(description);
    if (description.type === "offer") {
      await pc.setLocalDescription();
      await (this.sending = this.sendDescription(++this.generation));
    }
  }

  /** Sends the local description once gathering is done (or after a short wait). */
  private async sendDescription(generation: number): Promise<void> {
    const pc = this.pc;
    this.trickle = false;
    if (pc.iceGatheringState !== "complete") {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, GATHER_WAIT_MS);
        function done() {
          clearTimeout(timer);
          pc.removeEventListener("icegatheringstatechange", check);
          resolve();
        }
        function check() {
          if (pc.iceGatheringState === "complete") done();
        }
        pc.addEventListener("icegatheringstatechange", check);
      });
    }
    // Rolled back or replaced while waiting: what it would send is no longer ours to offer.
    if (generation !== this.generation || !pc.localDescription) return;
    // Read and flip in one step: every candidate from now on is not in what we send.
    this.hooks.signal({ kind: "sdp", description: pc.localDescription!.toJSON() });
    this.trickle = true;
  }

  restartIce(): void {
    if (this.pc.connectionState !== "closed") this.pc.restartIce();
  }

  /** Swaps the microphone (another input device) without renegotiating. */
  async replaceAudio(track: MediaStreamTrack): Promise<void> {
    const sender = this.pc.getSenders().find((s) => s.track?.kind === "audio");
    await sender?.replaceTrack(track);
  }

  shareScreen(stream: MediaStream | null): void {
    if (this.screenSender) {
      this.pc.removeTrack(this.screenSender);
      this.screenSender = null;
    }
    const track = stream?.getVideoTracks()[0];
    if (stream && track) this.screenSender = this.pc.addTrack(track, stream);
  }

  /** Reads the received audio energy since the last call; true when `speaking` changed. */
  async sampleLevel(now: number): Promise<boolean> {
    const stats = await this.pc.getStats();
    let energy = 0;
    let duration = 0;
    stats.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "audio") {
        energy = s.totalAudioEnergy ?? 0;
        duration = s.totalSamplesDuration ?? 0;
      }
    });
    const dE = energy - this.energy.total;
    const dT = duration - this.energy.duration;
    this.energy = { total: energy, duration };
    if (dT > 0 && dE / dT > SPEAKING_ENERGY) this.speakingUntil = now + SPEAKING_HOLD_MS;
    const speaking = now < this.speakingUntil;
    if (speaking === this.speaking) return false;
    this.speaking = speaking;
    return true;
  }

  close(): void {
    clearTimeout(this.restartTimer);
    this.pc.close();
    this.audio.srcObject = null;
  }
}

/** Puts Opus first, so every browser pair talks Opus (with its in-band FEC) whatever the default. */
function preferOpus(pc: RTCPeerConnection): void {
  const codecs = RTCRtpReceiver.getCapabilities?.("audio")?.codecs;
  if (!codecs) return;
  const opus = codecs.filter((c) => c.mimeType.toLowerCase() === "audio/opus");
  const rest = codecs.filter((c) => c.mimeType.toLowerCase() !== "audio/opus");
  for (const t of pc.getTransceivers()) {
    if ("setCodecPreferences" in t) t.setCodecPreferences([...opus, ...rest]);
  }
}
