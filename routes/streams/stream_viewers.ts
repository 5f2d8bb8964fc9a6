// A stream room's viewer figures on every instance: each shares its own (Redis), all are summed.
import type { PresenceMap } from "../../realtime/presence.ts";

/** One instance's figures for a room, or their sum over every instance. */
export interface RoomFigures {
  /** Sockets following the room's topic. */
  viewers: number;
  /** Of those, the ones that chatted under a nickname. */
  named: number;
  /** Distinct ignoring case, sorted. */
  nicknames: string[];
}

export interface SharedFigures {
  /** Shares this instance's current figures for `slug`, then sums every instance's. */
  share(slug: string): RoomFigures;
  /** This instance's figures (as of now) plus the others' (as of their last read). */
  total(slug: string): RoomFigures;
  /** Calls `listener` with each room whose figures changed on another instance, or went with it. */
  onChange(listener: (slug: string) => void): void;
}

const sorted = (names: Map<string, string>) =>
  [...names.values()].sort((a, b) => a.localeCompare(b));

/** Figures as another instance wrote them; a malformed entry counts as nobody. */
function parse(raw: string | undefined): RoomFigures | null {
  if (raw === undefined) return null;
  try {
    const { viewers, named, nicknames } = JSON.parse(raw);
    if (!Number.isInteger(viewers) || !Number.isInteger(named) || !Array.isArray(nicknames)) {
      return null;
    }
    return { viewers, named, nicknames: nicknames.filter((n) => typeof n === "string") };
  } catch {
    return null;
  }
}

export function createSharedFigures(
  shared: PresenceMap,
  local: (slug: string) => RoomFigures,
): SharedFigures {
  const sum = (slug: string, mine: RoomFigures): RoomFigures => {
    let { viewers, named } = mine;
    const names = new Map(mine.nicknames.map((n) => [n.toLowerCase(), n]));
    for (const entries of shared.others().values()) {
      const theirs = parse(entries.get(slug));
      if (!theirs) continue;
      viewers += theirs.viewers;
      named += theirs.named;
      for (const n of theirs.nicknames) names.set(n.toLowerCase(), n);
    }
    return { viewers, named, nicknames: sorted(names) };
  };
  return {
    share(slug) {
      const mine = local(slug);
      shared.set(slug, mine.viewers > 0 ? JSON.stringify(mine) : null);
      return sum(slug, mine);
    },
    total: (slug) => sum(slug, local(slug)),
    onChange(listener) {
      shared.onChange(({ keys, gone }) => {
        for (const slug of keys) listener(slug);
        for (const entries of gone.values()) for (const slug of entries.keys()) listener(slug);
      });
    },
  };
}
