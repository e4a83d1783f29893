/**
 * RFC 4733 telephone-event payloads (DTMF over RTP): 4 bytes per packet,
 * `event(8) | E(1) R(1) volume(6) | duration(16)`. A key press is one *event*: every packet of
 * it carries the same RTP timestamp, the duration grows, and the last packet has the E bit
 * set and is usually sent three times. Receivers must therefore de-duplicate by timestamp.
 */

const DIGITS = '0123456789*#ABCD';

export const DTMF_DIGIT_PATTERN = /^[0-9*#A-D]$/;

export interface TelephoneEvent {
  /** 0-9 digits, 10 `*`, 11 `#`, 12-15 A-D (other events exist; the simulator ignores them). */
  event: number;
  end: boolean;
  /** Power level as -dBm0, 0-63 (10 is a typical loud-enough press). */
  volume: number;
  /** Duration so far, in units of the telephone-event clock (8 kHz on WhatsApp). */
  duration: number;
}

export function digitToEvent(digit: string): number {
  const index = DIGITS.indexOf(digit.toUpperCase());
  if (digit.length !== 1 || index < 0)
    throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  return index;
}

/** The digit for an event code, or null for non-DTMF events (flash, tones...). */
export function eventToDigit(event: number): string | null {
  return event >= 0 && event < DIGITS.length ? (DIGITS[event] ?? null) : null;
}

export function encodeTelephoneEvent(e: TelephoneEvent): Buffer {
  if (e.event < 0 || e.event > 255) throw new RangeError('event out of range');
  if (e.volume < 0 || e.volume > 63) throw new RangeError('volume out of range');
  const out = Buffer.alloc(4);
  out.writeUInt8(e.event, 0);
  out.writeUInt8((e.end ? 0x80 : 0) | (e.volume & 0x3f), 1);
  out.writeUInt16BE(Math.min(0xffff, Math.max(0, Math.round(e.duration))), 2);
  return out;
}

export function decodeTelephoneEvent(payload: Buffer): TelephoneEvent | null {
  if (payload.length < 4) return null;
  const flags = payload.readUInt8(1);
  return {
    event: payload.readUInt8(0),
    end: (flags & 0x80) !== 0,
    volume: flags & 0x3f,
    duration: payload.readUInt16BE(2),
  };
}

export interface ReceivedDigit {
  digit: string;
  durationMs: number;
}

/**
 * Turns a stream of telephone-event packets into key presses, each reported exactly once:
 * at its first end packet, or, when every end packet was lost, when the next event starts
 * or `flush()` is called.
 */
export class DtmfEventCollector {
  private current: { timestamp: number; event: number; duration: number } | null = null;
  /** Timestamps of events already reported, so retransmitted end packets are ignored. */
  private readonly done: number[] = [];

  constructor(private readonly clockRate = 8000) {}

  /** Feed one telephone-event packet; returns the presses it completed (0, 1 or 2). */
  push(timestamp: number, payload: Buffer): ReceivedDigit[] {
    const decoded = decodeTelephoneEvent(payload);
    if (!decoded || this.done.includes(timestamp)) return [];
    const out: ReceivedDigit[] = [];
    if (this.current && this.current.timestamp !== timestamp) {
      const finished = this.finish();
      if (finished) out.push(finished);
    }
    if (!this.current) this.current = { timestamp, event: decoded.event, duration: 0 };
    this.current.duration = Math.max(this.current.duration, decoded.duration);
    if (decoded.end) {
      const finished = this.finish();
      if (finished) out.push(finished);
    }
    return out;
  }

  /** Reports an event whose end packets never came. */
  flush(): ReceivedDigit | null {
    return this.finish();
  }

  get pending(): boolean {
    return this.current !== null;
  }

  private finish(): ReceivedDigit | null {
    const current = this.current;
    this.current = null;
    if (!current) return null;
    this.done.push(current.timestamp);
    if (this.done.length > 64) this.done.shift();
    const digit = eventToDigit(current.event);
    if (digit === null) return null;
    return { digit, durationMs: Math.round((current.duration / this.clockRate) * 1000) };
  }
}
