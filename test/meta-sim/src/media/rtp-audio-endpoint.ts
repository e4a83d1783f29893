import { randomInt } from 'node:crypto';
import { RtpHeader, type RTCDtlsTransport, type RtpPacket } from 'werift';
import { analyse, dominantFrequency, rmsDbfs, type AudioAnalysis } from '../audio/analysis';
import {
  DtmfEventCollector,
  digitToEvent,
  encodeTelephoneEvent,
  type ReceivedDigit,
} from '../audio/rfc4733';
import { FRAME_SAMPLES, SAMPLE_RATE, ToneGenerator } from '../audio/tone';
import { encodeWav } from '../audio/wav';
import { OpusFrameDecoder, OpusFrameEncoder } from './opus';

/** What one side of a call sent and heard. */
export interface MediaStats {
  /** ICE and DTLS completed: SRTP can flow. */
  connected: boolean;
  packetsSent: number;
  packetsReceived: number;
  /** RTP payload bytes received (all payload types). */
  bytesReceived: number;
  /** Decoded audio received, in milliseconds. */
  receivedMs: number;
  /** RMS level of the last second of received audio. */
  levelDbfs: number;
  /** Strongest frequency of the last second of received audio; null when silent. */
  dominantFrequencyHz: number | null;
  /** Key presses received (RFC 4733), in order, each once. */
  dtmf: ReceivedDigit[];
  /** Digits this side has finished sending. */
  dtmfSent: string;
}

export interface NegotiatedPayloadTypes {
  opus: number;
  telephoneEvent: number | null;
  telephoneEventClockRate: number;
}

export type SpeakSource = { toneHz: number } | { pcm: Int16Array } | null;

const FRAME_MS = 20;
/** Frames sent at once at most after the event loop stalled; older ones are skipped. */
const MAX_CATCH_UP_FRAMES = 5;
/** An RFC 4733 event with no packet for this long is reported as finished. */
const DTMF_STALE_MS = 300;
/** RFC 4733 recommends sending the end packet three times. */
const DTMF_END_REPEATS = 3;
const DTMF_VOLUME = 10;
const LAST_SECOND_FRAMES = 50;

interface DigitJob {
  /** Event code, or null for a `w` pause. */
  event: number | null;
  durationMs: number;
  gapMs: number;
  digit: string;
}

interface DtmfRun {
  jobs: DigitJob[];
  resolve: () => void;
  reject: (error: Error) => void;
}

type DtmfPhase =
  | {
      kind: 'tone';
      job: DigitJob;
      timestamp: number;
      elapsed: number;
      target: number;
      endsSent: number;
    }
  | { kind: 'gap'; framesLeft: number };

/**
 * The audio engine of one WebRTC leg, below werift's track API: it writes RTP itself on the
 * DTLS transport (werift 0.24.4's RTCRtpSender rewrites every payload type to the codec's,
 * which would turn telephone-events into broken Opus), paces 20 ms frames on a drift-free
 * clock, and decodes and analyses everything that arrives.
 */
export class RtpAudioEndpoint {
  private transport: RTCDtlsTransport | null = null;
  private payloadTypes: NegotiatedPayloadTypes | null = null;
  private ssrc = 0;
  private sequence = randomInt(0, 0x10000);
  /** Simulated network loss: every `loseEvery`-th packet is numbered but not sent (0: none). */
  private loseEvery = 0;
  private timestamp = randomInt(0, 0x1_0000_0000);
  private readonly encoder = new OpusFrameEncoder();
  private readonly decoder = new OpusFrameDecoder();
  private silentFrame: Buffer | null = null;
  private connected = false;
  private closed = false;
  private pacer: NodeJS.Timeout | null = null;
  private pacerStart = 0;
  private framesDue = 0;
  private source:
    | { kind: 'silence' }
    | { kind: 'tone'; generator: ToneGenerator }
    | {
        kind: 'pcm';
        pcm: Int16Array;
        position: number;
        done: () => void;
      } = { kind: 'silence' };
  private readonly dtmfRuns: DtmfRun[] = [];
  private dtmfPhase: DtmfPhase | null = null;
  private dtmfSent = '';
  private collector = new DtmfEventCollector(8000);
  private lastDtmfPacketAt = 0;
  private readonly digits: ReceivedDigit[] = [];
  private readonly recorded: Int16Array[] = [];
  private recordedSamples = 0;
  private readonly lastSecond: Int16Array[] = [];
  private packetsSent = 0;
  private packetsReceived = 0;
  private bytesReceived = 0;
  private receivedSamples = 0;
  private firstAudioAt: number | null = null;
  private lastPacketAt: number | null = null;
  private readonly mediaWaiters: Array<() => void> = [];
  private readonly unsubscribes: Array<() => void> = [];
  private readonly connectedListeners: Array<() => void> = [];

