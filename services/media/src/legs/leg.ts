import { randomInt } from 'node:crypto';
import { type CallSid } from '@parley/contracts';
import {
  type Consumer,
  type DirectTransport,
  type PlainTransport,
  type Producer,
  type Router,
  type RtpCapabilities,
  type RtpCodecParameters,
  type RtpParameters,
  type Worker,
} from 'mediasoup/node/lib/types';
import { type PlainDescription, type PlainEndpoint } from '../edge/sdp/whatsapp-sdp';
import { LegOutput } from './leg-output';
import { decideLegTransition, legSendsMedia, type LegState } from './leg-state-machine';
import { readRtp, type RtpView } from './rtp';
import { rtpQuality, type RtpStreamQuality } from './rtp-quality';

export type LegDirection = 'inbound' | 'outbound';
export type { LegState } from './leg-state-machine';

/** The payload types of a leg: WhatsApp's (inbound calls) or Parley's own (outbound). */
export interface LegCodecs {
  opusPayloadType: number;
  telephoneEvent: { payloadType: number; clockRate: number } | null;
}

export const DEFAULT_CODECS: LegCodecs = {
  opusPayloadType: 111,
  telephoneEvent: { payloadType: 126, clockRate: 8000 },
};

/** One 20 ms frame a leg's output should send now, from a named source. */
export interface OutFrame {
  source: string;
  packet: RtpView;
}

/** Supplies what a leg hears, frame by frame (prompts, digits); null when it has nothing. */
export interface FrameSource {
  nextFrame(tick: number): OutFrame | null;
  /** While true, the bridged peer is not heard (a prompt plays over the bridge). */
  readonly active: boolean;
}

/** Opus's RTP clock rate (RFC 7587), whatever the sampling rate of the audio. */
const OPUS_CLOCK_RATE = 48000;

export type InboundListener = (packet: RtpView, leg: Leg) => void;
/** Told of every packet the leg sends to WhatsApp (what it hears). */
export type OutboundListener = (packet: RtpView, leg: Leg) => void;

/**
 * The mediasoup codec that carries RFC 4733 telephone events. mediasoup 3.12 knows
 * `audio/telephone-event` but counts it as a complementary codec, and its consumers drop
 * every packet that is not of a *media* codec: DTMF would never reach Node nor WhatsApp.
 * So the telephone-event payload type is declared to mediasoup as a second audio media
 * codec of the same clock rate that mediasoup forwards opaquely (it never decodes audio
 * payloads). Only mediasoup sees this label; the SDP says telephone-event.
 */
const DTMF_CARRIER_BY_CLOCK_RATE: Readonly<Record<number, string>> = {
  8000: 'audio/PCMA',
  16000: 'audio/SILK',
  32000: 'audio/ISAC',
};

/** Whether mediasoup can carry telephone events of this clock rate (see above). */
export function canCarryDtmf(clockRate: number): boolean {
  return DTMF_CARRIER_BY_CLOCK_RATE[clockRate] !== undefined;
}

function dtmfCarrier(
  c: LegCodecs,
): { mimeType: string; payloadType: number; clockRate: number } | null {
  const te = c.telephoneEvent;
  const mimeType = te ? DTMF_CARRIER_BY_CLOCK_RATE[te.clockRate] : undefined;
  return te && mimeType ? { mimeType, payloadType: te.payloadType, clockRate: te.clockRate } : null;
}

function producerCodecs(c: LegCodecs): RtpCodecParameters[] {
  const carrier = dtmfCarrier(c);
  return [
    {
      mimeType: 'audio/opus',
      payloadType: c.opusPayloadType,
      clockRate: OPUS_CLOCK_RATE,
      channels: 2,
      parameters: { useinbandfec: 1, minptime: 10 },
      rtcpFeedback: [],
    },
    ...(carrier ? [{ ...carrier, rtcpFeedback: [] }] : []),
  ];
}

/**
 * One WhatsApp call leg on mediasoup: its own router (on the worker it was given) with
 *   - a PlainTransport facing rtpengine (rtcp-mux): the inbound producer (what WhatsApp
 *     sends) and the consumer of the leg output (what WhatsApp hears);
 *   - a DirectTransport into Node: the leg output producer, fed by `output` with one
 *     fixed SSRC, and the tap consumer that hands inbound RTP to listeners (DTMF, bridge,
 *     recordings).
 * Closing the router closes every transport, producer and consumer of the leg.
 *
 * Its state moves through the leg state machine only (`leg-state-machine.ts`), each move
 * made by the method named after what happened.
 */
export class Leg {
  private current: LegState;
  private held = false;
  private connectedAtValue: Date | null = null;
  private frameSource: FrameSource | null = null;
  /** Monotonic ms of the last inbound packet. */
  private lastInboundAt: number | null = null;
  readonly createdAt = new Date();
  private inboundProducer: Producer | null = null;
  private tap: Consumer | null = null;
  private readonly inboundListeners = new Set<InboundListener>();
  private readonly outboundListeners = new Set<OutboundListener>();
  private silenceSeq = 0;

