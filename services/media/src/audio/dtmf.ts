/**
 * DTMF as RFC 4733 telephone events (WhatsApp: `telephone-event/8000`, PT 126).
 *
 * Event timestamps and durations count an 8000 Hz clock (the payload type's clock rate)
 * even though the audio beside them runs at 48000 Hz: 20 ms is 160 units here.
 */

export const DTMF_CLOCK_RATE = 8000;
/** RFC 4733 packet interval Parley uses: one update per 20 ms, like the audio. */
export const DTMF_PACKET_INTERVAL_MS = 20;

const DIGITS = '0123456789*#ABCD';

/** The RFC 4733 event code of a DTMF key (0-9, * = 10, # = 11, A-D = 12-15). */
export function dtmfEventCode(digit: string): number {
  const code = digit.length === 1 ? DIGITS.indexOf(digit.toUpperCase()) : -1;
  if (code < 0) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  return code;
}

export function dtmfDigit(eventCode: number): string | null {
  return eventCode >= 0 && eventCode < DIGITS.length ? (DIGITS[eventCode] as string) : null;
}

export interface DtmfPacket {
  /** The 4-byte RFC 4733 payload. */
  payload: Buffer;
  /** RTP marker bit: set on the first packet of the event only. */
  marker: boolean;
  /** Event duration so far, in 8 kHz units (the payload's duration field). */
  durationSamples8k: number;
  /** E bit: the event has ended (sent three times for robustness). */
  end: boolean;
  /** When to send it, in ms after the event starts (one packet per 20 ms). */
  sendAtMs: number;
}

export interface DtmfEventOptions {
  /** Tone length; 40-8000 ms (the 16-bit duration field at 8 kHz tops out at 8.19 s). */
  durationMs?: number;
  /** Power level in -dBm0 (0-63), RFC 4733's volume field. */
  volume?: number;
}

export function encodeDtmfPayload(
  eventCode: number,
  end: boolean,
  volume: number,
  durationSamples8k: number,
): Buffer {
  const payload = Buffer.alloc(4);
  payload[0] = eventCode;
  payload[1] = (end ? 0x80 : 0) | (volume & 0x3f);
  payload.writeUInt16BE(durationSamples8k, 2);
  return payload;
}

/**
 * The packet series for one key press. All packets of an event share one RTP timestamp
 * (the event's start); the first carries the marker bit, then an update every 20 ms with
 * the growing duration, then three end packets with the E bit and the final duration.
 */
export function dtmfEventPackets(digit: string, options: DtmfEventOptions = {}): DtmfPacket[] {
  const code = dtmfEventCode(digit);
  const durationMs = options.durationMs ?? 160;
  const volume = options.volume ?? 10;
  if (!Number.isFinite(durationMs) || durationMs < 40 || durationMs > 8000) {
    throw new RangeError(`DTMF duration must be 40-8000 ms, got ${durationMs}`);
  }
  if (!Number.isInteger(volume) || volume < 0 || volume > 63) {
    throw new RangeError(`DTMF volume must be 0-63 (-dBm0), got ${volume}`);
  }
  const step = (DTMF_CLOCK_RATE * DTMF_PACKET_INTERVAL_MS) / 1000; // 160
  const total = Math.round((durationMs * DTMF_CLOCK_RATE) / 1000);
  const packets: DtmfPacket[] = [];
  let index = 0;
  for (let duration = step; ; duration += step) {
    const d = Math.min(duration, total);
    if (d >= total) break;
    packets.push({
      payload: encodeDtmfPayload(code, false, volume, d),
      marker: index === 0,
      durationSamples8k: d,
      end: false,
      sendAtMs: index * DTMF_PACKET_INTERVAL_MS,
    });
    index++;
  }
  for (let i = 0; i < 3; i++) {
    packets.push({
      payload: encodeDtmfPayload(code, true, volume, total),
      marker: index === 0,
      durationSamples8k: total,
      end: true,
      sendAtMs: index * DTMF_PACKET_INTERVAL_MS,
    });
    index++;
  }
  return packets;
}

export interface DtmfScheduleOptions {
  /** Length of each tone (default 160 ms). */
  toneMs?: number;
  /** Silence between two tones (default 100 ms). */
  gapMs?: number;
  /** Length of a `w` pause (TwiML: 0.5 s). */
  pauseMs?: number;
}

export interface ScheduledDigit {
  digit: string;
  /** Start of the tone, in ms from the start of the string. */
  atMs: number;
  durationMs: number;
}

export interface DtmfSchedule {
  digits: ScheduledDigit[];
  /** When the last tone (or pause) ends. */
  totalMs: number;
}

/**
 * Turns a TwiML digit string (`sendDigits`, `<Play digits>`) such as `12w3` into timed
 * tones: `w` waits `pauseMs`, every other character is a key.
 */
