// The home page: every kind of room on this server, with links.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { timeAgo, url } from "./lib/boot.ts";
import { SiteHeader } from "./lib/site_header.tsx";
import { StreamRooms } from "./lib/stream_rooms.tsx";
import type { ImageRoomList } from "../../routes/images/wire.ts";

function ImageRooms() {
  const [rooms, setRooms] = useState<ImageRoomList["rooms"] | null>(null);
  useEffect(() => {
    fetch(url("api/image-rooms")).then((r) => r.json())
      .then((body: ImageRoomList) => setRooms(body.rooms))
      .catch(() => setRooms([]));
  }, []);
  return (
    <section>
      <h2>Image rooms</h2>
      {rooms === null ? <p class="muted">Loading…</p> : rooms.length === 0
        ? (
          <p class="muted">
            No image rooms yet. Create one by uploading as an admin:{" "}
            <code>
              curl -F "image=@photo.jpg" -u admin:PASSWORD {location.origin + url("demo/upload")}
            </code>
          </p>
        )
        : (
          <ul class="cards" id="image-rooms">
            {rooms.map((r) => (
              <li key={r.room}>
                <a href={url(r.room)} class="card">
                  {r.current
                    ? <img src={r.current.url} alt="" loading="lazy" />
                    : <div class="thumb-empty" />}
                  <span class="card-title">{r.room}</span>
                  {r.current && (
                    <span class="muted">
                      {r.current.uploadedBy} · {timeAgo(r.current.uploadedAt)}
                    </span>
                  )}
                </a>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}

function CodeSessions() {
  const [code, setCode] = useState("");
  const join = (e: Event) => {
    e.preventDefault();
    const clean = code.replace(/[\s-]/g, "").toUpperCase();
    if (clean) location.href = url(`code/${encodeURIComponent(clean)}`);
  };
  return (
    <section>
      <h2>Code sessions</h2>
      <form class="join-code" onSubmit={join}>
        <a href={url("present")}>Present code</a>
        <span class="muted">or join with a code:</span>
        <input
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
          placeholder="K7WX-M3PQ-RT"
          aria-label="Session code"
        />
        <button type="submit">Join</button>
      </form>
    </section>
  );
}

function Home() {
  return (
    <main class="home">
      <header class="home-header">
        <p class="muted">Share things live, in rooms.</p>
        <nav class="home-nav" aria-label="Roomcast">
          <a href={url("app")}>Workspaces</a>
          <a href={url("present")}>Present code</a>
          <a href={url("media/admin")}>Media</a>
          <a href={url("studio")}>Studio</a>
          <a href={url("rooms")}>Image rooms</a>
        </nav>
      </header>
      <StreamRooms />
      <ImageRooms />
      <CodeSessions />
      <section>
        <h2>Media library</h2>
        <p class="muted">
          Uploads behind signed tokens. <a href={url("media/admin")}>Manage media</a> (admins).
        </p>
      </section>
    </main>
  );
}

render(
  <>
    <SiteHeader here="Home" />
    <Home />
  </>,
  document.getElementById("app")!,
);
