/**
 * SDP helpers for the WhatsApp side of a call: read what a business sent, judge it the way
 * Meta's media edge would, and write Meta-shaped offers and answers (see
 * reference/meta-calling/meta-offer.sdp for the real thing).
 */

export interface SdpCodec {
  payloadType: number;
  name: string;
  clockRate: number;
  channels: number | null;
  fmtp: string | null;
}

export interface SdpCandidate {
  foundation: string;
  component: number;
  transport: string;
  priority: number;
  address: string;
  port: number;
  type: string;
}

export interface SdpMediaSection {
  kind: string;
  port: number;
  protocol: string;
  formats: number[];
  connectionAddress: string | null;
  mid: string | null;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | null;
  iceUfrag: string | null;
  icePwd: string | null;
  iceLite: boolean;
  setup: string | null;
  fingerprint: { algorithm: string; value: string } | null;
  rtcpMux: boolean;
  candidates: SdpCandidate[];
  codecs: SdpCodec[];
  ssrcs: number[];
}

export interface ParsedSdp {
  version: string | null;
  origin: string | null;
  iceLite: boolean;
  bundle: string[];
  /** Session-level values, inherited by media sections that do not set their own. */
  iceUfrag: string | null;
  icePwd: string | null;
  setup: string | null;
  fingerprint: { algorithm: string; value: string } | null;
  media: SdpMediaSection[];
}

const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

function splitLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((line) => line.length > 0);
}

function parseFingerprint(value: string): { algorithm: string; value: string } | null {
  const [algorithm, hash] = value.trim().split(/\s+/);
  return algorithm && hash
    ? { algorithm: algorithm.toLowerCase(), value: hash.toUpperCase() }
    : null;
}

function parseCandidate(value: string): SdpCandidate | null {
  const parts = value.trim().split(/\s+/);
  const [foundation, component, transport, priority, address, port, typKeyword, type] = parts;
  if (
    !foundation ||
    !component ||
    !transport ||
    !priority ||
    !address ||
    !port ||
    typKeyword !== 'typ' ||
    !type
  ) {
    return null;
  }
  const numericPort = Number(port);
  if (!Number.isInteger(numericPort) || numericPort < 0 || numericPort > 65535) return null;
  return {
    foundation,
    component: Number(component),
    transport: transport.toLowerCase(),
    priority: Number(priority),
    address,
    port: numericPort,
    type,
  };
}

/** A tolerant parser: it never throws, it records what it understood. */
export function parseSdp(sdp: string): ParsedSdp {
  const parsed: ParsedSdp = {
    version: null,
    origin: null,
    iceLite: false,
    bundle: [],
    iceUfrag: null,
    icePwd: null,
    setup: null,
    fingerprint: null,
    media: [],
  };
  let media: SdpMediaSection | null = null;
  for (const line of splitLines(sdp)) {
    const type = line[0];
    const value = line.slice(2);
    if (line[1] !== '=') continue;
    if (type === 'v') parsed.version = value;
    else if (type === 'o') parsed.origin = value;
    else if (type === 'm') {
      const [kind = '', port = '', protocol = '', ...formats] = value.split(/\s+/);
      media = {
        kind,
        port: Number(port),
        protocol,
        formats: formats.map(Number).filter((n) => Number.isInteger(n)),
        connectionAddress: null,
        mid: null,
        direction: null,
        iceUfrag: null,
        icePwd: null,
        iceLite: false,
        setup: null,
        fingerprint: null,
        rtcpMux: false,
        candidates: [],
        codecs: [],
        ssrcs: [],
      };
      parsed.media.push(media);
    } else if (type === 'c' && media) {
      media.connectionAddress = value.split(/\s+/)[2] ?? null;
    } else if (type === 'a') {
      const colon = value.indexOf(':');
      const name = colon < 0 ? value : value.slice(0, colon);
      const attr = colon < 0 ? '' : value.slice(colon + 1);
      if (!media) {
        if (name === 'ice-lite') parsed.iceLite = true;
        else if (name === 'group' && attr.startsWith('BUNDLE'))
          parsed.bundle = attr.split(/\s+/).slice(1);
        else if (name === 'ice-ufrag') parsed.iceUfrag = attr;
        else if (name === 'ice-pwd') parsed.icePwd = attr;
        else if (name === 'setup') parsed.setup = attr;
        else if (name === 'fingerprint') parsed.fingerprint = parseFingerprint(attr);
        continue;
      }
      switch (name) {
        case 'mid':
          media.mid = attr;
          break;
        case 'ice-ufrag':
          media.iceUfrag = attr;
          break;
        case 'ice-pwd':
          media.icePwd = attr;
          break;
        case 'ice-lite':
          media.iceLite = true;
          break;
        case 'setup':
          media.setup = attr;
          break;
        case 'fingerprint':
          media.fingerprint = parseFingerprint(attr);
          break;
        case 'rtcp-mux':
          media.rtcpMux = true;
          break;
        case 'candidate': {
          const candidate = parseCandidate(attr);
          if (candidate) media.candidates.push(candidate);
          break;
        }
        case 'rtpmap': {
          const match = /^(\d+)\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/.exec(attr);
          if (match) {
            media.codecs.push({
              payloadType: Number(match[1]),
              name: (match[2] ?? '').toLowerCase(),
              clockRate: Number(match[3]),
              channels: match[4] ? Number(match[4]) : null,
              fmtp: null,
            });
          }
          break;
        }
        case 'fmtp': {
          const match = /^(\d+)\s+(.*)$/.exec(attr);
          const codec = match
            ? media.codecs.find((c) => c.payloadType === Number(match[1]))
            : undefined;
          if (match && codec) codec.fmtp = match[2] ?? null;
          break;
        }
        case 'ssrc': {
          const ssrc = Number(attr.split(/\s+/)[0]);
          if (Number.isInteger(ssrc) && !media.ssrcs.includes(ssrc)) media.ssrcs.push(ssrc);
          break;
        }
        default:
          if (DIRECTIONS.has(name)) media.direction = name as SdpMediaSection['direction'];
      }
    }
  }
  return parsed;
}

