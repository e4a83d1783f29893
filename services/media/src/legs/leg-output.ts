import { seqDiff, tsDiff, writeRtp, type RtpView } from './rtp';

/** Opus frames are 20 ms: 960 ticks of the 48 kHz RTP clock. */
export const FRAME_TICKS = 960;
const TICKS_PER_MS = 48;

export interface LegOutputOptions {
  ssrc: number;
  /** Where finished packets go (the leg's DirectTransport producer). */
  send: (packet: Buffer) => void;
  /** Monotonic milliseconds. */
  now: () => number;
  /** Told of every packet sent (recordings of what the leg hears). */
  onSent?: (packet: RtpView, source: string) => void;
}

interface SourceMapping {
  key: string;
  seqOffset: number;
  tsOffset: number;
}

/**
 * The one RTP stream a leg sends to WhatsApp. Its SSRC is declared in the SDP and never
 * changes, while what the leg hears does: prompts, the bridged peer, silence, DTMF.
 *
 * Each source keeps its own sequence numbers and timestamps; the output maps them onto
 * its stream with per-source offsets. On a switch of source the offsets are chosen so the
 * stream continues: the next sequence number, and a timestamp advanced by the wall-clock
 * time since the last packet (at least one frame, so frames never overlap). The first
 * packet after a switch carries the marker bit (a talkspurt starts). Within one source
 * its own gaps and ordering are kept, so the receiver still sees losses as losses.
 */
export class LegOutput {
  private current: SourceMapping | null = null;
  private lastSeq = 0;
  private lastTs = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private started = false;

  constructor(private readonly options: LegOutputOptions) {
    // RFC 3550: random initial sequence number and timestamp.
    this.lastSeq = Math.floor(Math.random() * 0x10000);
    this.lastTs = Math.floor(Math.random() * 0x100000000);
  }

  /** Milliseconds since the last packet went out (Infinity before the first). */
  idleMs(): number {
    return this.options.now() - this.lastSentAt;
  }

  get currentSource(): string | null {
    return this.current?.key ?? null;
  }

  /**
   * Sends one packet of `source` (its own seq/timestamp numbering). Returns the packet
   * as sent.
   */
  send(source: string, p: RtpView): RtpView {
    const now = this.options.now();
    let mapping = this.current;
    let marker = p.marker;
    if (mapping?.key !== source) {
      const elapsedTicks = this.started
        ? Math.max(FRAME_TICKS, Math.round((now - this.lastSentAt) * TICKS_PER_MS))
        : 0;
      const seq = (this.lastSeq + (this.started ? 1 : 0)) & 0xffff;
      const ts = (this.lastTs + elapsedTicks) >>> 0;
      mapping = {
        key: source,
        seqOffset: (seq - p.sequenceNumber) & 0xffff,
        tsOffset: (ts - p.timestamp) >>> 0,
      };
      this.current = mapping;
      marker = true;
    }
    const out: RtpView = {
      marker,
      payloadType: p.payloadType,
      sequenceNumber: (p.sequenceNumber + mapping.seqOffset) & 0xffff,
      timestamp: (p.timestamp + mapping.tsOffset) >>> 0,
      ssrc: this.options.ssrc,
      payload: p.payload,
    };
    // A late (reordered) packet goes out as it is but does not move the stream back.
    if (!this.started || seqDiff(out.sequenceNumber, this.lastSeq) > 0) {
      this.lastSeq = out.sequenceNumber;
    }
    if (!this.started || tsDiff(out.timestamp, this.lastTs) > 0) this.lastTs = out.timestamp;
    this.started = true;
    this.lastSentAt = now;
    this.options.send(writeRtp(out));
    this.options.onSent?.(out, source);
    return out;
  }

  /** Forget the current source: its next packet starts a new talkspurt. */
  interrupt(): void {
    this.current = null;
  }
}
