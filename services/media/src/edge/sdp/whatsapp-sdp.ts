import {
  attr,
  attrs,
  audioSection,
  candidatesOf,
  codecsOf,
  effectiveAttr,
  hasAttr,
  isIceLite,
  parseSdp,
  SdpError,
  ssrcOf,
  type SdpCandidate,
  type SdpCodec,
} from './sdp';

export const WEBRTC_PROTO = 'UDP/TLS/RTP/SAVPF';

/** What the edge needs to know of a WhatsApp (WebRTC) description. */
export interface WebRtcDescription {
  mid: string | null;
  bundled: boolean;
  iceLite: boolean;
  setup: string | null;
  opus: SdpCodec;
  telephoneEvent: SdpCodec | null;
  ssrc: number | null;
  candidates: SdpCandidate[];
  rtcpMux: boolean;
}

function findOpus(codecs: SdpCodec[]): SdpCodec | undefined {
  return codecs.find((c) => c.name === 'opus' && c.clockRate === 48000 && c.channels === 2);
}

function findTelephoneEvent(codecs: SdpCodec[]): SdpCodec | null {
  // 8 kHz is what WhatsApp offers; mediasoup also knows 16/32/48 kHz.
  return (
    codecs.find(
      (c) => c.name === 'telephone-event' && [8000, 16000, 32000, 48000].includes(c.clockRate),
    ) ?? null
  );
}

/**
 * Reads a WebRTC description from WhatsApp (Meta's offer, or its answer to ours) and
 * rejects what the edge cannot serve, naming the problem.
 */
export function readWebRtcDescription(sdp: string): WebRtcDescription {
  const parsed = parseSdp(sdp);
  const media = audioSection(parsed);
  if (media.proto !== WEBRTC_PROTO) {
    throw new SdpError(`audio uses ${media.proto}, expected ${WEBRTC_PROTO}`);
  }
  if (media.port === 0) throw new SdpError('audio section is rejected (port 0)');
  const codecs = codecsOf(media);
  const opus = findOpus(codecs);
  if (!opus) throw new SdpError('no opus/48000/2 codec offered');
  if (!effectiveAttr(parsed, media, 'ice-ufrag') || !effectiveAttr(parsed, media, 'ice-pwd')) {
    throw new SdpError('missing ICE credentials (a=ice-ufrag / a=ice-pwd)');
  }
  if (!effectiveAttr(parsed, media, 'fingerprint')) {
    throw new SdpError('missing DTLS fingerprint (a=fingerprint)');
  }
  const candidates = candidatesOf(media).filter((c) => c.transport === 'udp');
  if (candidates.length === 0) throw new SdpError('no UDP ICE candidate');
  const mid = attr(media.attributes, 'mid') ?? null;
  const groups = attrs(parsed.sessionAttributes, 'group');
  return {
    mid,
    bundled: mid !== null && groups.some((g) => g.split(/\s+/).slice(1).includes(mid)),
    iceLite: isIceLite(parsed, media),
    setup: effectiveAttr(parsed, media, 'setup') ?? null,
    opus,
    telephoneEvent: findTelephoneEvent(codecs),
    ssrc: ssrcOf(media),
    candidates,
    rtcpMux: hasAttr(media.attributes, 'rtcp-mux'),
  };
}

/**
 * Checks the description Parley sends to WhatsApp: a full ICE agent (never `ice-lite`:
 * WhatsApp is ICE-lite and nobody would send checks), DTLS role `active` in an answer
 * (`actpass`/`active` in an offer), the payload types the offer used, rtcp-mux, a
 * candidate. Returns the problems found; empty means it is good to send.
 */
