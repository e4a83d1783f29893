import { ALAW_TABLE, MULAW_TABLE } from './g711';
import { SAMPLE_RATE, int16ToLeBytes, leBytesToInt16 } from './pcm';
import { resample } from './resample';

/**
 * RIFF/WAVE reading and writing. Reads PCM 8/16/24/32-bit, IEEE float, mu-law and A-law,
 * any rate and channel count (WAVE_FORMAT_EXTENSIBLE included); writes PCM16. Streams
 * whose data size is unknown (espeak-ng's `--stdout` writes 0x7ffff000) are read up to the
 * bytes actually present.
 */

export type WavEncoding = 'pcm' | 'float' | 'mulaw' | 'alaw';

export interface WavInfo {
  encoding: WavEncoding;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Bytes per sample frame (all channels). */
  blockAlign: number;
  /** Offset of the first data byte. */
  dataOffset: number;
  /** Data bytes declared by the header (may exceed the bytes present in a stream). */
  declaredDataLength: number;
}

/** The bytes are not a WAV file Parley can play. */
export class WavFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavFormatError';
  }
}

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_ALAW = 0x0006;
const FORMAT_MULAW = 0x0007;
const FORMAT_EXTENSIBLE = 0xfffe;

/** True when the bytes start like a RIFF/WAVE file. */
export function looksLikeWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WAVE';
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(bytes[offset + i] ?? 0);
  return s;
}

/**
 * Parses the header. Returns null when more bytes are needed to reach the data chunk (for
 * streams); throws WavFormatError when the bytes cannot be a supported WAV file.
 */
export function tryParseWavHeader(bytes: Uint8Array): WavInfo | null {
  if (bytes.length < 12) return null;
  if (!looksLikeWav(bytes)) throw new WavFormatError('not a RIFF/WAVE file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  let format: Omit<WavInfo, 'dataOffset' | 'declaredDataLength'> | null = null;
  for (;;) {
    if (offset + 8 > bytes.length) return null;
    const id = ascii(bytes, offset, 4);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'data') {
      if (!format) throw new WavFormatError('data chunk before fmt chunk');
      return { ...format, dataOffset: body, declaredDataLength: size };
    }
    if (id === 'fmt ') {
      if (body + Math.min(size, 40) > bytes.length) return null;
      format = parseFmt(view, body, size);
    }
    // Chunks are word-aligned: an odd size has one pad byte.
    offset = body + size + (size & 1);
    if (offset > 64 * 1024 * 1024) throw new WavFormatError('no data chunk found');
  }
}

