import { type StreamMediaFormat } from '@parley/contracts';
import { FRAME_SAMPLES, linearToMuLaw, MULAW_TABLE, Resampler, SAMPLE_RATE } from '../audio';

/** What the `start` message announces for each format Parley speaks. */
export const MEDIA_FORMATS: Readonly<
  Record<StreamMediaFormat, { encoding: string; sampleRate: number; channels: 1 }>
> = {
  /** Twilio's only format: what every Twilio agent expects. */
  'mulaw-8k': { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
  /** Parley's wideband opt-in: 16-bit little-endian linear PCM at 16 kHz. */
  'l16-16k': { encoding: 'audio/x-l16le', sampleRate: 16000, channels: 1 },
};

/** Bytes of one 20 ms `media` payload. */
export function chunkBytes(format: StreamMediaFormat): number {
  return format === 'mulaw-8k' ? 160 : 640;
}

/** Linear 16-bit (as unsigned index) to mu-law: a 64 KiB table, built on first use. */
let encodeTable: Uint8Array | null = null;
function muLawTable(): Uint8Array {
  if (!encodeTable) {
    encodeTable = new Uint8Array(65_536);
    for (let i = 0; i < 65_536; i++) encodeTable[i] = linearToMuLaw(i < 32_768 ? i : i - 65_536);
  }
  return encodeTable;
}

/**
 * What the caller says (or hears) to the stream's format: 48 kHz frames from the Opus
 * decoder, band-limited down to the stream's rate (no aliasing), encoded (mu-law, or
 * 16-bit little-endian PCM), cut into 20 ms chunks.
 */
export class StreamAudioEncoder {
  private readonly resampler: Resampler;
  private readonly chunk: number;
  private pending: Uint8Array;
  private pendingLength = 0;

  constructor(private readonly format: StreamMediaFormat = 'mulaw-8k') {
    this.resampler = new Resampler(SAMPLE_RATE, MEDIA_FORMATS[format].sampleRate, 'fast');
    this.chunk = chunkBytes(format);
    this.pending = new Uint8Array(this.chunk * 4);
  }

  /** Every complete 20 ms chunk the frame completes (usually one). */
  encode(frame: Int16Array): Uint8Array[] {
    const pcm = this.resampler.process(frame);
    const bytes = this.format === 'mulaw-8k' ? pcm.length : pcm.length * 2;
    if (this.pendingLength + bytes > this.pending.length) {
      const grown = new Uint8Array((this.pendingLength + bytes) * 2);
      grown.set(this.pending.subarray(0, this.pendingLength));
      this.pending = grown;
    }
    if (this.format === 'mulaw-8k') {
      const table = muLawTable();
      for (let i = 0; i < pcm.length; i++) {
        this.pending[this.pendingLength++] = table[(pcm[i] as number) & 0xffff] as number;
      }
    } else {
      for (let i = 0; i < pcm.length; i++) {
        const s = pcm[i] as number;
        this.pending[this.pendingLength++] = s & 0xff;
        this.pending[this.pendingLength++] = (s >> 8) & 0xff;
      }
    }
    const chunks: Uint8Array[] = [];
    let offset = 0;
    while (this.pendingLength - offset >= this.chunk) {
      chunks.push(this.pending.slice(offset, offset + this.chunk));
      offset += this.chunk;
    }
    if (offset > 0) {
      this.pending.copyWithin(0, offset, this.pendingLength);
      this.pendingLength -= offset;
    }
    return chunks;
  }
}

/**
 * The server's audio to what the leg plays: payloads of any length in the stream's
 * format, decoded and brought up to 48 kHz, cut into the 20 ms frames the Opus encoder
 * takes. A remainder shorter than a frame (or an odd byte of PCM) waits for the next one.
 */
export class StreamAudioDecoder {
  private readonly resampler: Resampler;
  private pending = new Int16Array(FRAME_SAMPLES * 4);
  private pendingLength = 0;
  /** The first byte of a 16-bit sample split across two payloads. */
  private oddByte: number | null = null;

  constructor(private readonly format: StreamMediaFormat = 'mulaw-8k') {
    this.resampler = new Resampler(MEDIA_FORMATS[format].sampleRate, SAMPLE_RATE, 'fast');
  }

  decode(payload: Uint8Array): Int16Array[] {
    const pcm = this.resampler.process(this.toLinear(payload));
    if (this.pendingLength + pcm.length > this.pending.length) {
      const grown = new Int16Array((this.pendingLength + pcm.length) * 2);
      grown.set(this.pending.subarray(0, this.pendingLength));
      this.pending = grown;
    }
    this.pending.set(pcm, this.pendingLength);
    this.pendingLength += pcm.length;
    const frames: Int16Array[] = [];
    let offset = 0;
    while (this.pendingLength - offset >= FRAME_SAMPLES) {
      frames.push(this.pending.slice(offset, offset + FRAME_SAMPLES));
      offset += FRAME_SAMPLES;
    }
    if (offset > 0) {
      this.pending.copyWithin(0, offset, this.pendingLength);
      this.pendingLength -= offset;
    }
    return frames;
  }

  /** Drops the remainder (the server cleared its audio). */
  reset(): void {
    this.pendingLength = 0;
    this.oddByte = null;
  }

  private toLinear(payload: Uint8Array): Int16Array {
    if (this.format === 'mulaw-8k') {
      const linear = new Int16Array(payload.length);
      for (let i = 0; i < payload.length; i++) {
        linear[i] = MULAW_TABLE[payload[i] as number] as number;
      }
      return linear;
    }
    let bytes = payload;
    if (this.oddByte !== null) {
      bytes = new Uint8Array(payload.length + 1);
      bytes[0] = this.oddByte;
      bytes.set(payload, 1);
      this.oddByte = null;
    }
    const samples = bytes.length >> 1;
    if (bytes.length % 2 === 1) this.oddByte = bytes[bytes.length - 1] as number;
    const linear = new Int16Array(samples);
    for (let i = 0; i < samples; i++) {
      const v = (bytes[2 * i] as number) | ((bytes[2 * i + 1] as number) << 8);
      linear[i] = v >= 0x8000 ? v - 0x10000 : v;
    }
    return linear;
  }
}
