// What the image viewer shows when there is no image to show: no such room, an empty room.
import { url } from "./boot.ts";

function CurlLine({ room, user }: { room: string; user: string }) {
  const target = location.origin + url(`${room}/upload`);
  return (
    <pre class="curl-line"><code>curl -F "image=@photo.jpg" -u {user}:PASSWORD {target}</code></pre>
  );
}

export function NoSuchRoom({ room, onUpload }: { room: string; onUpload(): void }) {
  return (
    <div class="room-message" id="no-room">
      <h1>No such room</h1>
      <p>
        There is no image room called{" "}
        <b>{room}</b>. An admin makes it with its first upload, from here or with curl:
      </p>
      <CurlLine room={room} user="admin" />
      <p class="muted">This page shows the room as soon as it exists.</p>
      <p>
        <button type="button" class="button" onClick={onUpload}>Upload as admin</button>{" "}
        <a href={url("")}>All rooms</a>
      </p>
    </div>
  );
}

export function EmptyRoom({ room, onUpload }: { room: string; onUpload(): void }) {
  return (
    <div class="room-message" id="empty-room">
      <h1>No images in {room} yet</h1>
      <p>Drop or paste an image on this page, or pick one. Scripts upload with curl:</p>
      <CurlLine room={room} user="USER" />
      <p class="muted">
        Uploaders are the room's users (its{" "}
        <code>.htpasswd</code>); every viewer sees a new image at once.
      </p>
      <p>
        <button type="button" class="button primary" onClick={onUpload}>Upload an image</button>
      </p>
    </div>
  );
}

/** Shown while an older image is pinned and a newer one has arrived. */
export function BackToLive({ onClick }: { onClick(): void }) {
  return (
    <button type="button" class="back-to-live" id="back-to-live" onClick={onClick}>
      New image — back to live
    </button>
  );
}
