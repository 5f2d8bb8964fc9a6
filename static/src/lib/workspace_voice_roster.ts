// Who is in each voice channel of a server, as the app keeps it: fetched, then updated by events.
import type { VoiceRoster as WireRoster } from "./workspace_api.ts";

/** A channel's roster as the server sends it, and the event it came from. */
export interface VoiceRoster extends WireRoster {
  /** The `workspace:` event this state came from, to keep the newer of a fetch and an event. */
  eventId?: number;
}

/** Takes a fetched roster (as of `eventId`), keeping channels changed by a later live event. */
export function mergeRosters(
  current: Record<string, VoiceRoster>,
  fetched: Record<string, VoiceRoster>,
  eventId: number,
): Record<string, VoiceRoster> {
  const merged: Record<string, VoiceRoster> = {};
  for (const [id, roster] of Object.entries(fetched)) merged[id] = { ...roster, eventId };
  for (const [id, roster] of Object.entries(current)) {
    if ((roster.eventId ?? 0) > eventId) merged[id] = roster;
  }
  return merged;
}
