import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSdp, SdpError, withBundleGroup, withMediaLevelIceLite, withSetup } from './sdp';
import {
  buildPlainSdp,
  edgeDescriptionProblems,
  readPlainDescription,
  readWebRtcDescription,
} from './whatsapp-sdp';

const fixtures = join(__dirname, '../../../fixtures/sdp');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const META_OFFER = fixture('valid/meta-offer.sdp');
/** What rtpengine answered to META_OFFER through the edge (full ICE, DTLS client). */
const PARLEY_ANSWER = fixture('valid/parley-answer.sdp');
const PARLEY_OFFER = fixture('valid/parley-offer.sdp');
const answerExpectation = {
  type: 'answer',
  opusPayloadType: 111,
  telephoneEventPayloadType: 126,
} as const;

describe("reading WhatsApp's SDP", () => {
  it("reads Meta's real offer: ICE-lite, actpass, BUNDLE, Opus 111, telephone-event 126", () => {
    const d = readWebRtcDescription(META_OFFER);
    expect(d).toMatchObject({
      mid: 'audio',
      bundled: true,
      iceLite: true,
      setup: 'actpass',
      rtcpMux: true,
      ssrc: 1047224411,
      opus: { payloadType: 111, name: 'opus', clockRate: 48000, channels: 2 },
      telephoneEvent: { payloadType: 126, clockRate: 8000 },
    });
    expect(d.opus.fmtp).toContain('useinbandfec=1');
    expect(d.candidates.map((c) => c.address)).toEqual([
      '203.0.113.49',
      '2001:db8:f36b:131:face:b00c:0:699c',
    ]);
  });

  const invalid = readdirSync(join(fixtures, 'invalid')).sort();
  it.each(invalid)('rejects invalid/%s with a reason', (name) => {
    const error = (() => {
      try {
        readWebRtcDescription(fixture(`invalid/${name}`));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(SdpError);
    expect((error as SdpError).reason.length).toBeGreaterThan(5);
  });

  it('names what is missing', () => {
    expect(() => readWebRtcDescription(fixture('invalid/no-opus.sdp'))).toThrow('no opus/48000/2');
    expect(() => readWebRtcDescription(fixture('invalid/plain-rtp.sdp'))).toThrow('RTP/AVP');
    expect(() => readWebRtcDescription(fixture('invalid/no-fingerprint.sdp'))).toThrow(
      'fingerprint',
    );
    expect(() => readWebRtcDescription(fixture('invalid/no-candidates.sdp'))).toThrow('candidate');
  });
});

describe("checking Parley's SDP before WhatsApp gets it", () => {
  it('accepts the answer the edge made to Meta: full ICE, setup:active, 111 and 126 kept', () => {
    expect(edgeDescriptionProblems(PARLEY_ANSWER, answerExpectation)).toEqual([]);
    const d = readWebRtcDescription(PARLEY_ANSWER);
    expect(d.iceLite).toBe(false);
    expect(d.setup).toBe('active');
    expect(d.bundled).toBe(true);
  });

  it('accepts the offer the edge makes for business-initiated calls', () => {
    expect(edgeDescriptionProblems(PARLEY_OFFER, { ...answerExpectation, type: 'offer' })).toEqual(
      [],
    );
  });

  it.each([
    ['an ICE-lite answer', (s: string) => s.replace('t=0 0', 't=0 0\r\na=ice-lite'), 'ice-lite'],
    [
      'a passive answer',
      (s: string) => s.replace('a=setup:active', 'a=setup:passive'),
      'a=setup:passive',
    ],
    ['a renumbered Opus', (s: string) => s.replace(/\b111\b/g, '109'), 'opus on PT 109'],
    [
      'a dropped telephone-event',
      (s: string) => s.replace(/ 126/, '').replace(/a=rtpmap:126.*\r\n/, ''),
      'telephone-event',
    ],
    [
      'SDES keys',
      (s: string) =>
        s.replace('a=rtcp-mux', 'a=rtcp-mux\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x'),
      'a=crypto',
    ],
    ['no a=ssrc', (s: string) => s.replace(/a=ssrc:.*\r\n/, ''), 'a=ssrc'],
  ])('refuses %s', (_label, mutate, problem) => {
    expect(edgeDescriptionProblems(mutate(PARLEY_ANSWER), answerExpectation).join('; ')).toContain(
      problem,
    );
  });
});

describe('SDP rewriting', () => {
  it('repeats the session-level ice-lite in the media section (rtpengine only sees it there)', () => {
    const out = withMediaLevelIceLite(META_OFFER);
    const parsed = parseSdp(out);
    expect(parsed.sessionAttributes.some((a) => a.name === 'ice-lite')).toBe(true);
    expect(parsed.media[0]?.attributes.filter((a) => a.name === 'ice-lite')).toHaveLength(1);
    // Idempotent, and nothing else changes: the one added line is the last of the section.
    expect(withMediaLevelIceLite(out)).toBe(out);
    expect(out).toBe(`${META_OFFER.replace(/\r?\n/g, '\r\n')}a=ice-lite\r\n`);
  });

  it('leaves a full-ICE description alone', () => {
    expect(withMediaLevelIceLite(PARLEY_ANSWER)).toBe(PARLEY_ANSWER.replace(/\r?\n/g, '\r\n'));
  });

  it('adds the BUNDLE group rtpengine drops, once', () => {
    const stripped = PARLEY_ANSWER.replace('a=group:BUNDLE audio\r\n', '');
    const out = withBundleGroup(stripped, 'audio');
    expect(out.match(/a=group:BUNDLE audio/g)).toHaveLength(1);
    expect(withBundleGroup(out, 'audio')).toBe(out);
  });

  it('rewrites the DTLS role of an offer', () => {
    expect(withSetup(PARLEY_OFFER, 'active')).toMatch(/^a=setup:active\r$/m);
  });
});

describe('the plain-RTP side', () => {
  it('describes a PlainTransport with the one SSRC the leg sends, and reads it back', () => {
    const sdp = buildPlainSdp({
      address: '127.0.0.1',
      port: 42_000,
      ssrc: 12345678,
      cname: 'parley',
      mid: 'audio',
      opusPayloadType: 111,
      telephoneEvent: { payloadType: 126, clockRate: 8000 },
    });
    expect(sdp).toContain('a=ssrc:12345678 cname:parley\r\n');
    expect(readPlainDescription(sdp)).toMatchObject({
      address: '127.0.0.1',
      port: 42_000,
      rtcpPort: null,
      mid: 'audio',
      ssrc: 12345678,
      opus: { payloadType: 111 },
      telephoneEvent: { payloadType: 126, clockRate: 8000 },
    });
  });

  it("reads rtpengine's inner offer with separate RTCP", () => {
    const inner = [
      'v=0',
      'o=- 1 2 IN IP4 127.0.0.1',
      's=-',
      't=0 0',
      'm=audio 30000 RTP/AVP 111 126',
      'c=IN IP4 127.0.0.1',
      'a=ssrc:1047224411 cname:WhatsAppAudioStream1',
      'a=mid:audio',
      'a=rtpmap:111 opus/48000/2',
      'a=rtpmap:126 telephone-event/8000',
      'a=rtcp:30001',
      '',
    ].join('\r\n');
    expect(readPlainDescription(inner)).toMatchObject({
      port: 30000,
      rtcpPort: 30001,
      ssrc: 1047224411,
    });
  });
});
