// File chores on an HLS playback folder: readiness, end-of-list, newest segment, cleanup.

const ENDLIST = "#EXT-X-ENDLIST";

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** A live playlist with at least one segment and no end tag: what players can start on. */
export async function playlistIsLive(path: string): Promise<boolean> {
  const text = await readText(path);
  return text !== null && text.includes("#EXTINF") && !text.includes(ENDLIST);
}

/**
 * Make sure the playlist at `path` ends with #EXT-X-ENDLIST (ffmpeg writes it on a clean exit,
 * not when killed). Atomic: temp file then rename. False when there is no playlist.
 */
export async function ensureEndlist(path: string): Promise<boolean> {
  const text = await readText(path);
  if (text === null) return false;
  if (text.trimEnd().endsWith(ENDLIST)) return true;
  const tmp = `${path}.endlist.tmp`;
  await Deno.writeTextFile(tmp, `${text.endsWith("\n") ? text : text + "\n"}${ENDLIST}\n`);
  await Deno.rename(tmp, path);
  return true;
}

/** The last segment URI of a media playlist, or null. */
export function lastSegment(playlist: string): string | null {
  const lines = playlist.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  return lines.at(-1) ?? null;
}

/** The path of the newest segment listed by the media playlist at `path`, or null. */
export async function newestSegment(dir: string, playlist: string): Promise<string | null> {
  const text = await readText(`${dir}/${playlist}`);
  const seg = text === null ? null : lastSegment(text);
  // a segment URI is a plain file name we chose; anything else is not ours to open
  return seg && /^[A-Za-z0-9_.-]+$/.test(seg) ? `${dir}/${seg}` : null;
}

/** Remove playlists and segments in `dir`, keeping the thumbnail for the room list. */
export async function removeSegments(dir: string): Promise<void> {
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name !== "thumb.jpg") {
        await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
      }
    }
  } catch { /* no folder: nothing to remove */ }
}
