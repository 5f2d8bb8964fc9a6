// One room in the studio: settings, OBS settings with a reveal, live health, viewers, invites, chat.
import { useEffect, useState } from "preact/hooks";
import { timeAgo } from "./boot.ts";
import { duration } from "./stream_time.ts";
import type {
  CreatedInvite,
  StreamHealth,
  StudioRoomDetail,
} from "../../../routes/streams/wire.ts";
import { call, copyText } from "./studio_api.ts";

function CopyButton({ id, text }: { id: string; text: string | null }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      id={id}
      disabled={!text}
      onClick={() => text && copyText(text).then((ok) => setDone(ok))}
    >
      {done ? "Copied" : "Copy"}
    </button>
  );
}

function Obs({ room, onError }: { room: StudioRoomDetail; onError(e: unknown): void }) {
  const [key, setKey] = useState<string | null>(null);
  useEffect(() => setKey(null), [room.slug]);
  const reveal = () =>
    call("GET", `api/rooms/${room.slug}/key`).then((r) => setKey(r.streamKey ?? ""), onError);
  const rotate = () => {
    if (!confirm("Rotate the key? The current publisher is dropped and OBS needs the new key.")) {
      return;
    }
    call("POST", `api/rooms/${room.slug}/rotate`).then((r) => setKey(r.streamKey), onError);
  };
  return (
    <section class="panel">
      <h3>OBS settings</h3>
      <label class="field">
        <span class="muted">Server</span>
        <div class="chat-row">
          <input id="obs-server" readOnly value={room.rtmpUrl} class="secret" />
          <CopyButton id="copy-server" text={room.rtmpUrl} />
        </div>
      </label>
      <label class="field">
        <span class="muted">Stream key</span>
        <div class="chat-row">
          <input
            id="obs-key"
            readOnly
            class="secret"
            value={key === null ? "••••••••••••••••" : key || "Rotate the key to see it here"}
          />
          {key === null
            ? <button type="button" id="reveal-key" onClick={reveal}>Reveal</button>
            : <CopyButton id="copy-key" text={key || null} />}
        </div>
      </label>
      <button type="button" id="rotate-key" onClick={rotate}>Rotate key</button>
    </section>
  );
}

const figure = (value: number | null, unit = "") => (value === null ? "–" : `${value}${unit}`);

