import { Inject, Injectable } from '@nestjs/common';
import { ParleyError, type ErrorCode } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import { type MediaEnv } from '../config/env.schema';
import { type DecodedDict, type DecodedValue } from './rtpengine/bencode';
import { NgCommandError, NgTimeoutError } from './rtpengine/ng-client';
import { RtpengineService } from './rtpengine/rtpengine.service';
import { SdpError, withBundleGroup, withMediaLevelIceLite, withSetup } from './sdp/sdp';
import {
  buildPlainSdp,
  edgeDescriptionProblems,
  readPlainDescription,
  readWebRtcDescription,
  type PlainDescription,
  type PlainEndpoint,
  type WebRtcDescription,
} from './sdp/whatsapp-sdp';

/** rtpengine tags: the WhatsApp side and Parley's (mediasoup) side of a call. */
export const WHATSAPP_TAG = 'whatsapp';
export const PARLEY_TAG = 'parley';
/** The mid Parley gives its audio section in offers (WhatsApp names its own "audio"). */
export const OFFER_MID = 'audio';

export interface InboundOffer {
  whatsapp: WebRtcDescription;
  /** rtpengine's plain-RTP side: where mediasoup sends, what WhatsApp sends with. */
  inner: PlainDescription;
}

/** A bencoded dictionary, or undefined for anything else. */
function asDict(value: DecodedValue | undefined): DecodedDict | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

function asList(value: DecodedValue | undefined): DecodedValue[] {
  return Array.isArray(value) ? value : [];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The WhatsApp edge: rtpengine terminates WhatsApp's WebRTC (full ICE, DTLS client,
 * SRTP) and relays plain RTP to mediasoup. The rtpengine call-id is the CallSid.
 *
 * User-initiated: `receiveOffer` (rtpengine offer: ICE removed, DTLS off, plain RTP for
 * the inner side), then `answer` with the PlainTransport's description (ICE forced,
 * DTLS-SRTP back on): rtpengine's output is the answer for Meta.
 * Business-initiated: `offer` the other way round, then `receiveAnswer` with Meta's.
 */
@Injectable()
export class WhatsAppEdge {
  constructor(
    private readonly rtpengine: RtpengineService,
    @Inject(PARLEY_ENV) private readonly env: MediaEnv,
  ) {}

  private direction(from: 'whatsapp' | 'internal'): [string, string] | undefined {
    const i = this.rtpengine.interfaces;
    if (!i) return undefined;
    return from === 'whatsapp' ? [i.whatsapp, i.internal] : [i.internal, i.whatsapp];
  }

  /** Meta's offer as read here, before rtpengine has it (53403 when unusable). */
  readOffer(sdp: string): WebRtcDescription {
    return this.readRemote(sdp, 'offer');
  }

  async receiveOffer(callSid: string, sdp: string): Promise<InboundOffer> {
    const whatsapp = this.readRemote(sdp, 'offer');
    const innerSdp = await this.ng(
      () =>
        this.rtpengine.control.offer({
          callId: callSid,
          fromTag: WHATSAPP_TAG,
          sdp: withMediaLevelIceLite(sdp),
          ice: 'remove',
          dtls: 'off',
          transportProtocol: 'RTP/AVP',
          rtcpMux: ['demux'],
          direction: this.direction('whatsapp'),
        }),
      53403,
    );
    return { whatsapp, inner: this.readInner(innerSdp) };
  }

  /** The answer for Meta: full ICE, `a=setup:active`, the offer's payload types. */
  async answer(callSid: string, offer: WebRtcDescription, local: PlainEndpoint): Promise<string> {
    let sdp = await this.ng(
      () =>
        this.rtpengine.control.answer({
          callId: callSid,
          fromTag: WHATSAPP_TAG,
          toTag: PARLEY_TAG,
          sdp: buildPlainSdp(local),
          ice: 'force',
          transportProtocol: 'UDP/TLS/RTP/SAVPF',
          // rtcp-mux is in use: an `a=rtcp:PORT` line would say nothing useful.
          flags: ['no-rtcp-attribute'],
        }),
      53401,
    );
    if (offer.bundled && offer.mid !== null) sdp = withBundleGroup(sdp, offer.mid);
    this.check(sdp, 'answer', offer.opus.payloadType, local.telephoneEvent?.payloadType ?? null);
    return sdp;
  }

