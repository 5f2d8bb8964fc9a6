// Recognises image formats by their first bytes, never by a name or a client's claim.

export interface ImageType {
  mime: string;
  ext: string;
}

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));

/** The raster image type of `head` (the file's first 32+ bytes), or null when it is none we serve. */
export function detectImageType(head: Uint8Array): ImageType | null {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    return { mime: "image/jpeg", ext: "jpg" };
  }
  if (ascii(head, 0, "\x89PNG\r\n\x1a\n")) return { mime: "image/png", ext: "png" };
  if (ascii(head, 0, "GIF87a") || ascii(head, 0, "GIF89a")) {
    return { mime: "image/gif", ext: "gif" };
  }
  if (ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) return { mime: "image/webp", ext: "webp" };
  if (ascii(head, 0, "BM") && head.length >= 14) return { mime: "image/bmp", ext: "bmp" };
  if (ascii(head, 4, "ftyp") && (ascii(head, 8, "avif") || ascii(head, 8, "avis"))) {
    return { mime: "image/avif", ext: "avif" };
  }
  return null;
}