function HealthPanel({ health, live }: { health: StreamHealth | null; live: boolean }) {
  if (!live || !health) {
    return (
      <p class="muted" id="health-none">
        {live
          ? "No figures yet: they come from Roomcast's own RTMP listener (not nginx-rtmp)."
          : "Health figures appear while the room is live."}
      </p>
    );
  }
  const rows: [string, string, string][] = [
    ["codec", "Video codec", health.videoCodec ?? "–"],
    [
      "resolution",
      "Resolution",
      health.width ? `${health.width}×${health.height}` : "–",
    ],
    // Publisher timestamps are whole milliseconds: 30 fps measures 29.99 or 30.01.
    [
      "fps",
      "Frame rate",
      figure(health.fps === null ? null : Math.round(health.fps * 10) / 10, " fps"),
    ],
    ["video-kbps", "Video bitrate", figure(health.videoKbps, " kb/s")],
    [
      "audio",
      "Audio",
      health.audioCodec
        ? `${health.audioCodec}${health.sampleRate ? ` ${health.sampleRate / 1000} kHz` : ""}${
          health.channels
            ? ` ${
              health.channels === 1
                ? "mono"
                : health.channels === 2
                ? "stereo"
                : `${health.channels} ch`
            }`
            : ""
        }`
        : "–",
    ],
    ["audio-kbps", "Audio bitrate", figure(health.audioKbps, " kb/s")],
    ["keyframe", "Keyframe interval", figure(health.keyframeSeconds, " s")],
    [
      "drops",
      "Publisher drops",
      `${health.drops} dropped${
        health.lastDropReason ? ` (last: ${health.lastDropReason})` : ""
      }, ${health.reconnects} reconnects, ${health.stalls} stalls`,
    ],
  ];
  return (
    <dl class="health" id="health">
      {rows.map(([id, label, value]) => (
        <div key={id}>
          <dt>{label}</dt>
          <dd id={`health-${id}`}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function ViewerGraph({ points }: { points: { at: number; viewers: number }[] }) {
  if (points.length < 2) {
    return <p class="muted" id="viewer-graph-empty">The viewer graph starts with the stream.</p>;
  }
  const t0 = points[0].at;
  const span = Math.max(1, points[points.length - 1].at - t0);
  const top = Math.max(1, ...points.map((p) => p.viewers));
  const line = points.map((p) => `${((p.at - t0) / span) * 100},${40 - (p.viewers / top) * 36}`);
  return (
    <figure>
      <svg class="graph" id="viewer-graph" viewBox="0 0 100 40" preserveAspectRatio="none">
        <polyline points={line.join(" ")} />
      </svg>
      <figcaption class="muted">Viewers over this stream (peak {top})</figcaption>
    </figure>
  );
}

function Settings({ room, onError, onDeleted }: {
  room: StudioRoomDetail;
  onError(e: unknown): void;
  onDeleted(): void;
}) {
  const [name, setName] = useState(room.name);
  const [description, setDescription] = useState(room.description);
  useEffect(() => (setName(room.name), setDescription(room.description)), [room.slug]);
  const patch = (body: Record<string, unknown>) =>
    call("PATCH", `api/rooms/${room.slug}`, body).catch(onError);
  // The box shows what was clicked until the room says otherwise: bound to `room.private` alone it
  // flipped back for the PATCH's round trip, and a click on a slow server looked refused.
  const [privateShown, setPrivateShown] = useState<boolean | null>(null);
  useEffect(() => setPrivateShown(null), [room.private]);
  const setPrivate = (value: boolean) => {
    setPrivateShown(value);
    call("PATCH", `api/rooms/${room.slug}`, { private: value }).catch((error) => {
      setPrivateShown(null);
      onError(error);
    });
  };
  const remove = () => {
    if (!confirm(`Delete “${room.name}”, its chat and its invites?`)) return;
    call("DELETE", `api/rooms/${room.slug}`).then(onDeleted, onError);
  };
  return (
    <section class="panel">
      <h3>Room</h3>
      <form onSubmit={(e) => (e.preventDefault(), patch({ name, description }))}>
        <label class="field">
          <span class="muted">Name</span>
          <input
            id="room-name"
            value={name}
            maxLength={100}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span class="muted">Description</span>
          <textarea
            id="room-description"
            rows={2}
            maxLength={500}
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </label>
        <button type="submit" id="save-room">Save</button>
      </form>
      <label class="field">
        <span>
          <input
            type="checkbox"
            id="private-toggle"
            checked={privateShown ?? room.private}
            onChange={(e) => setPrivate(e.currentTarget.checked)}
          />{" "}
          Private: only invited browsers can watch
        </span>
      </label>
      <label class="field">
        <span class="muted">Slow mode</span>
        <select
          id="slow-mode"
          value={room.slowModeSeconds}
          onChange={(e) => patch({ slowModeSeconds: Number(e.currentTarget.value) })}
        >
          {[0, 5, 10, 30, 60, 300].map((s) => (
            <option key={s} value={s}>{s === 0 ? "Off" : `One message every ${s} s`}</option>
          ))}
        </select>
      </label>
      <button type="button" id="delete-room" onClick={remove}>Delete room</button>
    </section>
  );
}

function Invites({ room, onError }: { room: StudioRoomDetail; onError(e: unknown): void }) {
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  const [minutes, setMinutes] = useState("1440");
  const [uses, setUses] = useState("");
  const create = () =>
    call("POST", `api/rooms/${room.slug}/invites`, {
      expiresInMinutes: minutes ? Number(minutes) : undefined,
      maxUses: uses ? Number(uses) : undefined,
    }).then(setCreated, onError);
  const revoke = (id: number) =>
    call("DELETE", `api/rooms/${room.slug}/invites/${id}`).catch(onError);
  return (
    <section class="panel">
      <h3>Invite links</h3>
      {!room.private && <p class="muted">The room is public; invites matter once it is private.</p>}
      <div class="chat-row">
        <select
          id="invite-expiry"
          value={minutes}
          onChange={(e) => setMinutes(e.currentTarget.value)}
        >
          <option value="60">Expires in 1 h</option>
          <option value="1440">Expires in 1 day</option>
          <option value="10080">Expires in 1 week</option>
          <option value="">Never expires</option>
        </select>
        <input
          id="invite-uses"
          type="number"
          min={1}
          placeholder="Uses (any)"
          value={uses}
          onInput={(e) => setUses(e.currentTarget.value)}
        />
        <button type="button" id="invite-create" onClick={create}>Create</button>
      </div>
      {created?.url && (
        <div class="chat-row">
          <input id="invite-link" readOnly value={created.url} />
          <CopyButton id="invite-copy" text={created.url} />
        </div>
      )}
      <ul class="rows" id="invites">
        {room.invites.map((i) => (
          <li key={i.id} data-state={i.state}>
            <span>#{i.id}</span>
            <span class="muted">{i.state}</span>
            <span class="muted">
              {i.uses}
              {i.maxUses ? `/${i.maxUses}` : ""} uses
              {i.expiresAt ? ` · expires ${new Date(i.expiresAt).toLocaleString()}` : ""}
            </span>
            {i.state === "active" && (
              <button type="button" onClick={() => revoke(i.id)}>Revoke</button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Moderation({ room, onError }: { room: StudioRoomDetail; onError(e: unknown): void }) {
  const act = (method: string, path: string, body?: unknown) =>
    call(method, `api/rooms/${room.slug}/${path}`, body).catch(onError);
  return (
    <section class="panel">
      <h3>Chat</h3>
      <p class="muted">
        {room.presence.nicknames.length
          ? `In chat: ${room.presence.nicknames.join(", ")}`
          : "Nobody in chat"} · {room.presence.anonymous} watching without chatting
      </p>
      <ul class="rows" id="studio-messages">
        {room.messages.slice(-15).map((m) => (
          <li key={m.id}>
            <strong>{m.nickname}</strong>
            <span>{m.content}</span>
            <button type="button" onClick={() => act("DELETE", `messages/${m.id}`)}>Delete</button>
            <button type="button" onClick={() => act("POST", "bans", { messageId: m.id })}>
              Ban
            </button>
          </li>
        ))}
      </ul>
      <h3>Bans</h3>
      <ul class="rows" id="bans">
        {room.bans.length === 0 && <li class="muted">None</li>}
        {room.bans.map((b) => (
          <li key={b.id}>
            {b.nickname}
            <button type="button" onClick={() => act("DELETE", `bans/${b.id}`)}>Unban</button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        id="clear-chat"
        onClick={() => confirm("Delete every message of this room?") && act("POST", "clear")}
      >
        Clear chat
      </button>
    </section>
  );
}

export function StudioRoom(
  props: { room: StudioRoomDetail; onError(e: unknown): void; onDeleted(): void },
) {
  const { room, onError } = props;
  const uptime = room.liveSince ? duration(Date.now() - Date.parse(room.liveSince)) : "";
  return (
    <div class="studio-room" id="studio-room" data-slug={room.slug}>
      <section class="panel">
        <h2>
          {room.name}{" "}
          <span id="live-status" class={room.isLive ? "badge live" : "badge"}>
            {room.isLive ? "Live" : "Offline"}
          </span>
        </h2>
        <p class="muted" id="studio-uptime">
          {room.isLive
            ? `Live for ${uptime}`
            : room.lastLiveAt
            ? `Last live ${timeAgo(room.lastLiveAt)}`
            : "Never live yet"} · <span id="studio-viewers">{room.viewers}</span> watching ·{" "}
          <a href={room.watchUrl}>Watch page</a>
        </p>
        <HealthPanel health={room.health} live={room.isLive} />
        {room.isLive && <ViewerGraph points={room.viewerGraph} />}
      </section>
      <div class="studio-cols">
        <Obs room={room} onError={onError} />
        <Settings room={room} onError={onError} onDeleted={props.onDeleted} />
        <Invites room={room} onError={onError} />
        <Moderation room={room} onError={onError} />
      </div>
    </div>
  );
}
