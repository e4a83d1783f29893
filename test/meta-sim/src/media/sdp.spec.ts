import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildMetaSdp,
  effectiveAudio,
  mediaDefects,
  normalizeRemoteSdp,
  parseSdp,
  sdpProblems,
} from './sdp';

const META_OFFER = readFileSync(join(__dirname, '../../fixtures/meta/meta-offer.sdp'), 'utf8');

/** A full-ICE, DTLS-active business answer, as rtpengine writes one. */
const RTPENGINE_ANSWER = [
  'v=0',
  'o=- 1545997027 1 IN IP4 10.0.0.5',
  's=tester',
  't=0 0',
  'm=audio 40000 UDP/TLS/RTP/SAVPF 111 126',
  'c=IN IP4 10.0.0.5',
  'a=mid:audio',
  'a=rtpmap:111 opus/48000/2',
  'a=rtpmap:126 telephone-event/8000',
  'a=sendrecv',
  'a=rtcp:40000',
  'a=rtcp-mux',
  'a=setup:active',
  'a=fingerprint:sha-256 11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:0123456789abcdefghijkl',
  'a=candidate:1 1 UDP 2130706431 10.0.0.5 40000 typ host',
  'a=candidate:2 1 UDP 2130706175 10.0.0.5 40001 typ host',
  '',
].join('\r\n');

describe('SDP', () => {
  it('reads a captured WhatsApp offer', () => {
    const parsed = parseSdp(META_OFFER);
    expect(parsed.iceLite).toBe(true);
    expect(parsed.bundle).toEqual(['audio']);
    const audio = effectiveAudio(parsed);
    expect(audio).toMatchObject({
      iceLite: true,
      setup: 'actpass',
      iceUfrag: 'AeinEGDfvqBctbtM',
      icePwd: 'F6/jjqL0/8/Dzluc0IoZEQ==',
    });
    expect(audio?.section.candidates.map((c) => c.address)).toEqual([
      '203.0.113.49',
      '2001:db8:f36b:131:face:b00c:0:699c',
    ]);
    expect(audio?.opus).toMatchObject({
      payloadType: 111,
      channels: 2,
      fmtp: expect.stringContaining('useinbandfec=1') as string,
    });
    expect(audio?.telephoneEvent).toMatchObject({ payloadType: 126, clockRate: 8000 });
    expect(audio?.section.ssrcs).toEqual([1047224411]);
    expect(sdpProblems(META_OFFER)).toEqual([]);
  });

  it('lists what makes an SDP unusable', () => {
    expect(sdpProblems('')).toEqual(['SDP is empty']);
    expect(sdpProblems('v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n')).toEqual([
      'no audio m= section',
    ]);
    const plainRtp =
      'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
    expect(sdpProblems(plainRtp)).toEqual([
      'audio transport must be UDP/TLS/RTP/SAVPF, got RTP/AVP',
      'missing ICE credentials (a=ice-ufrag/a=ice-pwd)',
      'missing DTLS fingerprint (a=fingerprint)',
      'no opus/48000 codec in the audio section',
      'missing a=setup',
    ]);
    expect(sdpProblems(RTPENGINE_ANSWER)).toEqual([]);
  });

  it('judges answers the way an ICE-lite, DTLS-server edge experiences them', () => {
    expect(mediaDefects(RTPENGINE_ANSWER, 'answer')).toEqual([]);
    expect(
      mediaDefects(RTPENGINE_ANSWER.replace('a=setup:active', 'a=setup:passive'), 'answer'),
    ).toEqual(['setup:passive']);
    expect(
      mediaDefects(RTPENGINE_ANSWER.replace('t=0 0', 't=0 0\r\na=ice-lite'), 'answer'),
    ).toEqual(['ice-lite']);
    expect(
      mediaDefects(RTPENGINE_ANSWER.replace('a=setup:active', 'a=setup:actpass'), 'answer'),
    ).toEqual(['setup:actpass in an answer']);
    expect(
      mediaDefects(RTPENGINE_ANSWER.replace('a=setup:active', 'a=setup:actpass'), 'offer'),
    ).toEqual([]);
  });

  it('gives rtpengine’s bare a=rtcp:PORT an address and can rewrite candidates', () => {
    const fixed = normalizeRemoteSdp(RTPENGINE_ANSWER);
    expect(fixed).toContain('a=rtcp:40000 IN IP4 10.0.0.5\r\n');
    const rewritten = normalizeRemoteSdp(RTPENGINE_ANSWER, { rewriteCandidatesTo: '127.0.0.1' });
    expect(rewritten).toContain('c=IN IP4 127.0.0.1');
    expect(rewritten).toContain('a=rtcp:40000 IN IP4 127.0.0.1');
    expect(
      effectiveAudio(parseSdp(rewritten))?.section.candidates.map((c) => `${c.address}:${c.port}`),
    ).toEqual(['127.0.0.1:40000', '127.0.0.1:40001']);
  });

  it('builds SDP line for line in WhatsApp’s layout', () => {
    const sdp = buildMetaSdp({
      sessionId: '1760681506762',
      address: '203.0.113.49',
      port: 3484,
      iceUfrag: 'AeinEGDfvqBctbtM',
      icePwd: 'F6/jjqL0/8/Dzluc0IoZEQ==',
      fingerprint: {
        algorithm: 'sha-256',
        value:
          'A2:EC:E2:C4:E4:FE:75:63:39:0D:77:45:DF:70:64:BC:F9:96:73:DE:F4:92:E5:78:D0:5B:1F:8F:E7:46:D3:C6',
      },
      setup: 'actpass',
      mid: 'audio',
      opusPayloadType: 111,
      telephoneEventPayloadType: 126,
      telephoneEventClockRate: 8000,
      ssrc: 1047224411,
      streamId: 'c3867497-e6f7-4408-82b7-80dbd11b94cf',
      candidateFoundation: '3935165743',
    });
    // The captured offer minus its IPv6 candidate is exactly what the builder writes.
    const captured = META_OFFER.replace(/\r?\n/g, '\r\n')
      .split('\r\n')
      .filter((line) => !line.includes('2001:db8'))
      .join('\r\n');
    expect(sdp).toBe(captured);
  });
});
