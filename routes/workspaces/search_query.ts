// The workspace search language, parsed once for both engines: words, `from:`, `in:`, `has:file`.
import type { SearchQuery } from "../../storage/workspace_search_store.ts";
import { WorkspaceError } from "./errors.ts";

export const MAX_QUERY_CHARS = 200;
export const MAX_QUERY_WORDS = 16;

// One term: `key:"quoted value"`, `key:value`, `"a phrase"` or a bare run of non-spaces.
const TERM = /(\w+):"([^"]*)"|(\w+):(\S+)|"([^"]*)"|(\S+)/g;
// What SQLite's unicode61 and the Postgres index (punctuation blanked) both count as word text.
const WORD = /[\p{L}\p{N}]+/gu;

const wordsOf = (text: string) =>
  [...text.normalize("NFKC").toLowerCase().matchAll(WORD)].map((m) => m[0]);

/** Parses `raw`; a query that is empty, too long or has an unknown filter is an `invalid` error. */
export function parseSearchQuery(raw: unknown): SearchQuery {
  const text = typeof raw === "string" ? raw.trim() : "";
  if (!text) throw new WorkspaceError("invalid", "Search query is required");
  if ([...text].length > MAX_QUERY_CHARS) {
    throw new WorkspaceError(
      "invalid",
      `Search query must be at most ${MAX_QUERY_CHARS} characters`,
    );
  }
  const query: SearchQuery = { words: [], hasFile: false };
  for (const m of text.matchAll(TERM)) {
    const key = (m[1] ?? m[3])?.toLowerCase();
    const value = (m[2] ?? m[4] ?? "").trim();
    if (key === "from" && value) query.from = value;
    else if (key === "in" && value) query.in = value.replace(/^#/, "");
    else if (key === "has") {
      if (value.toLowerCase() !== "file") {
        throw new WorkspaceError("invalid", 'Unknown search filter: only "has:file" is supported');
      }
      query.hasFile = true;
    } else query.words.push(...wordsOf(m[0]));
  }
  if (query.words.length > MAX_QUERY_WORDS) {
    throw new WorkspaceError("invalid", `Search query must have at most ${MAX_QUERY_WORDS} words`);
  }
  if (!query.words.length && !query.from && !query.in && !query.hasFile) {
    throw new WorkspaceError("invalid", "Search query has no words or filters");
  }
  return query;
}