  constructor(private readonly options: { maxRecordedMs: number }) {}

  /** Binds the endpoint to a negotiated transport; media starts once DTLS is connected. */
  attach(transport: RTCDtlsTransport, ssrc: number, payloadTypes: NegotiatedPayloadTypes): void {
    if (this.closed) return;
    if (this.transport === transport) return;
    this.transport = transport;
    this.ssrc = ssrc;
    this.payloadTypes = payloadTypes;
    this.collector = new DtmfEventCollector(payloadTypes.telephoneEventClockRate);
    const rtp = transport.onRtp.subscribe((packet) => this.onRtp(packet));
    const state = transport.onStateChange.subscribe((next) => {
      if (next === 'connected') this.onConnected();
      else if (next === 'closed' || next === 'failed') this.stopPacer();
    });
    this.unsubscribes.push(rtp.unSubscribe, state.unSubscribe);
    if (transport.state === 'connected') this.onConnected();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Monotonic time (performance.now()) of the last RTP packet received, any payload type. */
  get lastPacketReceivedAt(): number | null {
    return this.lastPacketAt;
  }

  get telephoneEventNegotiated(): boolean {
    return this.payloadTypes !== null && this.payloadTypes.telephoneEvent !== null;
  }

  onConnectedOnce(listener: () => void): void {
    if (this.connected) listener();
    else this.connectedListeners.push(listener);
  }

  waitForMedia(timeoutMs: number): Promise<void> {
    if (this.firstAudioAt !== null) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('media endpoint is closed'));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.mediaWaiters.indexOf(done);
        if (index >= 0) this.mediaWaiters.splice(index, 1);
        reject(new Error(`no inbound audio within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.mediaWaiters.push(done);
    });
  }

  speak(source: SpeakSource): Promise<void> {
    this.finishPcm();
    if (source === null) {
      this.source = { kind: 'silence' };
      return Promise.resolve();
    }
    if ('toneHz' in source) {
      this.source = { kind: 'tone', generator: new ToneGenerator(source.toneHz) };
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.source = { kind: 'pcm', pcm: source.pcm, position: 0, done: resolve };
    });
  }

  sendDigits(digits: string, options: { durationMs?: number; gapMs?: number } = {}): Promise<void> {
    if (this.closed) return Promise.reject(new Error('media endpoint is closed'));
    if (!this.payloadTypes || this.payloadTypes.telephoneEvent === null) {
      return Promise.reject(new Error('telephone-event was not negotiated on this call'));
    }
    const durationMs = options.durationMs ?? 160;
    const gapMs = options.gapMs ?? 100;
    if (!(durationMs >= 40 && durationMs <= 5000))
      return Promise.reject(new RangeError('durationMs must be 40-5000'));
    if (!(gapMs >= 0 && gapMs <= 5000))
      return Promise.reject(new RangeError('gapMs must be 0-5000'));
    const jobs: DigitJob[] = [];
    for (const digit of digits) {
      if (digit === 'w' || digit === 'W')
        jobs.push({ event: null, durationMs: 500, gapMs: 0, digit: '' });
      else {
        try {
          jobs.push({ event: digitToEvent(digit), durationMs, gapMs, digit: digit.toUpperCase() });
        } catch (error) {
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    }
    return new Promise<void>((resolve, reject) => {
      this.dtmfRuns.push({ jobs, resolve, reject });
    });
  }

  stats(): MediaStats {
    const last = concat(this.lastSecond);
    return {
      connected: this.connected,
      packetsSent: this.packetsSent,
      packetsReceived: this.packetsReceived,
      bytesReceived: this.bytesReceived,
      receivedMs: Math.round((this.receivedSamples / SAMPLE_RATE) * 1000),
      levelDbfs: Math.round(rmsDbfs(last) * 10) / 10,
      dominantFrequencyHz: roundHz(dominantFrequency(last)),
      dtmf: this.digits.map((d) => ({ ...d })),
      dtmfSent: this.dtmfSent,
    };
  }

  analyse(window: { fromMs?: number; toMs?: number } = {}): AudioAnalysis {
    const result = analyse(this.receivedPcm(), window);
    return { ...result, dominantFrequencyHz: roundHz(result.dominantFrequencyHz) };
  }

  receivedPcm(): Int16Array {
    return concat(this.recorded);
  }

  receivedWav(): Buffer {
    return encodeWav(this.receivedPcm(), SAMPLE_RATE, 1);
  }

  resetReceived(): void {
    this.recorded.length = 0;
    this.recordedSamples = 0;
    this.lastSecond.length = 0;
    this.digits.length = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopPacer();
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.finishPcm();
    for (const run of this.dtmfRuns.splice(0))
      run.reject(new Error('call ended before the digits were sent'));
    this.encoder.close();
    this.decoder.close();
  }

  private onConnected(): void {
    if (this.connected || this.closed) return;
    this.connected = true;
    for (const listener of this.connectedListeners.splice(0)) listener();
    this.pacerStart = performance.now();
    this.framesDue = 0;
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || !this.connected) return;
    const nextAt = this.pacerStart + (this.framesDue + 1) * FRAME_MS;
    this.pacer = setTimeout(() => this.onPacer(), Math.max(0, nextAt - performance.now()));
  }

  private onPacer(): void {
    this.pacer = null;
    const due = Math.floor((performance.now() - this.pacerStart) / FRAME_MS);
    let count = due - this.framesDue;
    if (count > MAX_CATCH_UP_FRAMES) {
      // The event loop stalled: a phone would not burst a backlog either; skip it.
      this.timestamp = (this.timestamp + (count - MAX_CATCH_UP_FRAMES) * FRAME_SAMPLES) >>> 0;
      count = MAX_CATCH_UP_FRAMES;
    }
    for (let i = 0; i < count; i += 1) this.sendFrame();
    this.framesDue = due;
    if (this.collector.pending && performance.now() - this.lastDtmfPacketAt > DTMF_STALE_MS) {
      const flushed = this.collector.flush();
      if (flushed) this.digits.push(flushed);
    }
    this.schedule();
  }

  private stopPacer(): void {
    if (this.pacer) clearTimeout(this.pacer);
    this.pacer = null;
  }

  private sendFrame(): void {
    const frameTimestamp = this.timestamp;
    this.timestamp = (this.timestamp + FRAME_SAMPLES) >>> 0;
    if (this.sendDtmfFrame(frameTimestamp)) return;
    this.send(this.payloadTypes?.opus ?? 111, frameTimestamp, this.nextAudioPayload(), false);
  }

  /** Sends the DTMF packet of this frame, if a key press is in progress. */
  private sendDtmfFrame(frameTimestamp: number): boolean {
    const pt = this.payloadTypes?.telephoneEvent;
    if (pt === null || pt === undefined) return false;
    if (!this.dtmfPhase) {
      const run = this.dtmfRuns[0];
      if (!run) return false;
      const job = run.jobs.shift();
      if (!job) {
        this.dtmfRuns.shift();
        run.resolve();
        return this.sendDtmfFrame(frameTimestamp);
      }
      if (job.event === null) {
        this.dtmfPhase = { kind: 'gap', framesLeft: Math.round(job.durationMs / FRAME_MS) };
        return false;
      }
      const clock = this.payloadTypes?.telephoneEventClockRate ?? 8000;
      this.dtmfPhase = {
        kind: 'tone',
        job,
        timestamp: frameTimestamp,
        elapsed: 0,
        target: Math.round((job.durationMs / 1000) * clock),
        endsSent: 0,
      };
    }
    const phase = this.dtmfPhase;
    if (phase.kind === 'gap') {
      phase.framesLeft -= 1;
      if (phase.framesLeft <= 0) this.dtmfPhase = null;
      return false;
    }
    const event = phase.job.event ?? 0;
    const clock = this.payloadTypes?.telephoneEventClockRate ?? 8000;
    if (phase.elapsed < phase.target) {
      const first = phase.elapsed === 0;
      phase.elapsed = Math.min(phase.target, phase.elapsed + (FRAME_MS / 1000) * clock);
      const end = phase.elapsed >= phase.target;
      this.send(
        pt,
        phase.timestamp,
        encodeTelephoneEvent({ event, end, volume: DTMF_VOLUME, duration: phase.elapsed }),
        first,
      );
      if (end) phase.endsSent = 1;
    } else {
      this.send(
        pt,
        phase.timestamp,
        encodeTelephoneEvent({ event, end: true, volume: DTMF_VOLUME, duration: phase.elapsed }),
        false,
      );
      phase.endsSent += 1;
    }
    if (phase.endsSent >= DTMF_END_REPEATS) {
      this.dtmfSent += phase.job.digit;
      const gapFrames = Math.round(phase.job.gapMs / FRAME_MS);
      this.dtmfPhase = gapFrames > 0 ? { kind: 'gap', framesLeft: gapFrames } : null;
    }
    return true;
  }

  private nextAudioPayload(): Buffer {
    const source = this.source;
    if (source.kind === 'tone') return this.encoder.encode(source.generator.next(FRAME_SAMPLES));
    if (source.kind === 'pcm') {
      const frame = new Int16Array(FRAME_SAMPLES);
      frame.set(source.pcm.subarray(source.position, source.position + FRAME_SAMPLES));
      source.position += FRAME_SAMPLES;
      if (source.position >= source.pcm.length) this.finishPcm();
      return this.encoder.encode(frame);
    }
    this.silentFrame ??= this.encoder.encode(new Int16Array(FRAME_SAMPLES));
    return this.silentFrame;
  }

  private finishPcm(): void {
    const source = this.source;
    if (source.kind !== 'pcm') return;
    this.source = { kind: 'silence' };
    source.done();
  }

  /**
   * Simulates a lossy network on the way out: from now on every `n`-th packet gets its
   * sequence number but is never sent, so the receiver counts it lost (0 or 1: no loss).
   */
  loseEveryNth(n: number): void {
    this.loseEvery = n > 1 ? Math.floor(n) : 0;
  }

  private send(payloadType: number, timestamp: number, payload: Buffer, marker: boolean): void {
    const transport = this.transport;
    if (!transport || transport.state !== 'connected') return;
    if (this.loseEvery > 0 && this.sequence % this.loseEvery === 0) {
      this.sequence = (this.sequence + 1) & 0xffff;
      return;
    }
    const header = new RtpHeader({
      payloadType,
      sequenceNumber: this.sequence,
      timestamp,
      ssrc: this.ssrc,
      marker,
    });
    this.sequence = (this.sequence + 1) & 0xffff;
    this.packetsSent += 1;
    void transport.sendRtp(payload, header);
  }

  private onRtp(packet: RtpPacket): void {
    if (this.closed || !this.payloadTypes) return;
    this.packetsReceived += 1;
    this.bytesReceived += packet.payload.length;
    this.lastPacketAt = performance.now();
    const pt = packet.header.payloadType;
    if (pt === this.payloadTypes.telephoneEvent) {
      this.lastDtmfPacketAt = performance.now();
      this.digits.push(...this.collector.push(packet.header.timestamp, packet.payload));
      return;
    }
    if (pt !== this.payloadTypes.opus) return;
    const pcm = this.decoder.decode(packet.payload);
    if (!pcm) return;
    this.receivedSamples += pcm.length;
    const maxSamples = (this.options.maxRecordedMs / 1000) * SAMPLE_RATE;
    if (this.recordedSamples + pcm.length <= maxSamples) {
      this.recorded.push(pcm);
      this.recordedSamples += pcm.length;
    }
    this.lastSecond.push(pcm);
    if (this.lastSecond.length > LAST_SECOND_FRAMES) this.lastSecond.shift();
    if (this.firstAudioAt === null) {
      this.firstAudioAt = performance.now();
      for (const waiter of this.mediaWaiters.splice(0)) waiter();
    }
  }
}

function concat(chunks: Int16Array[]): Int16Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Int16Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function roundHz(hz: number | null): number | null {
  return hz === null ? null : Math.round(hz * 10) / 10;
}