  /** The offer for Meta's `connect`: full ICE, DTLS-SRTP only, BUNDLE, rtcp-mux. */
  async offer(callSid: string, local: PlainEndpoint): Promise<string> {
    let sdp = await this.ng(
      () =>
        this.rtpengine.control.offer({
          callId: callSid,
          fromTag: PARLEY_TAG,
          sdp: buildPlainSdp(local),
          ice: 'force',
          transportProtocol: 'UDP/TLS/RTP/SAVPF',
          // WebRTC is DTLS-SRTP only: no SDES keys in the offer.
          sdes: ['off'],
          rtcpMux: ['require'],
          flags: ['no-rtcp-attribute'],
          direction: this.direction('internal'),
        }),
      53401,
    );
    if (local.mid !== null) sdp = withBundleGroup(sdp, local.mid);
    if (this.env.WHATSAPP_OFFER_SETUP === 'active') sdp = withSetup(sdp, 'active');
    this.check(sdp, 'offer', local.opusPayloadType, local.telephoneEvent?.payloadType ?? null);
    return sdp;
  }

  async receiveAnswer(callSid: string, sdp: string): Promise<InboundOffer> {
    const whatsapp = this.readRemote(sdp, 'answer');
    const innerSdp = await this.ng(
      () =>
        this.rtpengine.control.answer({
          callId: callSid,
          fromTag: PARLEY_TAG,
          toTag: WHATSAPP_TAG,
          sdp: withMediaLevelIceLite(sdp),
          ice: 'remove',
          dtls: 'off',
          transportProtocol: 'RTP/AVP',
          rtcpMux: ['demux'],
        }),
      53403,
    );
    return { whatsapp, inner: this.readInner(innerSdp) };
  }

  /**
   * SSRCs rtpengine received from WhatsApp on this call (to find WhatsApp's stream when
   * its SDP declared none): `tags.<whatsapp>.medias[].streams[].SSRC` of `query`.
   */
  async seenSsrcs(callSid: string): Promise<number[]> {
    const reply = await this.rtpengine.control.query(callSid);
    const out: number[] = [];
    const tag = asDict(asDict(reply.tags)?.[WHATSAPP_TAG]);
    for (const media of asList(tag?.medias)) {
      for (const stream of asList(asDict(media)?.streams)) {
        const ssrc = asDict(stream)?.SSRC;
        if (typeof ssrc === 'number' && ssrc > 0) out.push(ssrc);
      }
    }
    return out;
  }

  /** Deletes the rtpengine call (its ports are free when this resolves). */
  async release(callSid: string): Promise<boolean> {
    return this.rtpengine.control.delete(callSid);
  }

  private readRemote(sdp: string, type: 'offer' | 'answer'): WebRtcDescription {
    try {
      const d = readWebRtcDescription(sdp);
      if (type === 'answer' && d.setup !== 'active' && d.setup !== 'passive') {
        throw new SdpError(`answer has a=setup:${d.setup ?? '(none)'}, expected active or passive`);
      }
      return d;
    } catch (error) {
      if (error instanceof SdpError) {
        throw new ParleyError(53403, `WhatsApp ${type} rejected: ${error.reason}`);
      }
      throw error;
    }
  }

  private readInner(sdp: string): PlainDescription {
    try {
      return readPlainDescription(sdp);
    } catch (error) {
      throw new ParleyError(53401, `rtpengine returned an unusable inner SDP: ${describe(error)}`);
    }
  }

  private check(
    sdp: string,
    type: 'offer' | 'answer',
    opusPayloadType: number,
    telephoneEventPayloadType: number | null,
  ): void {
    const problems = edgeDescriptionProblems(sdp, {
      type,
      opusPayloadType,
      telephoneEventPayloadType,
    });
    if (problems.length > 0) {
      throw new ParleyError(53401, `the ${type} for WhatsApp is unusable: ${problems.join('; ')}`);
    }
  }

  /** Runs an ng command, mapping rtpengine failures to Twilio-style errors. */
  private async ng<T>(run: () => Promise<T>, code: ErrorCode): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof NgTimeoutError) {
        throw new ParleyError(
          20503,
          `the media edge (rtpengine) does not answer: ${error.message}`,
        );
      }
      if (error instanceof NgCommandError) throw new ParleyError(code, error.message);
      throw error;
    }
  }
}
