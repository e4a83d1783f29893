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
import { readRtp, type RtpView } from './rtp';

export type LegDirection = 'inbound' | 'outbound';
export type LegState = 'offered' | 'answered' | 'connected' | 'closed' | 'failed';

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
      clockRate: 48000,
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
 */
export class Leg {
  state: LegState;
  held = false;
  connectedAt: Date | null = null;
  frameSource: FrameSource | null = null;
  /** Monotonic ms of the last inbound packet. */
  lastInboundAt: number | null = null;
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
    private readonly onFirstMedia: (leg: Leg) => void,
  ) {
    this.state = direction === 'inbound' ? 'answered' : 'offered';
  }

  static async create(opts: {
    callSid: CallSid;
    direction: LegDirection;
    codecs: LegCodecs;
    worker: Worker;
    listenIp: string;
    now: () => number;
    onFirstMedia: (leg: Leg) => void;
  }): Promise<Leg> {
    const { codecs } = opts;
    const carrier = dtmfCarrier(codecs);
    const router = await opts.worker.createRouter({
      mediaCodecs: [
        {
          kind: 'audio',
          mimeType: 'audio/opus',
          clockRate: 48000,
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
      const plain = await router.createPlainTransport({
        listenIp: opts.listenIp,
        rtcpMux: true,
        comedia: false,
      });
      const direct = await router.createDirectTransport();
      const producerSsrc = randomInt(1, 0xffffffff);
      const outputProducer = await direct.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: producerCodecs(codecs),
          encodings: [{ ssrc: producerSsrc }],
          rtcp: { cname: 'parley', reducedSize: true },
        },
      });
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
        opts.onFirstMedia,
      );
      return leg;
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get closed(): boolean {
    return this.router.closed;
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
    if (this.state !== 'answered' && this.state !== 'connected') return;
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
    return !this.held && !(this.frameSource?.active ?? false) && this.state !== 'closed';
  }

  close(): void {
    this.inboundListeners.clear();
    this.outboundListeners.clear();
    this.frameSource = null;
    if (!this.router.closed) this.router.close();
  }

  private onInboundRtp(packet: Buffer): void {
    const view = readRtp(packet);
    if (!view) return;
    const first = this.lastInboundAt === null;
    this.lastInboundAt = this.now();
    if (first) this.onFirstMedia(this);
    for (const listener of this.inboundListeners) listener(view, this);
  }
}
