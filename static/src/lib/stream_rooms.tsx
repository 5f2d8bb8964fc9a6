// The home page's stream rooms: cards with live/offline badges and viewers that change without reload.
import { useEffect, useState } from "preact/hooks";
import type { RoomStatus, RoomView } from "../../../routes/streams/wire.ts";
import { url } from "./boot.ts";

/** What a card shows of a room (`GET /api/rooms`); status events patch it. */
type StreamRoom = Pick<RoomView, "slug" | "name" | "isLive" | "viewers" | "thumbnailUrl">;

/** Follows `api/rooms/events`: the greeting lists the rooms, then status events patch them. */
function useStreamRooms(): StreamRoom[] | null {
  const [rooms, setRooms] = useState<StreamRoom[] | null>(null);
  useEffect(() => {
    const events = new EventSource(url("api/rooms/events"));
    const refetch = () =>
      fetch(url("api/rooms")).then((r) => r.json()).then(setRooms).catch(() => {});
    events.onmessage = (e) => setRooms(JSON.parse(e.data).data);
    const patch = (e: MessageEvent) => {
      const status = JSON.parse(e.data).data as RoomStatus;
      // A thumbnail exists only while live; going live refetches the list, which has its URL.
      setRooms((list) =>
        list &&
        list.map((room) =>
          room.slug === status.slug
            ? { ...room, ...status, thumbnailUrl: status.isLive ? room.thumbnailUrl : null }
            : room
        )
      );
    };
    for (const type of ["offline", "viewers"]) events.addEventListener(type, patch);
    for (const type of ["live", "created", "deleted", "room", "reset"]) {
      events.addEventListener(type, () => void refetch());
    }
    return () => events.close();
  }, []);
  return rooms;
}

/** The room's thumbnail, reloaded every 20 s (each reload has the server make a fresh still). */
function Thumbnail({ src }: { src: string | null }) {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!src) return;
    const timer = setInterval(() => setTick((n) => n + 1), 20_000);
    return () => clearInterval(timer);
  }, [src]);
  if (!src) return <div class="thumb-empty" />;
  return (
    <img
      src={`${src}?t=${tick}`}
      alt=""
      loading="lazy"
      onError={(e) => (e.currentTarget.style.visibility = "hidden")}
    />
  );
}

export function StreamRooms() {
  const rooms = useStreamRooms();
  return (
    <section>
      <h2>Stream rooms</h2>
      {rooms === null
        ? <p class="muted">Loading…</p>
        : rooms.length === 0
        ? (
          <p class="muted" id="stream-rooms-empty">
            No stream rooms yet. The streamer creates one in the{" "}
            <a href={url("studio")}>Studio</a>, then points OBS at it.
          </p>
        )
        : (
          <ul class="cards" id="stream-rooms">
            {rooms.map((room) => (
              <li key={room.slug}>
                <a href={url(`watch/${room.slug}`)} class="card" data-slug={room.slug}>
                  <Thumbnail src={room.isLive ? room.thumbnailUrl : null} />
                  <span class="card-title">{room.name}</span>
                  <span class={room.isLive ? "badge live" : "badge"} data-live={room.isLive}>
                    {room.isLive ? "Live" : "Offline"}
                  </span>
                  {room.isLive && <span class="muted">{room.viewers} watching</span>}
                </a>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}