export function edgeDescriptionProblems(
  sdp: string,
  expect: {
    type: 'offer' | 'answer';
    opusPayloadType: number;
    telephoneEventPayloadType: number | null;
  },
): string[] {
  const problems: string[] = [];
  let d: WebRtcDescription;
  try {
    d = readWebRtcDescription(sdp);
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
  if (d.iceLite) problems.push('advertises ice-lite');
  const setups = expect.type === 'answer' ? ['active'] : ['actpass', 'active'];
  if (!d.setup || !setups.includes(d.setup)) {
    problems.push(`a=setup:${d.setup ?? '(none)'}, expected ${setups.join(' or ')}`);
  }
  if (d.opus.payloadType !== expect.opusPayloadType) {
    problems.push(`opus on PT ${d.opus.payloadType}, expected ${expect.opusPayloadType}`);
  }
  if (
    expect.telephoneEventPayloadType !== null &&
    d.telephoneEvent?.payloadType !== expect.telephoneEventPayloadType
  ) {
    problems.push(`telephone-event missing on PT ${expect.telephoneEventPayloadType}`);
  }
  if (!d.rtcpMux) problems.push('no a=rtcp-mux');
  if (/^a=crypto:/m.test(sdp)) problems.push('carries SDES a=crypto keys');
  if (d.ssrc === null) problems.push('declares no a=ssrc');
  return problems;
}

/** The plain-RTP side of rtpengine, as its offer or answer describes it. */
export interface PlainDescription {
  address: string;
  port: number;
  /** Set when RTCP is not muxed: the port it goes to. */
  rtcpPort: number | null;
  mid: string | null;
  opus: SdpCodec;
  telephoneEvent: SdpCodec | null;
  /** The SSRC WhatsApp sends with, when its description declared one. */
  ssrc: number | null;
}

export function readPlainDescription(sdp: string): PlainDescription {
  const parsed = parseSdp(sdp);
  const media = audioSection(parsed);
  if (media.proto !== 'RTP/AVP') throw new SdpError(`inner side uses ${media.proto}`);
  if (!media.address) throw new SdpError('inner side has no c= address');
  const codecs = codecsOf(media);
  const opus = findOpus(codecs);
  if (!opus) throw new SdpError('inner side has no opus/48000/2');
  const rtcpMux = hasAttr(media.attributes, 'rtcp-mux');
  const rtcpAttr = attr(media.attributes, 'rtcp');
  const rtcpPort = rtcpMux ? null : rtcpAttr ? Number(rtcpAttr.split(/\s+/)[0]) : media.port + 1;
  return {
    address: media.address,
    port: media.port,
    rtcpPort: rtcpPort !== null && Number.isFinite(rtcpPort) ? rtcpPort : null,
    mid: attr(media.attributes, 'mid') ?? null,
    opus,
    telephoneEvent: findTelephoneEvent(codecs),
    ssrc: ssrcOf(media),
  };
}

export interface PlainEndpoint {
  address: string;
  port: number;
  ssrc: number;
  cname: string;
  mid: string | null;
  opusPayloadType: number;
  telephoneEvent: { payloadType: number; clockRate: number } | null;
}

/**
 * The plain-RTP description of a mediasoup PlainTransport, given to rtpengine for the
 * inner side. `a=ssrc` declares the one stream Parley sends on this leg: the WebRTC
 * side drops packets of SSRCs nobody declared.
 */
export function buildPlainSdp(e: PlainEndpoint): string {
  const family = e.address.includes(':') ? 'IP6' : 'IP4';
  const pts = [e.opusPayloadType, ...(e.telephoneEvent ? [e.telephoneEvent.payloadType] : [])];
  const lines = [
    'v=0',
    `o=- ${e.ssrc} 1 IN ${family} ${e.address}`,
    's=parley',
    `c=IN ${family} ${e.address}`,
    't=0 0',
    `m=audio ${e.port} RTP/AVP ${pts.join(' ')}`,
    ...(e.mid !== null ? [`a=mid:${e.mid}`] : []),
    `a=rtpmap:${e.opusPayloadType} opus/48000/2`,
    `a=fmtp:${e.opusPayloadType} minptime=10;useinbandfec=1`,
    ...(e.telephoneEvent
      ? [
          `a=rtpmap:${e.telephoneEvent.payloadType} telephone-event/${e.telephoneEvent.clockRate}`,
          `a=fmtp:${e.telephoneEvent.payloadType} 0-16`,
        ]
      : []),
    'a=ptime:20',
    'a=maxptime:20',
    'a=sendrecv',
    'a=rtcp-mux',
    `a=ssrc:${e.ssrc} cname:${e.cname}`,
  ];
  return `${lines.join('\r\n')}\r\n`;
}
