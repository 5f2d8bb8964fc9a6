// Who is in each voice channel of a server, as the app keeps it: fetched, then updated by events.
import type { VoicePeerInfo } from "./workspace_voice_peer.ts";

export interface VoiceRoster {
  participants: VoicePeerInfo[];
  screen: string | null;
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