export interface EffectiveAudio {
  section: SdpMediaSection;
  iceLite: boolean;
  iceUfrag: string | null;
  icePwd: string | null;
  setup: string | null;
  fingerprint: { algorithm: string; value: string } | null;
  opus: SdpCodec | null;
  telephoneEvent: SdpCodec | null;
}

/** The first audio section with session-level values folded in. */
export function effectiveAudio(parsed: ParsedSdp): EffectiveAudio | null {
  const section = parsed.media.find((m) => m.kind === 'audio');
  if (!section) return null;
  return {
    section,
    iceLite: parsed.iceLite || section.iceLite,
    iceUfrag: section.iceUfrag ?? parsed.iceUfrag,
    icePwd: section.icePwd ?? parsed.icePwd,
    setup: section.setup ?? parsed.setup,
    fingerprint: section.fingerprint ?? parsed.fingerprint,
    opus: section.codecs.find((c) => c.name === 'opus' && c.clockRate === 48000) ?? null,
    telephoneEvent: section.codecs.find((c) => c.name === 'telephone-event') ?? null,
  };
}

/**
 * Problems that make an SDP unusable at all: Meta answers these with Graph error 100
 * ("Invalid parameter"). An SDP can pass this and still never carry media (see
 * `mediaDefects`).
 */
export function sdpProblems(sdp: string): string[] {
  if (typeof sdp !== 'string' || sdp.trim().length === 0) return ['SDP is empty'];
  const parsed = parseSdp(sdp);
  const problems: string[] = [];
  if (parsed.version !== '0') problems.push('missing or invalid v= line');
  if (!parsed.origin) problems.push('missing o= line');
  const audio = effectiveAudio(parsed);
  if (!audio) return [...problems, 'no audio m= section'];
  if (audio.section.protocol !== 'UDP/TLS/RTP/SAVPF') {
    problems.push(
      `audio transport must be UDP/TLS/RTP/SAVPF, got ${audio.section.protocol || 'none'}`,
    );
  }
  if (!audio.iceUfrag || !audio.icePwd)
    problems.push('missing ICE credentials (a=ice-ufrag/a=ice-pwd)');
  if (!audio.fingerprint) problems.push('missing DTLS fingerprint (a=fingerprint)');
  if (!audio.opus) problems.push('no opus/48000 codec in the audio section');
  if (!audio.setup) problems.push('missing a=setup');
  else if (!['actpass', 'active', 'passive'].includes(audio.setup))
    problems.push(`invalid a=setup:${audio.setup}`);
  if (audio.section.port === 0) problems.push('audio section is rejected (port 0)');
  return problems;
}

/**
 * Why an otherwise valid SDP from a business would leave the call silent, judged the way
 * Meta's ICE-lite, DTLS-server-only edge behaves: with an ICE-lite business nobody sends
 * connectivity checks; with `setup:passive` nobody sends the DTLS ClientHello.
 */
export function mediaDefects(sdp: string, type: 'offer' | 'answer'): string[] {
  const audio = effectiveAudio(parseSdp(sdp));
  if (!audio) return ['no audio section'];
  const defects: string[] = [];
  if (audio.iceLite) defects.push('ice-lite');
  if (audio.setup === 'passive') defects.push('setup:passive');
  if (type === 'answer' && audio.setup === 'actpass') defects.push('setup:actpass in an answer');
  if (audio.section.direction === 'inactive') defects.push('direction inactive');
  return defects;
}

