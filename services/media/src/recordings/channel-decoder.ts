import { FRAME_SAMPLES, OpusDecoder } from '../audio';
import { seqDiff, tsDiff, type RtpView } from '../legs/rtp';

/** Lost packets concealed at most per gap; longer gaps are left as silence by the recorder. */
const MAX_CONCEALED = 5;
const TICKS_PER_MS = 48;

export interface DecodedFrame {
  pcm: Int16Array;
  /** Position on the recording's timeline (monotonic ms). */
  atMs: number;
}

/**
 * One recorded stream (a leg's inbound, or what it hears): Opus packets to 20 ms PCM
 * frames with their place in time. The place comes from the RTP timestamp, anchored at
 * the arrival of the first packet, so network jitter does not move audio around and DTX
 * gaps stay gaps; short losses are concealed by the decoder.
 */
export class ChannelDecoder {
  private readonly decoder = new OpusDecoder();
  private lastSeq: number | null = null;
  private lastTs = 0;
  /** Ticks since the first packet (timestamps unwrapped). */
  private extendedTs = 0;
  private originMs = 0;

  constructor(
    private readonly opusPayloadType: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  decode(packet: RtpView): DecodedFrame[] {
    if (packet.payloadType !== this.opusPayloadType) return [];
    const out: DecodedFrame[] = [];
    if (this.lastSeq === null) {
      this.originMs = this.now();
      this.lastTs = packet.timestamp;
    } else {
      const step = seqDiff(packet.sequenceNumber, this.lastSeq);
      if (step <= 0) return []; // duplicate or too late: its time is past
      this.extendedTs += tsDiff(packet.timestamp, this.lastTs);
      this.lastTs = packet.timestamp;
      const lost = Math.min(step - 1, MAX_CONCEALED);
      for (let i = lost; i > 0; i--) {
        out.push({ pcm: this.decoder.decode(null), atMs: this.atMs(-i * FRAME_SAMPLES) });
      }
    }
    this.lastSeq = packet.sequenceNumber;
    const pcm = this.decoder.decode(packet.payload);
    // Opus packets may hold 40 or 60 ms: the recorder takes 20 ms frames.
    for (let offset = 0; offset + FRAME_SAMPLES <= pcm.length; offset += FRAME_SAMPLES) {
      out.push({ pcm: pcm.subarray(offset, offset + FRAME_SAMPLES), atMs: this.atMs(offset) });
    }
    return out;
  }

  dispose(): void {
    this.decoder.delete();
  }

  private atMs(offsetTicks: number): number {
    return this.originMs + (this.extendedTs + offsetTicks) / TICKS_PER_MS;
  }
}