function parseFmt(
  view: DataView,
  offset: number,
  size: number,
): Omit<WavInfo, 'dataOffset' | 'declaredDataLength'> {
  if (size < 16) throw new WavFormatError('fmt chunk too short');
  let code = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bitsPerSample = view.getUint16(offset + 14, true);
  if (code === FORMAT_EXTENSIBLE) {
    if (size < 40) throw new WavFormatError('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
    // The first two bytes of the SubFormat GUID are the actual format code.
    code = view.getUint16(offset + 24, true);
  }
  let encoding: WavEncoding;
  switch (code) {
    case FORMAT_PCM:
      if (![8, 16, 24, 32].includes(bitsPerSample)) {
        throw new WavFormatError(`unsupported PCM sample size ${bitsPerSample} bits`);
      }
      encoding = 'pcm';
      break;
    case FORMAT_FLOAT:
      if (bitsPerSample !== 32) throw new WavFormatError('only 32-bit float WAV is supported');
      encoding = 'float';
      break;
    case FORMAT_MULAW:
    case FORMAT_ALAW:
      if (bitsPerSample !== 8) throw new WavFormatError('G.711 WAV must be 8 bits per sample');
      encoding = code === FORMAT_MULAW ? 'mulaw' : 'alaw';
      break;
    default:
      throw new WavFormatError(`unsupported WAV format code 0x${code.toString(16)}`);
  }
  if (channels < 1 || channels > 8)
    throw new WavFormatError(`unsupported channel count ${channels}`);
  if (sampleRate < 1000 || sampleRate > 384_000) {
    throw new WavFormatError(`unsupported sample rate ${sampleRate}`);
  }
  const expectedAlign = channels * (bitsPerSample / 8);
  if (blockAlign !== expectedAlign) {
    throw new WavFormatError(`inconsistent block align ${blockAlign} (expected ${expectedAlign})`);
  }
  return { encoding, sampleRate, channels, bitsPerSample, blockAlign };
}

export function parseWavHeader(bytes: Uint8Array): WavInfo {
  const info = tryParseWavHeader(bytes);
  if (!info) throw new WavFormatError('truncated WAV header');
  return info;
}

/**
 * Mixes interleaved sample frames of `info`'s format down to mono Int16 (the average of
 * the channels). Reads only whole frames; `bytes` holds data bytes only.
 */
export function wavDataToMono(info: WavInfo, bytes: Uint8Array): Int16Array {
  const { channels, blockAlign, encoding, bitsPerSample } = info;
  const frames = Math.floor(bytes.byteLength / blockAlign);
  if (encoding === 'pcm' && bitsPerSample === 16 && channels === 1) {
    return leBytesToInt16(bytes.subarray(0, frames * 2));
  }
  const out = new Int16Array(frames);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bytesPerSample = bitsPerSample / 8;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    const frameOffset = f * blockAlign;
    for (let c = 0; c < channels; c++) {
      const o = frameOffset + c * bytesPerSample;
      switch (encoding) {
        case 'pcm':
          if (bitsPerSample === 16) sum += view.getInt16(o, true);
          else if (bitsPerSample === 8) sum += ((bytes[o] as number) - 128) << 8;
          else if (bitsPerSample === 24)
            sum += view.getInt16(o + 1, true); // top 16 of 24 bits
          else sum += view.getInt32(o, true) / 65536;
          break;
        case 'float':
          sum += view.getFloat32(o, true) * 32767;
          break;
        case 'mulaw':
          sum += MULAW_TABLE[bytes[o] as number] as number;
          break;
        case 'alaw':
          sum += ALAW_TABLE[bytes[o] as number] as number;
          break;
      }
    }
    const v = Math.round(sum / channels);
    out[f] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** A whole WAV file to mono Int16 at the file's own rate. */
export function readWavMono(bytes: Uint8Array): { samples: Int16Array; sampleRate: number } {
  const info = parseWavHeader(bytes);
  const available = bytes.byteLength - info.dataOffset;
  const length = Math.min(info.declaredDataLength, available);
  const samples = wavDataToMono(info, bytes.subarray(info.dataOffset, info.dataOffset + length));
  return { samples, sampleRate: info.sampleRate };
}

/** A whole WAV file to Parley's format (mono, 48 kHz by default). */
export function decodeWav(bytes: Uint8Array, targetRate = SAMPLE_RATE): Int16Array {
  const { samples, sampleRate } = readWavMono(bytes);
  return resample(samples, sampleRate, targetRate);
}

export interface WavHeaderOptions {
  sampleRate: number;
  channels: number;
  /** Data bytes that follow the header. */
  dataBytes: number;
}

/** The canonical 44-byte header of a PCM16 WAV file. */
export function wavHeader({ sampleRate, channels, dataBytes }: WavHeaderOptions): Buffer {
  const header = Buffer.alloc(44);
  const blockAlign = channels * 2;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(Math.min(0xffffffff, 36 + dataBytes), 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(FORMAT_PCM, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(Math.min(0xffffffff, dataBytes), 40);
  return header;
}

/** A PCM16 WAV file from interleaved samples (channels 1 or 2, any rate). */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Buffer {
  if (samples.length % channels !== 0) {
    throw new RangeError('sample count is not a multiple of the channel count');
  }
  const data = int16ToLeBytes(samples);
  return Buffer.concat([wavHeader({ sampleRate, channels, dataBytes: data.byteLength }), data]);
}
