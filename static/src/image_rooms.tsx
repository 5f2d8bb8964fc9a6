// The image rooms admin page (/rooms): every room, delete it, clear its history, edit its uploaders.
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { timeAgo, url } from "./lib/boot.ts";
import type { ManagedRooms } from "../../routes/images/wire.ts";

type Room = ManagedRooms["rooms"][number];

/** The management API; the header asks for a 401 without a browser login prompt. */
async function call(path: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(url(path), {
    ...init,
    headers: { "x-roomcast-ui": "1", "content-type": "application/json", ...init.headers },
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error ?? `Request failed (${response.status})`);
  return body;
}

function UploaderForm({ room, onDone }: { room: string; onDone(error?: string): void }) {
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await call(`api/image-rooms/${room}/uploaders`, {
        method: "POST",
        body: JSON.stringify({ user, password }),
      });
      setUser("");
      setPassword("");
      onDone();
    } catch (error) {
      onDone((error as Error).message);
    }
  };
  return (
    <form class="uploader-form" onSubmit={submit} aria-label={`Add an uploader to ${room}`}>
      <input
        name="user"
        placeholder="User"
        required
        value={user}
        onInput={(e) => setUser((e.target as HTMLInputElement).value)}
      />
      <input
        name="password"
        type="password"
        placeholder="Password"
        autocomplete="new-password"
        required
        value={password}
        onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
      />
      <button type="submit" class="button primary">Add or change</button>
    </form>
  );
}

function RoomRow({ room, onChange }: { room: Room; onChange(error?: string): void }) {
  const act = async (path: string, method: string, question: string) => {
    if (!confirm(question)) return;
    try {
      await call(path, { method });
      onChange();
    } catch (error) {
      onChange((error as Error).message);
    }
  };
  const name = room.room;
  return (
    <li class="room-row" data-room={name}>
      <a href={url(name)}>
        {room.current
          ? <img src={room.current.thumbUrl} alt={`Live image of ${name}`} />
          : <div class="thumb-empty" />}
      </a>
      <div>
        <h2>
          <a href={url(name)}>{name}</a>
        </h2>
        <p class="muted">
          {room.images} image{room.images === 1 ? "" : "s"}
          {room.current && <>{" · last "}{timeAgo(room.current.uploadedAt)}</>}
        </p>
        <div class="room-actions">
          <button
            type="button"
            class="button"
            data-action="clear"
            onClick={() =>
              act(`api/image-rooms/${name}/clear`, "POST", `Clear every image of ${name}?`)}
          >
            Clear history
          </button>
          <button
            type="button"
            class="button danger"
            data-action="delete"
            onClick={() => act(`api/image-rooms/${name}`, "DELETE", `Delete room ${name}?`)}
          >
            Delete room
          </button>
        </div>
        <strong>Uploaders</strong>
        <ul class="uploader-list">
          {room.uploaders.length === 0 && <li class="muted">only signed-in admins</li>}
          {room.uploaders.map((u) => (
            <li key={u.user} data-user={u.user}>
              {u.user}
              {!u.usable && <span class="muted" title="Not a bcrypt hash">(cannot log in)</span>}
              <button
                type="button"
                aria-label={`Remove ${u.user}`}
                onClick={() =>
                  act(
                    `api/image-rooms/${name}/uploaders/${encodeURIComponent(u.user)}`,
                    "DELETE",
                    `Remove ${u.user} from ${name}?`,
                  )}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
        <UploaderForm room={name} onDone={onChange} />
      </div>
    </li>
  );
}

function RoomsAdmin() {
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [error, setError] = useState("");
  const load = useCallback(async () => {
    try {
      setRooms(((await call("api/image-rooms/manage")) as ManagedRooms).rooms);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);
  useEffect(() => void load(), [load]);
  const changed = (failure?: string) => (setError(failure ?? ""), void load());
  return (
    <main class="rooms-admin">
      <header>
        <h1>Image rooms</h1>
        <p class="muted">
          Uploaders are written to each room's <code>.htpasswd</code> (bcrypt), the file{" "}
          <code>htpasswd -B</code> edits: changes made by hand show here and the other way round.
        </p>
      </header>
      {error && <p class="rooms-error" role="alert">{error}</p>}
      {rooms === null && !error && <p class="muted">Loading…</p>}
      {rooms?.length === 0 && (
        <p id="no-rooms">
          No rooms yet. An admin makes one by uploading to <code>/&lt;room&gt;/upload</code>.
        </p>
      )}
      <ul class="rooms-admin-list" id="rooms">
        {rooms?.map((room) => <RoomRow key={room.room} room={room} onChange={changed} />)}
      </ul>
    </main>
  );
}

render(<RoomsAdmin />, document.getElementById("app")!);
