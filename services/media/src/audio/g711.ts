/**
 * G.711 mu-law and A-law expansion (ITU-T G.711), as lookup tables: 256 entries each,
 * built once. Used for mu-law/A-law WAV files, common in telephony prompt libraries.
 */

function muLawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return sign ? -magnitude : magnitude;
}

function aLawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const sign = a & 0x80;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  let magnitude = (mantissa << 4) + 8;
  if (exponent !== 0) magnitude = (magnitude + 0x100) << (exponent - 1);
  return sign ? magnitude : -magnitude;
}

export const MULAW_TABLE: Readonly<Int16Array> = Int16Array.from({ length: 256 }, (_, i) =>
  muLawToLinear(i),
);
export const ALAW_TABLE: Readonly<Int16Array> = Int16Array.from({ length: 256 }, (_, i) =>
  aLawToLinear(i),
);

const MULAW_SEGMENT_END = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const ALAW_SEGMENT_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segmentOf(value: number, ends: readonly number[]): number {
  let segment = 0;
  while (segment < ends.length && value > (ends[segment] as number)) segment++;
  return segment;
}

/** Linear PCM to mu-law (for tests and fixtures; Parley never sends G.711). */
export function linearToMuLaw(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 2;
  let mask = 0xff;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  }
  pcm = Math.min(pcm, 8159) + 0x21;
  const segment = segmentOf(pcm, MULAW_SEGMENT_END);
  if (segment >= 8) return 0x7f ^ mask;
  return (((segment << 4) | ((pcm >> (segment + 1)) & 0x0f)) ^ mask) & 0xff;
}

/** Linear PCM to A-law (for tests and fixtures). */
export function linearToALaw(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3;
  let mask = 0xd5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const segment = segmentOf(pcm, ALAW_SEGMENT_END);
  if (segment >= 8) return 0x7f ^ mask;
  const quant = segment < 2 ? (pcm >> 1) & 0x0f : (pcm >> segment) & 0x0f;
  return ((segment << 4) | quant) ^ mask;
}
