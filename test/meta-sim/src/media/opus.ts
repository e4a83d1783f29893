import OpusScript from 'opusscript';
import { FRAME_SAMPLES, SAMPLE_RATE } from '../audio/tone';

/** WhatsApp's offer caps Opus at 20 kbit/s (maxaveragebitrate=20000). */
export const OPUS_BITRATE = 20_000;

/** Mono 48 kHz Opus encoder for 20 ms frames (opusscript: libopus compiled to wasm). */
export class OpusFrameEncoder {
  private readonly codec = new OpusScript(SAMPLE_RATE, 1, OpusScript.Application.VOIP);
  private closed = false;

  constructor(bitrate = OPUS_BITRATE) {
    this.codec.setBitrate(bitrate);
  }

  encode(frame: Int16Array): Buffer {
    if (frame.length !== FRAME_SAMPLES)
      throw new RangeError(`an Opus frame is ${FRAME_SAMPLES} samples`);
    const pcm = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    // opusscript returns a view into wasm memory that the next call overwrites.
    return Buffer.from(this.codec.encode(pcm, FRAME_SAMPLES));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.codec.delete();
  }
}

/** Decodes any Opus packet (mono or stereo) to mono 48 kHz PCM. */
export class OpusFrameDecoder {
  private readonly codec = new OpusScript(SAMPLE_RATE, 1, OpusScript.Application.VOIP);
  private closed = false;

  /** Null when the packet is not valid Opus. */
  decode(packet: Buffer): Int16Array | null {
    if (this.closed || packet.length === 0) return null;
    try {
      const pcm = this.codec.decode(packet);
      const out = new Int16Array(pcm.length / 2);
      for (let i = 0; i < out.length; i += 1) out[i] = pcm.readInt16LE(i * 2);
      return out;
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
