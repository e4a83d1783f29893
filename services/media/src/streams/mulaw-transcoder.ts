import { FRAME_SAMPLES, linearToMuLaw, MULAW_TABLE, Resampler, SAMPLE_RATE } from '../audio';

/** 20 ms at 8 kHz: the payload of one Twilio `media` message. */
export const MULAW_CHUNK_BYTES = 160;
const MULAW_RATE = 8000;

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
 * decoder, band-limited down to 8 kHz (no aliasing), mu-law, cut into 20 ms chunks.
 */
export class MulawStreamEncoder {
  private readonly resampler = new Resampler(SAMPLE_RATE, MULAW_RATE, 'fast');
  private pending = new Uint8Array(MULAW_CHUNK_BYTES * 4);
  private pendingLength = 0;

  /** Every complete 160-byte chunk the frame completes (usually one). */
  encode(frame: Int16Array): Uint8Array[] {
    const pcm = this.resampler.process(frame);
    const table = muLawTable();
    if (this.pendingLength + pcm.length > this.pending.length) {
      const grown = new Uint8Array((this.pendingLength + pcm.length) * 2);
      grown.set(this.pending.subarray(0, this.pendingLength));
      this.pending = grown;
    }
    for (let i = 0; i < pcm.length; i++) {
      this.pending[this.pendingLength++] = table[(pcm[i] as number) & 0xffff] as number;
    }
    const chunks: Uint8Array[] = [];
    let offset = 0;
    while (this.pendingLength - offset >= MULAW_CHUNK_BYTES) {
      chunks.push(this.pending.slice(offset, offset + MULAW_CHUNK_BYTES));
      offset += MULAW_CHUNK_BYTES;
    }
    if (offset > 0) {
      this.pending.copyWithin(0, offset, this.pendingLength);
      this.pendingLength -= offset;
    }
    return chunks;
  }
}

/**
 * The server's audio to what the leg plays: mu-law of any length, expanded and brought up
 * to 48 kHz, cut into the 20 ms frames the Opus encoder takes. A remainder shorter than a
 * frame waits for the next payload.
 */
export class MulawStreamDecoder {
  private readonly resampler = new Resampler(MULAW_RATE, SAMPLE_RATE, 'fast');
  private pending = new Int16Array(FRAME_SAMPLES * 4);
  private pendingLength = 0;

  decode(mulaw: Uint8Array): Int16Array[] {
    const linear = new Int16Array(mulaw.length);
    for (let i = 0; i < mulaw.length; i++) linear[i] = MULAW_TABLE[mulaw[i] as number] as number;
    const pcm = this.resampler.process(linear);
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
  }
}
