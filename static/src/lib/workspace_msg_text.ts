// Mentions between what people type (`@Ada Lovelace`) and what is sent (`<@12>`), and the
// per-channel drafts of the composer (bounded, in localStorage).

export interface Named {
  id: number;
  displayName: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// A mention ends where a word would: at the end, a space or punctuation.
const END = String.raw`(?=$|[\s.,!?;:)\]'"])`;

/** `@Name` of each known person as `<@id>`; longer names first, so "Ada L" wins over "Ada". */
export function toWire(text: string, people: readonly Named[]): string {
  const sorted = [...people].sort((a, b) => b.displayName.length - a.displayName.length);
  let out = text;
  for (const p of sorted) {
    const pattern = new RegExp(`(^|\\s)@${escape(p.displayName)}${END}`, "g");
    out = out.replace(pattern, `$1<@${p.id}>`);
  }
  return out;
}

/** `<@id>` as `@Name` for the people a message mentions (for editing it). */
export function toDisplay(text: string, people: readonly Named[]): string {
  const names = new Map(people.map((p) => [p.id, p.displayName]));
  return text.replace(/<@(\d{1,15})>/g, (raw, id) => {
    const name = names.get(Number(id));
    return name === undefined ? raw : `@${name}`;
  });
}

/** The `@query` being typed just before the caret, or null. */
export function mentionQuery(beforeCaret: string): string | null {
  const match = /(?:^|\s)@([^\s@]{0,32})$/.exec(beforeCaret);
  return match ? match[1] : null;
}

/** Drafts kept per channel; past this many the least recently written go first. */
export const MAX_DRAFTS = 50;

/** Oldest written first: object keys that look like numbers would not keep that order. */
export type Drafts = [channelId: number, text: string][];

/** `drafts` with `channelId`'s text set last (an empty text removes it), at most MAX_DRAFTS. */
export function withDraft(drafts: Drafts, channelId: number, text: string): Drafts {
  const next = drafts.filter(([id]) => id !== channelId);
  if (text) next.push([channelId, text]);
  return next.slice(-MAX_DRAFTS);
}

export function draftOf(drafts: Drafts, channelId: number): string {
  return drafts.find(([id]) => id === channelId)?.[1] ?? "";
}

const KEY = "roomcast.drafts";

export function loadDrafts(storage: Storage): Drafts {
  try {
    const value = JSON.parse(storage.getItem(KEY) ?? "[]");
    return Array.isArray(value) ? value as Drafts : [];
  } catch {
    return [];
  }
}

export function saveDraft(storage: Storage, channelId: number, text: string): void {
  try {
    storage.setItem(KEY, JSON.stringify(withDraft(loadDrafts(storage), channelId, text)));
  } catch {
    // A full or disabled storage only loses the draft.
  }
}
