import { seqDiff } from '../legs/rtp';

/**
 * Loss and interarrival jitter (RFC 3550 6.4.1) of one received RTP stream, measured at
 * the receiving WhatsApp user: everything between the two users (two rtpengine hops, two
 * mediasoup routers, the Node bridge) is in it.
 */
export class RtpProbe {
  private received = 0;
  private firstSeq: number | null = null;
  private highestExt = 0;
  private lastTransit: number | null = null;
  private jitterTicks = 0;

  constructor(private readonly clockRate = 48_000) {}

  onPacket(sequenceNumber: number, timestamp: number, arrivalMs: number): void {
    if (this.firstSeq === null) {
      this.firstSeq = sequenceNumber;
      this.highestExt = sequenceNumber;
    } else {
      const ext = this.highestExt + seqDiff(sequenceNumber, this.highestExt & 0xffff);
      if (ext > this.highestExt) this.highestExt = ext;
    }
    this.received++;
    const transit = (arrivalMs * this.clockRate) / 1000 - timestamp;
    if (this.lastTransit !== null) {
      let d = Math.abs(transit - this.lastTransit);
      // A timestamp wrap or a talkspurt jump is not jitter.
      if (d > this.clockRate) d = 0;
      this.jitterTicks += (d - this.jitterTicks) / 16;
    }
    this.lastTransit = transit;
  }

  /** Expected from sequence numbers, and how many of those arrived. */
  get counts(): { expected: number; received: number } {
    if (this.firstSeq === null) return { expected: 0, received: 0 };
    return { expected: this.highestExt - this.firstSeq + 1, received: this.received };
  }

  get jitterMs(): number {
    return (this.jitterTicks * 1000) / this.clockRate;
  }

  reset(): void {
    this.received = 0;
    this.firstSeq = null;
    this.lastTransit = null;
    this.jitterTicks = 0;
  }
}
