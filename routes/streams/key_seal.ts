// Seals stream keys for the dashboard: AES-256-GCM under a key derived from SERVER_ADMIN_TOKEN.
import { Buffer } from "node:buffer";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export interface KeySeal {
  seal(streamKey: string): string;
  /** The key, or null when it was sealed under another admin token (or tampered with). */
  open(sealed: string): string | null;
}

/**
 * Whoever reads the database without the admin token cannot read keys from it; changing the token
 * leaves old sealed keys unreadable, and rotating a key seals the new one under the new token.
 */
export function keySeal(adminToken: string): KeySeal {
  const key = createHash("sha256").update(`roomcast stream keys\0${adminToken}`).digest();
  return {
    seal(streamKey) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(streamKey, "utf8"), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
    },
    open(sealed) {
      try {
        const raw = Buffer.from(sealed, "base64");
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString(
          "utf8",
        );
      } catch {
        return null;
      }
    },
  };
}
