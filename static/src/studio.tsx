// The streamer dashboard (/studio): sign in with SERVER_ADMIN_TOKEN, then manage every stream room.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { boot, url } from "./lib/boot.ts";
import { SiteHeader } from "./lib/site_header.tsx";
import type { SiteViewer } from "../../routes/accounts/wire.ts";
import type { StudioBoot, StudioRoom, StudioRoomDetail } from "../../routes/streams/wire.ts";
import { call } from "./lib/studio_api.ts";
import { StudioRoom as RoomPanel } from "./lib/studio_room.tsx";

// Every page's boot data also says who is signed in (routes/pages.ts).
const data = boot<StudioBoot & { viewer: SiteViewer | null }>();

function SignIn() {
  return (
    <main class="studio-login panel">
      <h1>Studio</h1>
      {data.notAdmin
        ? (
          <p class="chat-error" id="not-admin">
            {data.viewer?.email}{" "}
            is not an admin account. Sign in as an admin, or use the admin token.
          </p>
        )
        : (
          <p class="muted">
            Admins <a href={url("login?next=" + encodeURIComponent(url("studio")))}>sign in</a>{" "}
            with their Roomcast account{data.adminConfigured ? ", or with the admin token:" : "."}
          </p>
        )}
      {!data.adminConfigured
        ? (
          <p class="muted">
            Token sign-in is off: <code>SERVER_ADMIN_TOKEN</code> is not set.
          </p>
        )
        : (
          <form method="post" action={url("studio/login")} id="login-form">
            <label for="login-token">Admin token (SERVER_ADMIN_TOKEN)</label>
            <input
              id="login-token"
              name="token"
              type="password"
              required
              autocomplete="current-password"
            />
            {data.error && <p class="chat-error" id="login-error">That token is not right.</p>}
            <button type="submit">Sign in</button>
          </form>
        )}
      <p class="muted">
        <a href={url("")}>Back to Roomcast</a>
      </p>
    </main>
  );
}

function CreateRoom({ onCreated }: { onCreated(slug: string): void }) {
  const [name, setName] = useState("");
  const [isPrivate, setPrivate] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    call("POST", "api/rooms", { name, private: isPrivate }).then((room) => {
      setName("");
      setError(null);
      onCreated(room.slug);
    }, (err) => setError(String(err.message)));
  };
  return (
    <form class="panel" id="create-form" onSubmit={submit}>
      <h2>New room</h2>
      <label class="field">
        <span class="muted">Name</span>
        <input
          id="create-name"
          value={name}
          maxLength={100}
          required
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>
          <input
            type="checkbox"
            id="create-private"
            checked={isPrivate}
            onChange={(e) => setPrivate(e.currentTarget.checked)}
          />{" "}
          Private
        </span>
      </label>
      <button type="submit" id="create-room">Create room</button>
      {error && <p class="chat-error">{error}</p>}
    </form>
  );
}

function Dashboard() {
  const [rooms, setRooms] = useState<StudioRoom[]>([]);
  const [slug, setSlug] = useState<string | null>(null);
  const [detail, setDetail] = useState<StudioRoomDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const onError = (e: unknown) => setError(String((e as Error).message ?? e));

  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 2000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    call("GET", "api/studio/rooms").then((list: StudioRoom[]) => {
      setRooms(list);
      if (slug === null && list.length) setSlug(list[0].slug);
    }, onError);
    if (slug) call("GET", `api/studio/rooms/${slug}`).then(setDetail, () => setDetail(null));
  }, [tick, slug]);

  return (
    <main class="studio">
      <header class="studio-head">
        <h1>Studio</h1>
        {!data.viewer?.admin && (
          <form method="post" action={url("studio/logout")}>
            <button type="submit" id="sign-out">Sign out</button>
          </form>
        )}
      </header>
      {error && <p class="chat-error" role="alert" onClick={() => setError(null)}>{error}</p>}
      <div class="studio-grid">
        <div class="studio-side">
          <section class="panel">
            <h2>Rooms</h2>
            {rooms.length === 0 && <p class="muted">No rooms yet: create the first one.</p>}
            <ul class="studio-rooms" id="studio-rooms">
              {rooms.map((r) => (
                <li key={r.slug}>
                  <button
                    type="button"
                    data-slug={r.slug}
                    aria-current={r.slug === slug}
                    onClick={() => (setSlug(r.slug), setDetail(null))}
                  >
                    <span>{r.name}{r.private ? " 🔒" : ""}</span>
                    <span class={r.isLive ? "badge live" : "badge"}>
                      {r.isLive ? "Live" : "Off"}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
          <CreateRoom onCreated={(next) => (setSlug(next), setTick((n) => n + 1))} />
        </div>
        {detail
          ? (
            <RoomPanel
              room={detail}
              onError={onError}
              onDeleted={() => (setSlug(null), setDetail(null), setTick((n) => n + 1))}
            />
          )
          : <p class="muted">{rooms.length ? "Loading…" : ""}</p>}
      </div>
    </main>
  );
}

render(
  <>
    <SiteHeader here="Studio" />
    {data.signedIn ? <Dashboard /> : <SignIn />}
  </>,
  document.getElementById("app")!,
);
