// The watch page's player: live HLS, a click-to-unmute prompt, latency in words, a quality picker.
import { useEffect, useRef, useState } from "preact/hooks";
import { type LivePlayer, type PlayerState, playLive, type Quality } from "./hls_player.ts";

/** "About 3 s behind live" — what a viewer wants to know, without the jargon. */
export function latencyWords(seconds: number): string {
  if (seconds < 1.5) return "Almost live";
  if (seconds < 60) return `About ${Math.round(seconds)} s behind live`;
  return `About ${Math.round(seconds / 60)} min behind live`;
}

/** Plays `src` while the room is live, retrying a failed start; its state, latency and levels. */
function useLivePlayer(video: { current: HTMLVideoElement | null }, src: string, live: boolean) {
  const player = useRef<LivePlayer | null>(null);
  const [state, setState] = useState<PlayerState>("loading");
  const [latency, setLatency] = useState<{ seconds: number; from: string } | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [levels, setLevels] = useState<Quality[]>([]);

  useEffect(() => {
    if (!live || !video.current) return;
    let current: LivePlayer | null = playLive(video.current, src, {
      onState: (next, detail) => {
        setState(next);
        // A playlist not written yet, or a broken connection: try again while the room is live.
        // ("ended" is not retried: the room's next `live` event starts a fresh player.)
        if (next === "error") {
          console.warn("Playback failed, retrying", detail);
          current?.destroy();
          current = null;
          player.current = null;
          setTimeout(() => setAttempt((n) => n + 1), 1000);
        }
      },
      onLevels: setLevels,
    });
    player.current = current;
    const timer = setInterval(() => setLatency(current?.latency() ?? null), 1000);
    return () => {
      clearInterval(timer);
      current?.destroy();
      player.current = null;
    };
  }, [src, live, attempt]);
  return { player, state, latency, levels };
}

/** Under a live video: the latency in words (figures behind a toggle) and the quality picker. */
function PlayerBar(props: {
  latency: { seconds: number; from: string } | null;
  levels: Quality[] | null;
  onLevel(index: number): void;
}) {
  const { latency, levels } = props;
  const [level, setLevel] = useState(-1);
  const pick = (index: number) => {
    setLevel(index);
    props.onLevel(index);
  };
  return (
    <div class="player-bar">
      {latency && (
        <details class="latency" id="latency-details">
          <summary id="latency-words">{latencyWords(latency.seconds)}</summary>
          <span id="latency" class="muted">
            Latency {latency.seconds.toFixed(1)} s ({latency.from})
          </span>
        </details>
      )}
      {levels && levels.length > 1 && (
        <label class="quality">
          Quality{" "}
          <select
            id="quality"
            value={level}
            onChange={(e) => pick(Number(e.currentTarget.value))}
          >
            <option value={-1}>Auto</option>
            {levels.map((l) => (
              <option key={l.index} value={l.index}>
                {l.height ? `${l.height}p` : `${Math.round(l.bitrate / 1000)} kb/s`}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}

export function Player(props: { src: string; live: boolean; qualityPicker: boolean }) {
  const { src, live } = props;
  const video = useRef<HTMLVideoElement>(null);
  const { player, state, latency, levels } = useLivePlayer(video, src, live);
  // The room's still beside its playlist, made on request from the newest keyframe: a picture
  // while the player starts, instead of a blank box.
  const still = live ? src.replace(/[^/]*$/, "thumb.jpg") : undefined;
  const [muted, setMuted] = useState(true);

  useEffect(() => {
    const el = video.current;
    if (!el) return;
    const sync = () => setMuted(el.muted);
    el.addEventListener("volumechange", sync);
    return () => el.removeEventListener("volumechange", sync);
  }, []);

  const unmute = () => {
    const el = video.current;
    if (!el) return;
    el.muted = false;
    el.play().catch(() => {});
  };
  const shown = live ? state : "offline";
  return (
    <div class="player-wrap">
      <div class="player" id="player" data-state={shown}>
        <video ref={video} id="video" poster={still} muted autoplay playsInline controls />
        {!live && (
          <div class="poster" id="offline">
            <strong>Offline</strong>
            <span class="muted">
              This room is not streaming right now. It starts here by itself.
            </span>
          </div>
        )}
        {live && state === "loading" && <div class="poster starting">Starting…</div>}
        {live && state === "playing" && muted && (
          <button type="button" class="unmute" id="unmute" onClick={unmute}>
            Click to unmute
          </button>
        )}
      </div>
      {live && (
        <PlayerBar
          latency={latency}
          levels={props.qualityPicker ? levels : null}
          onLevel={(index) => player.current?.setLevel(index)}
        />
      )}
    </div>
  );
}
