import { OpusDecoder, OpusEncoder } from '@parley/opus';
import { FRAME_SAMPLES } from '../audio/tone';

/** WhatsApp's offer caps Opus at 20 kbit/s (maxaveragebitrate=20000). */
export const OPUS_BITRATE = 20_000;

/**
 * Mono 48 kHz Opus encoder for 20 ms frames (VOIP application), on `@parley/opus`: libopus
 * wasm driven directly, so encoders keep working however many simulated users exist.
 */
export class OpusFrameEncoder {
  private readonly codec: OpusEncoder;
  private closed = false;

  constructor(bitrate = OPUS_BITRATE) {
    this.codec = new OpusEncoder({ bitrate, application: 'voip' });
  }

  encode(frame: Int16Array): Buffer {
    if (frame.length !== FRAME_SAMPLES)
      throw new RangeError(`an Opus frame is ${FRAME_SAMPLES} samples`);
    // A copy of the packet, not a view of wasm memory.
    return this.codec.encode(frame);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.codec.delete();
  }
}

/**
 * Decodes any Opus packet (mono or stereo) to mono 48 kHz PCM: the decoder is mono, and
 * libopus downmixes stereo packets.
 */
export class OpusFrameDecoder {
  private readonly codec = new OpusDecoder();
  private closed = false;

  /** Null when the packet is not valid Opus. */
  decode(packet: Buffer): Int16Array | null {
    if (this.closed || packet.length === 0) return null;
    try {
      return this.codec.decode(packet);
    } catch {
      return null;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.codec.delete();
  }
}
