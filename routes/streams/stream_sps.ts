// Reads what a publisher's codec headers say: H.264 SPS (profile, size) and AAC AudioSpecificConfig.

/** Exp-Golomb bit reader over an RBSP (emulation prevention bytes already removed). */
class Bits {
  #at = 0;
  constructor(private bytes: Uint8Array) {}
  bit(): number {
    const byte = this.bytes[this.#at >> 3];
    if (byte === undefined) throw new RangeError("Cannot read SPS: it ends early");
    return (byte >> (7 - (this.#at++ & 7))) & 1;
  }
  bits(n: number): number {
    let value = 0;
    for (let i = 0; i < n; i++) value = value * 2 + this.bit();
    return value;
  }
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) if (++zeros > 31) throw new RangeError("Cannot read SPS: bad code");
    return 2 ** zeros - 1 + this.bits(zeros);
  }
  se(): number {
    const v = this.ue();
    return v % 2 ? (v + 1) / 2 : -v / 2;
  }
}

/** Drops the 0x03 of every 0x000003 sequence (H.264 7.4.1). */
function unescape(nal: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    out.push(nal[i]);
  }
  return Uint8Array.from(out);
}

const PROFILES: Record<number, string> = {
  66: "Baseline",
  77: "Main",
  88: "Extended",
  100: "High",
  110: "High 10",
  122: "High 4:2:2",
  244: "High 4:4:4",
};

export interface SpsInfo {
  profile: string;
  level: number;
  width: number;
  height: number;
}

function skipScalingLists(b: Bits, count: number): void {
  for (let i = 0; i < count; i++) {
    if (!b.bit()) continue;
    const size = i < 6 ? 16 : 64;
    let last = 8;
    let next = 8;
    for (let j = 0; j < size; j++) {
      if (next !== 0) next = (last + b.se() + 256) % 256;
      last = next === 0 ? last : next;
    }
  }
}

/** Parses an SPS NAL unit (with its header byte). */
export function parseSps(nal: Uint8Array): SpsInfo {
  const b = new Bits(unescape(nal.subarray(1)));
  const profileIdc = b.bits(8);
  b.bits(8); // constraint flags
  const level = b.bits(8) / 10;
  b.ue(); // seq_parameter_set_id
  let chroma = 1;
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profileIdc)) {
    chroma = b.ue();
    if (chroma === 3) b.bit(); // separate_colour_plane_flag
    b.ue(); // bit_depth_luma
    b.ue(); // bit_depth_chroma
    b.bit(); // qpprime_y_zero_transform_bypass
    if (b.bit()) skipScalingLists(b, chroma === 3 ? 12 : 8);
  }
  b.ue(); // log2_max_frame_num
  const pocType = b.ue();
  if (pocType === 0) b.ue();
  else if (pocType === 1) {
    b.bit();
    b.se();
    b.se();
    const cycle = b.ue();
    for (let i = 0; i < cycle; i++) b.se();
  }
  b.ue(); // max_num_ref_frames
  b.bit(); // gaps_in_frame_num_allowed
  const widthMbs = b.ue() + 1;
  const heightUnits = b.ue() + 1;
  const frameMbsOnly = b.bit();
  if (!frameMbsOnly) b.bit();
  b.bit(); // direct_8x8_inference
  let [left, right, top, bottom] = [0, 0, 0, 0];
  if (b.bit()) [left, right, top, bottom] = [b.ue(), b.ue(), b.ue(), b.ue()];
  const cropX = chroma === 0 || chroma === 3 ? 1 : 2;
  const cropY = (chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
  return {
    profile: PROFILES[profileIdc] ?? `profile ${profileIdc}`,
    level,
    width: widthMbs * 16 - cropX * (left + right),
    height: (2 - frameMbsOnly) * heightUnits * 16 - cropY * (top + bottom),
  };
}

/** The first SPS of an AVCDecoderConfigurationRecord (an FLV AVC sequence header's body). */
export function spsFromAvcc(record: Uint8Array): SpsInfo | null {
  if (record.length < 8 || (record[5] & 0x1f) === 0) return null;
  const length = (record[6] << 8) | record[7];
  if (record.length < 8 + length) return null;
  try {
    return parseSps(record.subarray(8, 8 + length));
  } catch {
    return null;
  }
}

const AAC_RATES = [
  96000,
  88200,
  64000,
  48000,
  44100,
  32000,
  24000,
  22050,
  16000,
  12000,
  11025,
  8000,
];

/** Sample rate and channels from an AAC AudioSpecificConfig. */
export function parseAudioConfig(
  config: Uint8Array,
): { sampleRate: number; channels: number } | null {
  if (config.length < 2) return null;
  const rateIndex = ((config[0] & 0x07) << 1) | (config[1] >> 7);
  const channels = (config[1] >> 3) & 0x0f;
  const sampleRate = AAC_RATES[rateIndex];
  return sampleRate ? { sampleRate, channels } : null;
}
