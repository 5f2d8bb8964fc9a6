// What the media page shows and copies for a file: sizes, dimensions, names, URL/Markdown/HTML.
import type { MediaItem } from "../../../routes/media/wire.ts";

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** "1280 × 720", or "" when the file states no size. */
export function dimensionsText(item: Pick<MediaItem, "width" | "height">): string {
  return item.width && item.height ? `${item.width} × ${item.height}` : "";
}

/** The name a person knows the file by: its original name, else the stored one. */
export function displayName(item: Pick<MediaItem, "original_name" | "filename">): string {
  return item.original_name ?? item.filename;
}

/** Alt text from the original name: its stem, separators as spaces ("summer_trip-2.png" → "summer trip 2"). */
export function altText(item: Pick<MediaItem, "original_name" | "filename">): string {
  if (!item.original_name) return "";
  const dot = item.original_name.lastIndexOf(".");
  const stem = dot > 0 ? item.original_name.slice(0, dot) : item.original_name;
  return stem.replace(/[_-]+/g, " ").replace(/\s+/g, " ").trim();
}

export type SnippetKind = "url" | "markdown" | "html";

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (ch) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "#39" }[ch]};`,
  );

// Markdown alt text ends at an unescaped `]`; a URL in `()` at a space or `)`.
const escapeMarkdownAlt = (text: string) => text.replace(/[\\[\]]/g, (ch) => `\\${ch}`);
const markdownUrl = (url: string) =>
  url.replace(/[ ()]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

/** The text "Copy as …" puts on the clipboard. */
export function snippet(item: MediaItem, kind: SnippetKind): string {
  if (kind === "url") return item.url;
  const alt = altText(item);
  if (kind === "markdown") return `![${escapeMarkdownAlt(alt)}](${markdownUrl(item.url)})`;
  const size = item.width && item.height && Number.isInteger(item.width) &&
      Number.isInteger(item.height)
    ? ` width="${item.width}" height="${item.height}"`
    : "";
  return `<img src="${escapeHtml(item.url)}" alt="${escapeHtml(alt)}"${size}>`;
}
