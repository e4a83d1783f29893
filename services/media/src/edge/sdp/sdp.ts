/**
 * A small, strict SDP reader for the two shapes the WhatsApp edge handles: Meta's WebRTC
 * descriptions (ICE-lite, DTLS-SRTP, BUNDLE, rtcp-mux) and rtpengine's plain-RTP side.
 * It keeps the document as lines so rewriting it (adding a BUNDLE group) changes nothing
 * else.
 */

export interface SdpAttribute {
  name: string;
  value: string | null;
}

export interface SdpMedia {
  kind: string;
  port: number;
  proto: string;
  formats: string[];
  /** `c=` address of the section (or the session's). */
  address: string | null;
  attributes: SdpAttribute[];
}

export interface ParsedSdp {
  sessionAttributes: SdpAttribute[];
  sessionAddress: string | null;
  media: SdpMedia[];
}

/** The SDP could not be read or lacks what the edge needs; `reason` says what. */
export class SdpError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SdpError';
  }
}

function splitLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((l) => l.length > 0);
}

function parseAttribute(body: string): SdpAttribute {
  const colon = body.indexOf(':');
  return colon < 0
    ? { name: body, value: null }
    : { name: body.slice(0, colon), value: body.slice(colon + 1) };
}

function connectionAddress(value: string): string {
  // c=IN IP4 203.0.113.5 (a multicast TTL suffix is not expected here)
  const parts = value.trim().split(/\s+/);
  if (parts.length < 3 || parts[0] !== 'IN' || (parts[1] !== 'IP4' && parts[1] !== 'IP6')) {
    throw new SdpError(`bad c= line "${value}"`);
  }
  return (parts[2] ?? '').split('/')[0] ?? '';
}

export function parseSdp(sdp: string): ParsedSdp {
  const lines = splitLines(sdp);
  if (lines[0] !== 'v=0') throw new SdpError('not an SDP document (no v=0 first line)');
  const parsed: ParsedSdp = { sessionAttributes: [], sessionAddress: null, media: [] };
  let current: SdpMedia | null = null;
  for (const line of lines) {
    if (line[1] !== '=') throw new SdpError(`malformed line "${line.slice(0, 40)}"`);
    const type = line[0];
    const body = line.slice(2);
    if (type === 'm') {
      const m = /^(\S+) (\d+)(?:\/\d+)? (\S+) ?(.*)$/.exec(body);
      if (!m) throw new SdpError(`bad m= line "${body}"`);
      current = {
        kind: m[1] ?? '',
        port: Number(m[2]),
        proto: m[3] ?? '',
        formats: (m[4] ?? '').split(/\s+/).filter(Boolean),
        address: parsed.sessionAddress,
        attributes: [],
      };
      parsed.media.push(current);
    } else if (type === 'c') {
      const address = connectionAddress(body);
      if (current) current.address = address;
      else parsed.sessionAddress = address;
    } else if (type === 'a') {
      (current ? current.attributes : parsed.sessionAttributes).push(parseAttribute(body));
    }
  }
  return parsed;
}

export function attr(list: readonly SdpAttribute[], name: string): string | null | undefined {
  return list.find((a) => a.name === name)?.value;
}

export function attrs(list: readonly SdpAttribute[], name: string): string[] {
  return list.filter((a) => a.name === name).map((a) => a.value ?? '');
}

export function hasAttr(list: readonly SdpAttribute[], name: string): boolean {
  return list.some((a) => a.name === name);
}

export interface SdpCodec {
  payloadType: number;
  name: string;
  clockRate: number;
  channels: number;
  fmtp: string | null;
}

/** The codecs of a media section, in the m= line's order. */
export function codecsOf(media: SdpMedia): SdpCodec[] {
  const rtpmaps = new Map<number, { name: string; clockRate: number; channels: number }>();
  for (const v of attrs(media.attributes, 'rtpmap')) {
    const m = /^(\d+) ([^/\s]+)\/(\d+)(?:\/(\d+))?$/.exec(v.trim());
    if (m) {
      rtpmaps.set(Number(m[1]), {
        name: (m[2] ?? '').toLowerCase(),
        clockRate: Number(m[3]),
        channels: m[4] ? Number(m[4]) : 1,
      });
    }
  }
  const fmtps = new Map<number, string>();
  for (const v of attrs(media.attributes, 'fmtp')) {
    const m = /^(\d+) (.*)$/.exec(v.trim());
    if (m) fmtps.set(Number(m[1]), m[2] ?? '');
  }
  const codecs: SdpCodec[] = [];
  for (const f of media.formats) {
    const pt = Number(f);
    const map = rtpmaps.get(pt);
    if (!map) continue;
    codecs.push({ payloadType: pt, ...map, fmtp: fmtps.get(pt) ?? null });
  }
  return codecs;
}

