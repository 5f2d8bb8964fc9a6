// The one checked upload path (media library, workspace attachments): a stream put in the blob store
// with a size limit, its first bytes checked against the type its extension claims, whole or not at all.
import { type BlobStore, readBlob } from "./blobs.ts";
import { detectImageType } from "./image_types.ts";
import { checkSvg } from "./svg_check.ts";

/** The upload's bytes do not match its extension, or are an SVG Roomcast will not keep. */
export class UploadContentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UploadContentError";
  }
}

export interface PutCheckedOptions {
  /** The extension the upload claims (lower case); its content must be of that type. */
  ext: string;
  maxBytes: number;
  contentType: string;
}

const TYPE_NAMES: Record<string, string> = { jpg: "JPEG", png: "PNG", gif: "GIF", webp: "WebP" };
const RASTER = new Set(["jpg", "jpeg", "png", "gif", "webp", "bmp"]);

const starts = (head: Uint8Array, bytes: number[], at = 0) =>
  bytes.every((b, i) => head[at + i] === b);
const ascii = (text: string) => [...text].map((ch) => ch.charCodeAt(0));

/** Magic bytes of the non-image types attachments take; each throws when `head` is not one. */
const FILE_CHECKS: Record<string, (head: Uint8Array) => boolean> = {
  pdf: (head) => starts(head, ascii("%PDF-")),
  zip: (head) => starts(head, [0x50, 0x4b, 0x03, 0x04]) || starts(head, [0x50, 0x4b, 0x05, 0x06]),
  mp4: (head) => starts(head, ascii("ftyp"), 4) && !detectImageType(head),
  webm: (head) => starts(head, [0x1a, 0x45, 0xdf, 0xa3]),
  // Text: UTF-8 without NUL bytes (a cut multi-byte character at the end of the head is fine).
  txt: (head) => {
    if (head.includes(0)) return false;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
      return true;
    } catch {
      return false;
    }
  },
};

/** Whether `ext` is a type `putChecked` can check (raster images, SVG, FILE_CHECKS). */
export const checkable = (ext: string) => RASTER.has(ext) || ext === "svg" || ext in FILE_CHECKS;

/**
 * Stores `data` under `key` once its first bytes prove it is an `ext` (an SVG once the whole
 * document parses as a safe one); a refused, oversized or broken upload leaves nothing behind.
 * Returns the bytes stored; throws TooLargeError past `maxBytes`, UploadContentError on a mismatch.
 */
export async function putChecked(
  blobs: BlobStore,
  key: string,
  data: ReadableStream<Uint8Array>,
  { ext, maxBytes, contentType }: PutCheckedOptions,
): Promise<number> {
  if (!checkable(ext)) throw new Error(`Cannot check uploads of type .${ext}`);
  if (ext === "svg") return await putSvg(blobs, key, data, maxBytes, contentType);
  return await blobs.put(key, data, {
    maxBytes,
    peekBytes: 32,
    check: (head) => RASTER.has(ext) ? checkRaster(head, ext) : checkFile(head, ext),
    contentType,
  });
}

/** The whole document must be parsed, so it lands under a hidden name first. */
async function putSvg(
  blobs: BlobStore,
  key: string,
  data: ReadableStream<Uint8Array>,
  maxBytes: number,
  contentType: string,
): Promise<number> {
  const slash = key.lastIndexOf("/");
  const staging = `${key.slice(0, slash + 1)}.svg-${key.slice(slash + 1)}`;
  const size = await blobs.put(staging, data, { maxBytes, check: checkSvgStart, contentType });
  try {
    const verdict = checkSvg((await readBlob(blobs, staging)) ?? new Uint8Array(0));
    if (!verdict.ok) {
      throw new UploadContentError(
        verdict.unsafe
          ? `SVG files with scripts, event handlers or external references are not accepted: ${verdict.reason}.`
          : `${verdict.reason}.`,
      );
    }
    await blobs.move(staging, key);
    return size;
  } catch (error) {
    await blobs.delete(staging);
    throw error;
  }
}

function checkRaster(head: Uint8Array, ext: string): void {
  const found = detectImageType(head)?.ext;
  const wanted = ext === "jpeg" ? "jpg" : ext;
  if (found === wanted) return;
  const what = found && TYPE_NAMES[found] ? `a ${TYPE_NAMES[found]} image` : `not a .${ext} image`;
  throw new UploadContentError(`File content does not match its extension: it is ${what}.`);
}

function checkFile(head: Uint8Array, ext: string): void {
  if (FILE_CHECKS[ext](head)) return;
  throw new UploadContentError(
    `File content does not match its extension: it is not a .${ext} file.`,
  );
}

function checkSvgStart(head: Uint8Array): void {
  // A cheap early refusal (binary, HTML with a BOM-less doctype is still caught by the parser).
  const text = new TextDecoder().decode(head).replace(/^\uFEFF/, "").trimStart();
  if (!text.startsWith("<")) {
    throw new UploadContentError("File content does not match its extension: it is not an SVG.");
  }
}
