import { seqDiff } from '../legs/rtp';

/**
 * Loss and interarrival jitter (RFC 3550 6.4.1) of one received RTP stream, measured at
 * the receiving WhatsApp user: everything between the two users (two rtpengine hops, two
 * mediasoup routers, the Node bridge) is in it.
 *
 * Received packets are counted once per extended sequence number inside the expected
 * range (first to highest): a duplicate, or a late packet from before the first one seen
 * (after a reset), is not counted, so loss is never negative.
 */
export class RtpProbe {
  /** Extended sequence numbers received since the first (each once). */
  private readonly seen = new Set<number>();
  private firstSeq: number | null = null;
  private highestExt = 0;
  private lastTransit: number | null = null;
  private jitterTicks = 0;

  constructor(private readonly clockRate = 48_000) {}

  onPacket(sequenceNumber: number, timestamp: number, arrivalMs: number): void {
    // Extended numbers start one cycle up, so a packet from before the first stays positive.
    let ext = 0x10000 + sequenceNumber;
    if (this.firstSeq === null) {
      this.firstSeq = ext;
      this.highestExt = ext;
    } else {
      ext = this.highestExt + seqDiff(sequenceNumber, this.highestExt & 0xffff);
      if (ext > this.highestExt) this.highestExt = ext;
    }
    if (ext >= this.firstSeq) this.seen.add(ext);
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
    return { expected: this.highestExt - this.firstSeq + 1, received: this.seen.size };
  }

  get jitterMs(): number {
    return (this.jitterTicks * 1000) / this.clockRate;
  }

  reset(): void {
    this.seen.clear();
    this.firstSeq = null;
    this.lastTransit = null;
    this.jitterTicks = 0;
  }
}