/**
 * Makes an SDP from other stacks acceptable to werift 0.24.4 (whose parser throws on
 * `a=rtcp:PORT` without an address, as rtpengine writes it), and optionally points every
 * candidate and the connection line at an address the simulator can reach.
 */
export function normalizeRemoteSdp(
  sdp: string,
  options: { rewriteCandidatesTo?: string | null } = {},
): string {
  const lines = splitLines(sdp);
  let connection = '0.0.0.0';
  const out: string[] = [];
  for (const line of lines) {
    let next = line;
    if (line.startsWith('c=')) {
      const address = line.split(/\s+/)[2];
      if (address) connection = address;
      if (options.rewriteCandidatesTo) next = `c=IN IP4 ${options.rewriteCandidatesTo}`;
    } else if (/^a=rtcp:\d+\s*$/.test(line)) {
      const port = line.slice('a=rtcp:'.length).trim();
      const address = options.rewriteCandidatesTo ?? connection;
      next = `a=rtcp:${port} IN ${address.includes(':') ? 'IP6' : 'IP4'} ${address}`;
    } else if (line.startsWith('a=candidate:') && options.rewriteCandidatesTo) {
      const parts = line.split(' ');
      if (parts.length > 5) {
        parts[4] = options.rewriteCandidatesTo;
        next = parts.join(' ');
      }
    }
    out.push(next);
  }
  if (options.rewriteCandidatesTo) {
    // Rewriting can make several candidates identical; keep one of each.
    const seen = new Set<string>();
    return `${out
      .filter((line) => {
        if (!line.startsWith('a=candidate:')) return true;
        const key = line.split(' ').slice(2, 6).join(' ');
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .join('\r\n')}\r\n`;
  }
  return `${out.join('\r\n')}\r\n`;
}

/** The fmtp WhatsApp puts on Opus (from a captured offer). */
export const META_OPUS_FMTP =
  'maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;sprop-maxcapturerate=16000;useinbandfec=1';

export interface MetaSdpParams {
  /** Session id for the o= line (Meta uses a millisecond timestamp). */
  sessionId: string;
  address: string;
  port: number;
  iceUfrag: string;
  icePwd: string;
  fingerprint: { algorithm: string; value: string };
  setup: 'actpass' | 'passive' | 'active';
  mid: string;
  opusPayloadType: number;
  telephoneEventPayloadType: number | null;
  /** telephone-event clock; 8000 on WhatsApp, the business's choice in an answer. */
  telephoneEventClockRate: number;
  ssrc: number;
  streamId: string;
  candidateFoundation: string;
  direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

/**
 * An SDP laid out line by line like WhatsApp's: session-level ICE-lite, BUNDLE of one audio
 * section, one host candidate, rtcp-mux, Opus with WhatsApp's fmtp, telephone-event, 20 ms.
 */
export function buildMetaSdp(p: MetaSdpParams): string {
  const family = p.address.includes(':') ? 'IP6' : 'IP4';
  const formats = [
    p.opusPayloadType,
    ...(p.telephoneEventPayloadType === null ? [] : [p.telephoneEventPayloadType]),
  ];
  const lines = [
    'v=0',
    `o=- ${p.sessionId} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    `a=group:BUNDLE ${p.mid}`,
    `a=msid-semantic: WMS ${p.streamId}`,
    'a=ice-lite',
    `m=audio ${p.port} UDP/TLS/RTP/SAVPF ${formats.join(' ')}`,
    `c=IN ${family} ${p.address}`,
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=candidate:${p.candidateFoundation} 1 udp 2122260223 ${p.address} ${p.port} typ host generation 0 network-cost 50`,
    `a=ice-ufrag:${p.iceUfrag}`,
    `a=ice-pwd:${p.icePwd}`,
    `a=fingerprint:${p.fingerprint.algorithm} ${p.fingerprint.value}`,
    `a=setup:${p.setup}`,
    `a=mid:${p.mid}`,
    `a=${p.direction ?? 'sendrecv'}`,
    `a=msid:${p.streamId} WhatsAppTrack1`,
    'a=rtcp-mux',
    `a=rtpmap:${p.opusPayloadType} opus/48000/2`,
    `a=rtcp-fb:${p.opusPayloadType} transport-cc`,
    `a=fmtp:${p.opusPayloadType} ${META_OPUS_FMTP}`,
    ...(p.telephoneEventPayloadType === null
      ? []
      : [`a=rtpmap:${p.telephoneEventPayloadType} telephone-event/${p.telephoneEventClockRate}`]),
    'a=maxptime:20',
    'a=ptime:20',
    `a=ssrc:${p.ssrc} cname:WhatsAppAudioStream1`,
  ];
  return `${lines.join('\r\n')}\r\n`;
}