export function dtmfSchedule(digits: string, options: DtmfScheduleOptions = {}): DtmfSchedule {
  const toneMs = options.toneMs ?? 160;
  const gapMs = options.gapMs ?? 100;
  const pauseMs = options.pauseMs ?? 500;
  if (!/^[0-9*#A-Dw]*$/.test(digits)) {
    throw new RangeError(
      `digits may contain only 0-9 * # A-D and w, got ${JSON.stringify(digits)}`,
    );
  }
  const out: ScheduledDigit[] = [];
  let t = 0;
  let previousWasTone = false;
  for (const ch of digits) {
    if (ch === 'w') {
      t += pauseMs;
      previousWasTone = false;
      continue;
    }
    if (previousWasTone) t += gapMs;
    out.push({ digit: ch, atMs: t, durationMs: toneMs });
    t += toneMs;
    previousWasTone = true;
  }
  return { digits: out, totalMs: t };
}

export interface DtmfEvent {
  digit: string;
  durationMs: number;
}

export interface DtmfDetectorOptions {
  /** Clock rate of the telephone-event payload type (8000 for WhatsApp). */
  clockRate?: number;
  /**
   * An event with no packet for this long is over even without an end packet (its end
   * packets were lost). RFC 4733 senders update at least every 50 ms.
   */
  endTimeoutMs?: number;
}

interface CurrentEvent {
  timestamp: number;
  code: number;
  durationUnits: number;
  lastSeenMs: number;
}

/**
 * Turns received RFC 4733 packets into key presses, exactly one per press: all packets
 * with the same RTP timestamp are one event; retransmitted end packets and late updates
 * of a reported event are dropped; an event whose start packet was lost is still picked up
 * from its updates; an event whose end packets were all lost is reported by `flush` after
 * `endTimeoutMs`, or as soon as the next event begins.
 */
export class DtmfDetector {
  private readonly clockRate: number;
  private readonly endTimeoutMs: number;
  private current: CurrentEvent | null = null;
  /** Events already reported, ready for `flush` to return, in order. */
  private readonly ready: DtmfEvent[] = [];
  /** Timestamps of recently reported events (a small ring). */
  private readonly reported = new Array<number>(16).fill(-1);
  private reportedNext = 0;

  constructor(options: DtmfDetectorOptions = {}) {
    this.clockRate = options.clockRate ?? DTMF_CLOCK_RATE;
    this.endTimeoutMs = options.endTimeoutMs ?? 300;
  }

  /**
   * Feeds one telephone-event packet. Returns the key press it completes, or null. When a
   * packet both closes a previous event (lost end) and completes a new one, the second
   * press is returned by the next `push` or `flush`.
   */
  push(payload: Uint8Array, rtpTimestamp: number, nowMs: number = Date.now()): DtmfEvent | null {
    // Completed presses queue up so that they come out in order, one per call.
    this.accept(payload, rtpTimestamp >>> 0, nowMs);
    return this.ready.shift() ?? null;
  }

  /**
   * Reports the event in progress if its packets stopped `endTimeoutMs` ago (all of its
   * end packets lost), plus anything still queued. Call it periodically (every 100 ms or
   * so) and when the leg closes (`flush(Infinity)` reports everything).
   */
  flush(nowMs: number = Date.now()): DtmfEvent[] {
    const current = this.current;
    if (current && nowMs - current.lastSeenMs >= this.endTimeoutMs) this.complete(current);
    return this.ready.splice(0, this.ready.length);
  }

  private accept(payload: Uint8Array, timestamp: number, nowMs: number): void {
    if (payload.length < 4) return;
    const code = payload[0] as number;
    if (dtmfDigit(code) === null) return; // not DTMF (e.g. flash, or other events)
    const end = ((payload[1] as number) & 0x80) !== 0;
    const durationUnits = (((payload[2] as number) << 8) | (payload[3] as number)) >>> 0;
    if (this.wasReported(timestamp)) return;

    let current = this.current;
    if (current && current.timestamp !== timestamp) {
      // A new event began while the previous one never ended: its end packets were lost.
      this.complete(current);
      current = null;
    }
    if (!current) {
      current = { timestamp, code, durationUnits, lastSeenMs: nowMs };
      this.current = current;
    } else {
      current.durationUnits = Math.max(current.durationUnits, durationUnits);
      current.lastSeenMs = nowMs;
    }
    if (end) this.complete(current);
  }

  private complete(event: CurrentEvent): void {
    if (this.current === event) this.current = null;
    this.reported[this.reportedNext] = event.timestamp;
    this.reportedNext = (this.reportedNext + 1) % this.reported.length;
    this.ready.push({
      digit: dtmfDigit(event.code) as string,
      durationMs: Math.round((event.durationUnits * 1000) / this.clockRate),
    });
  }

  private wasReported(timestamp: number): boolean {
    for (const t of this.reported) if (t === timestamp) return true;
    return false;
  }
}