/** The first `a=ssrc:` of a section, if it declares one. */
export function ssrcOf(media: SdpMedia): number | null {
  for (const v of attrs(media.attributes, 'ssrc')) {
    const m = /^(\d+)(?:\s|$)/.exec(v);
    if (m) return Number(m[1]);
  }
  return null;
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

export function candidatesOf(media: SdpMedia): SdpCandidate[] {
  const out: SdpCandidate[] = [];
  for (const v of attrs(media.attributes, 'candidate')) {
    const p = v.trim().split(/\s+/);
    if (p.length < 8 || p[6] !== 'typ') continue;
    out.push({
      foundation: p[0] ?? '',
      component: Number(p[1]),
      transport: (p[2] ?? '').toLowerCase(),
      priority: Number(p[3]),
      address: p[4] ?? '',
      port: Number(p[5]),
      type: p[7] ?? '',
    });
  }
  return out;
}

/** A session- or media-level attribute, media level winning (as JSEP reads them). */
export function effectiveAttr(sdp: ParsedSdp, media: SdpMedia, name: string): string | undefined {
  const v = attr(media.attributes, name) ?? attr(sdp.sessionAttributes, name);
  return v ?? undefined;
}

export function isIceLite(sdp: ParsedSdp, media: SdpMedia): boolean {
  return hasAttr(sdp.sessionAttributes, 'ice-lite') || hasAttr(media.attributes, 'ice-lite');
}

/** The audio section: the edge handles exactly one. */
export function audioSection(sdp: ParsedSdp): SdpMedia {
  const audio = sdp.media.filter((m) => m.kind === 'audio');
  if (audio.length !== 1) throw new SdpError(`expected one audio section, found ${audio.length}`);
  const media = audio[0];
  if (!media) throw new SdpError('no audio section');
  return media;
}

/** Joins lines back into a CRLF document, as SDP requires. */
export function joinLines(lines: readonly string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Adds `a=group:BUNDLE <mid>` after the `t=` line when the document has none: rtpengine
 * drops the session-level group, but a WebRTC peer that offered BUNDLE expects the answer
 * to accept it (one m= line, so nothing else changes).
 */
export function withBundleGroup(sdp: string, mid: string): string {
  const lines = splitLines(sdp);
  if (lines.some((l) => l.startsWith('a=group:BUNDLE'))) return joinLines(lines);
  const t = lines.findIndex((l) => l.startsWith('t='));
  if (t < 0) throw new SdpError('no t= line');
  lines.splice(t + 1, 0, `a=group:BUNDLE ${mid}`);
  return joinLines(lines);
}

/** Replaces every `a=setup:` value (used to offer `active` instead of `actpass`). */
export function withSetup(sdp: string, setup: 'active' | 'actpass'): string {
  return joinLines(splitLines(sdp).map((l) => (l.startsWith('a=setup:') ? `a=setup:${setup}` : l)));
}

/**
 * Repeats a session-level `a=ice-lite` inside every media section. WhatsApp declares
 * ICE-lite at session level (as RFC 8839 defines it), but rtpengine 10.5 only notices
 * it at media level: it then starts as the controlled agent and, once its own answer is
 * processed, stays controlled, so nobody nominates a pair, DTLS never starts and Meta
 * ends the call (138021). Measured: 0 of 6 calls connected with the session-level form,
 * 6 of 6 with it repeated per media section.
 */
export function withMediaLevelIceLite(sdp: string): string {
  const lines = splitLines(sdp);
  const firstMedia = lines.findIndex((l) => l.startsWith('m='));
  if (firstMedia < 0 || !lines.slice(0, firstMedia).includes('a=ice-lite')) return joinLines(lines);
  const out: string[] = [];
  let inMedia = false;
  let mediaHasLite = false;
  const flush = () => {
    if (inMedia && !mediaHasLite) out.push('a=ice-lite');
  };
  for (const line of lines) {
    if (line.startsWith('m=')) {
      flush();
      inMedia = true;
      mediaHasLite = false;
    } else if (inMedia && line === 'a=ice-lite') {
      mediaHasLite = true;
    }
    out.push(line);
  }
  flush();
  return joinLines(out);
}
