// The RTMP simple handshake (version 3), server side: C0+C1 in, S0+S1+S2 out. Pure.

/** Bytes of C0 (version) plus C1 (time, zero, 1528 random bytes). */
export const C0C1_SIZE = 1537;
/** Bytes of C2, the client's echo of S1; its content is not checked (clients vary). */
export const C2_SIZE = 1536;
const SIG_SIZE = 1536;

export class HandshakeError extends Error {
  override name = "HandshakeError";
}

export interface HandshakeOptions {
  /** Our epoch in ms for S1's time field. @default 0 */
  time?: number;
  /** 1528 bytes for S1's random field. @default crypto.getRandomValues */
  random?: Uint8Array;
}

/**
 * Answer C0+C1 with S0+S1+S2. S2 echoes C1's time and random bytes, with the time at which
 * we read C1 in the second field, as the simple handshake asks.
 */
export function serverHandshake(c0c1: Uint8Array, options: HandshakeOptions = {}): Uint8Array {
  if (c0c1.length !== C0C1_SIZE) {
    throw new HandshakeError(`Cannot answer handshake: C0+C1 is ${c0c1.length} bytes`);
  }
  if (c0c1[0] !== 3) {
    throw new HandshakeError(`Cannot answer handshake: version ${c0c1[0]} is not 3`);
  }
  const time = (options.time ?? 0) >>> 0;
  const random = options.random ?? crypto.getRandomValues(new Uint8Array(SIG_SIZE - 8));
  if (random.length !== SIG_SIZE - 8) {
    throw new HandshakeError("Cannot answer handshake: random must be 1528 bytes");
  }
  const out = new Uint8Array(1 + SIG_SIZE * 2);
  const view = new DataView(out.buffer);
  out[0] = 3;
  // S1: time, four zero bytes (simple handshake, no digest), random
  view.setUint32(1, time);
  out.set(random, 9);
  // S2: C1's time, our read time, C1's random
  const c1 = c0c1.subarray(1);
  out.set(c1.subarray(0, 4), 1 + SIG_SIZE);
  view.setUint32(1 + SIG_SIZE + 4, time);
  out.set(c1.subarray(8), 1 + SIG_SIZE + 8);
  return out;
}