  private constructor(
    readonly callSid: CallSid,
    readonly direction: LegDirection,
    readonly codecs: LegCodecs,
    readonly worker: Worker,
    readonly router: Router,
    private readonly plain: PlainTransport,
    private readonly direct: DirectTransport,
    private readonly outputConsumer: Consumer,
    readonly output: LegOutput,
    private readonly now: () => number,
    private readonly onConnected: (leg: Leg) => void,
  ) {
    // An inbound leg is built while Parley answers Meta's offer; an outbound one for its offer.
    this.current = direction === 'inbound' ? 'answered' : 'offered';
  }

  static async create(opts: {
    callSid: CallSid;
    direction: LegDirection;
    codecs: LegCodecs;
    worker: Worker;
    listenIp: string;
    now: () => number;
    /** Told once, when WhatsApp's first packet moves the leg to `connected`. */
    onConnected: (leg: Leg) => void;
  }): Promise<Leg> {
    const { codecs } = opts;
    const carrier = dtmfCarrier(codecs);
    const router = await opts.worker.createRouter({
      mediaCodecs: [
        {
          kind: 'audio',
          mimeType: 'audio/opus',
          clockRate: OPUS_CLOCK_RATE,
          channels: 2,
          preferredPayloadType: codecs.opusPayloadType,
        },
        ...(carrier
          ? [
              {
                kind: 'audio' as const,
                mimeType: carrier.mimeType,
                clockRate: carrier.clockRate,
                preferredPayloadType: carrier.payloadType,
              },
            ]
          : []),
      ],
      appData: { callSid: opts.callSid },
    });
    try {
      // No header extensions towards rtpengine or Node: plain RTP is all either needs.
      const caps: RtpCapabilities = { codecs: router.rtpCapabilities.codecs, headerExtensions: [] };
      const producerSsrc = randomInt(1, 0xffffffff);
      // The two transports (and the output producer) do not depend on each other: one
      // round trip to the worker for both instead of two (set-up time).
      const [plain, { direct, outputProducer }] = await Promise.all([
        router.createPlainTransport({ listenIp: opts.listenIp, rtcpMux: true, comedia: false }),
        router.createDirectTransport().then(async (direct) => ({
          direct,
          outputProducer: await direct.produce({
            kind: 'audio',
            rtpParameters: {
              codecs: producerCodecs(codecs),
              encodings: [{ ssrc: producerSsrc }],
              rtcp: { cname: 'parley', reducedSize: true },
            },
          }),
        })),
      ]);
      const outputConsumer = await plain.consume({
        producerId: outputProducer.id,
        rtpCapabilities: caps,
      });
      let leg: Leg | null = null;
      const output = new LegOutput({
        ssrc: producerSsrc,
        now: opts.now,
        send: (packet) => {
          if (!outputProducer.closed) outputProducer.send(packet);
        },
        onSent: (packet) => leg?.onOutbound(packet),
      });
      leg = new Leg(
        opts.callSid,
        opts.direction,
        codecs,
        opts.worker,
        router,
        plain,
        direct,
        outputConsumer,
        output,
        opts.now,
        opts.onConnected,
      );
      return leg;
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get state(): LegState {
    return this.current;
  }

  get closed(): boolean {
    return this.router.closed;
  }

  /** When WhatsApp's first packet arrived; null before. */
  get connectedAt(): Date | null {
    return this.connectedAtValue;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /**
   * offered -> answering: claims the leg for Meta's answer before anything is awaited, so a
   * repeated answer is refused instead of applied twice. False when the leg is not waiting
   * for an answer.
   */
  claimForAnswer(): boolean {
    return this.moveTo('answering');
  }

  /** answering -> answered: the answer is applied, media flows. False if the leg ended meanwhile. */
  answerApplied(): boolean {
    return this.moveTo('answered');
  }

  /** answering -> offered: the answer could not be applied; the leg waits for another. */
  answerFailed(): void {
    if (this.current === 'answering') this.moveTo('offered');
  }

  /**
   * Tears the leg down: the last state (closed, or failed), then every listener, the frame
   * source and the router (with every transport, producer and consumer) go.
   */
  end(outcome: 'closed' | 'failed'): void {
    this.moveTo(outcome);
    this.inboundListeners.clear();
    this.outboundListeners.clear();
    this.frameSource = null;
    if (!this.router.closed) this.router.close();
  }

  /** Holds or resumes: a held leg neither hears its bridged peer nor is heard by it. */
  hold(on: boolean): void {
    this.held = on;
    // What the leg hears changes at once: the next packet starts a new talkspurt.
    this.output.interrupt();
  }

  /** Plugs in what the leg hears each tick before silence fill (its prompt player). */
  playFrom(source: FrameSource): void {
    this.frameSource = source;
  }

  /** A connected leg that has received nothing from WhatsApp for longer than `timeoutMs`. */
  lostMedia(now: number, timeoutMs: number): boolean {
    return (
      this.current === 'connected' &&
      this.lastInboundAt !== null &&
      now - this.lastInboundAt > timeoutMs
    );
  }

  /** Moves through the state machine; false (and no move) when the table refuses. */
  private moveTo(to: LegState): boolean {
    if (decideLegTransition(this.current, to).kind !== 'move') return false;
    this.current = to;
    return true;
  }

  /** The PlainTransport as rtpengine's inner side must see it (SSRC WhatsApp will hear). */
  localEndpoint(mid: string | null): PlainEndpoint {
    const tuple = this.plain.tuple;
    const ssrc = this.outputConsumer.rtpParameters.encodings?.[0]?.ssrc;
    if (ssrc === undefined) throw new Error('the leg output consumer has no SSRC');
    return {
      address: tuple.localIp,
      port: tuple.localPort,
      ssrc,
      cname: this.outputConsumer.rtpParameters.rtcp?.cname ?? 'parley',
      mid,
      opusPayloadType: this.codecs.opusPayloadType,
      telephoneEvent: this.codecs.telephoneEvent,
    };
  }

  /** The SSRC WhatsApp hears this leg with (declared in the SDP). */
  get outboundSsrc(): number {
    return this.localEndpoint(null).ssrc;
  }

  get hasInbound(): boolean {
    return this.inboundProducer !== null;
  }

  /** Sends the leg's RTP to rtpengine's inner side. */
  async connectRemote(inner: PlainDescription): Promise<void> {
    await this.plain.connect({ ip: inner.address, port: inner.port });
  }

  /** Starts receiving WhatsApp's stream (its SSRC must be known: mediasoup matches on it). */
  async attachInbound(ssrc: number): Promise<void> {
    if (this.inboundProducer) return;
    const rtpParameters: RtpParameters = {
      codecs: producerCodecs(this.codecs),
      encodings: [{ ssrc }],
      rtcp: { cname: 'whatsapp', reducedSize: true },
    };
    this.inboundProducer = await this.plain.produce({ kind: 'audio', rtpParameters });
    this.tap = await this.direct.consume({
      producerId: this.inboundProducer.id,
      rtpCapabilities: { codecs: this.router.rtpCapabilities.codecs, headerExtensions: [] },
    });
    this.tap.on('rtp', (packet: Buffer) => this.onInboundRtp(packet));
  }

  /**
   * How the audio WhatsApp sends arrives (mediasoup's receive statistics of the inbound
   * producer: loss and jitter); null before that stream is attached or once the leg ended.
   */
  async receivedRtpQuality(): Promise<RtpStreamQuality | null> {
    const producer = this.inboundProducer;
    if (!producer || producer.closed) return null;
    const [stat] = await producer.getStats();
    return stat ? rtpQuality(stat, OPUS_CLOCK_RATE) : null;
  }

  addInboundListener(listener: InboundListener): () => void {
    this.inboundListeners.add(listener);
    return () => this.inboundListeners.delete(listener);
  }

  addOutboundListener(listener: OutboundListener): () => void {
    this.outboundListeners.add(listener);
    return () => this.outboundListeners.delete(listener);
  }

  private onOutbound(packet: RtpView): void {
    for (const listener of this.outboundListeners) listener(packet, this);
  }

  /**
   * One tick of the media clock: the frame source's frame if it has one, else silence
   * when the output has been idle (nothing bridged, a held peer, a peer in DTX), so
   * WhatsApp always receives media and never ends the call for lack of it.
   */
  onTick(tick: number, silencePayload: Buffer, idleFillMs: number): void {
    if (!legSendsMedia(this.current)) return;
    const frame = this.frameSource?.nextFrame(tick) ?? null;
    if (frame) {
      this.output.send(frame.source, frame.packet);
      return;
    }
    // Once filling, keep filling every tick until something else is heard.
    if (this.output.currentSource === 'silence' || this.output.idleMs() >= idleFillMs) {
      this.output.send('silence', {
        marker: false,
        payloadType: this.codecs.opusPayloadType,
        sequenceNumber: this.silenceSeq++ & 0xffff,
        timestamp: (tick * 960) >>> 0,
        ssrc: 0,
        payload: silencePayload,
      });
    }
  }

  /** Whether audio from a bridged peer should reach this leg now. */
  get hearsPeer(): boolean {
    return !this.held && !(this.frameSource?.active ?? false) && this.current !== 'closed';
  }

  private onInboundRtp(packet: Buffer): void {
    const view = readRtp(packet);
    if (!view) return;
    const first = this.lastInboundAt === null;
    this.lastInboundAt = this.now();
    if (first && this.moveTo('connected')) {
      this.connectedAtValue = new Date();
      this.onConnected(this);
    }
    for (const listener of this.inboundListeners) listener(view, this);
  }
}
