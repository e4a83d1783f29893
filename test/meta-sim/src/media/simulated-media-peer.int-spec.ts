import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav, encodeWav, generateTone, resample } from '../audio';
import { waitFor } from '../testing/wait';
import { BusinessMediaPeer } from './business-media-peer';
import { parseSdp } from './sdp';
import { SimulatedMediaPeer } from './simulated-media-peer';

const META_OFFER = readFileSync(join(__dirname, '../../fixtures/meta/meta-offer.sdp'), 'utf8');

/**
 * The attribute names of an SDP in order, values left out: the "shape" of a document. Meta
 * writes one candidate per address family; the simulator has one family, so repeated
 * candidate lines count once.
 */
function shape(sdp: string): string[] {
  return sdp
    .split(/\r?\n/)
    .filter((l) => l.length > 0)
    .map((l) => (l.startsWith('a=') ? `a=${l.slice(2).split(/[:\s]/)[0]}` : l.slice(0, 2)))
    .filter((l, i, all) => !(l === 'a=candidate' && all[i - 1] === 'a=candidate'));
}

async function connectUserInitiated(options: { userTone?: number; bizTone?: number } = {}) {
  const user = await SimulatedMediaPeer.create();
  const business = await BusinessMediaPeer.create();
  const offer = await user.createOffer();
  const answer = await business.answerOffer(offer);
  await user.applyAnswer(answer);
  if (options.userTone) user.startTone(options.userTone);
  if (options.bizTone) business.startTone(options.bizTone);
  return { user, business, offer, answer };
}

describe('SimulatedMediaPeer (real WebRTC on loopback)', () => {
  const peers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });

  it('offers exactly the shape of a captured WhatsApp offer', async () => {
    const user = await SimulatedMediaPeer.create();
    peers.push(user);
    const offer = await user.createOffer();
    expect(shape(offer)).toEqual(shape(META_OFFER));
    const audio = parseSdp(offer).media[0];
    expect(parseSdp(offer).iceLite).toBe(true);
    expect(audio?.setup).toBe('actpass');
    expect(audio?.candidates).toEqual([
      expect.objectContaining({ address: '127.0.0.1', type: 'host' }),
    ]);
    expect(audio?.codecs.map((c) => [c.payloadType, c.name, c.clockRate])).toEqual([
      [111, 'opus', 48000],
      [126, 'telephone-event', 8000],
    ]);
    expect(offer).toContain(
      'a=fmtp:111 maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;sprop-maxcapturerate=16000;useinbandfec=1',
    );
  });

  it('a full-ICE business answering a user offer hears the user, and the user hears it', async () => {
    const { user, business, answer } = await connectUserInitiated({ userTone: 440, bizTone: 660 });
    peers.push(user, business);
    expect(answer).not.toContain('a=ice-lite');
    expect(answer).toContain('a=setup:active');
    await Promise.all([user.waitForMedia(10_000), business.waitForMedia(10_000)]);
    await waitFor(() => user.stats().receivedMs >= 1500 && business.stats().receivedMs >= 1500, {
      what: '1.5 s of audio each way',
    });
    expect(Math.abs((business.stats().dominantFrequencyHz ?? 0) - 440)).toBeLessThan(3);
    expect(Math.abs((user.stats().dominantFrequencyHz ?? 0) - 660)).toBeLessThan(3);
    expect(
      Math.abs((business.analyse({ fromMs: 500 }).dominantFrequencyHz ?? 0) - 440),
    ).toBeLessThan(3);
    expect(Math.abs((user.analyse({ fromMs: 500 }).dominantFrequencyHz ?? 0) - 660)).toBeLessThan(
      3,
    );
    expect(user.stats().levelDbfs).toBeGreaterThan(-30);
    expect(user.stats().connected).toBe(true);
  });

  it('answers a business offer with an ICE-lite, DTLS-passive answer that carries media', async () => {
    const user = await SimulatedMediaPeer.create();
    const business = await BusinessMediaPeer.create();
    peers.push(user, business);
    const offer = await business.createOffer();
    const answer = await user.answerOffer(offer);
    expect(parseSdp(answer).iceLite).toBe(true);
    expect(answer).toContain('a=setup:passive');
    expect(shape(answer)).toEqual(shape(META_OFFER));
    await business.applyAnswer(answer);
    user.startTone(880);
    business.startTone(350);
    await waitFor(() => user.stats().receivedMs >= 1200 && business.stats().receivedMs >= 1200, {
      what: 'audio both ways',
    });
    expect(
      Math.abs((business.analyse({ fromMs: 300 }).dominantFrequencyHz ?? 0) - 880),
    ).toBeLessThan(3);
    expect(Math.abs((user.analyse({ fromMs: 300 }).dominantFrequencyHz ?? 0) - 350)).toBeLessThan(
      3,
    );
  });

  it('sends and receives RFC 4733 digits in order, each exactly once', async () => {
    const { user, business } = await connectUserInitiated();
    peers.push(user, business);
    await Promise.all([user.waitForMedia(10_000), business.waitForMedia(10_000)]);
    await user.sendDigits('123#*0', { durationMs: 100, gapMs: 60 });
    await business.sendDigits('9A', { durationMs: 120, gapMs: 40 });
    await waitFor(() => business.stats().dtmf.length >= 6 && user.stats().dtmf.length >= 2, {
      what: 'digits both ways',
    });
    expect(
      business
        .stats()
        .dtmf.map((d) => d.digit)
        .join(''),
    ).toBe('123#*0');
    expect(business.stats().dtmf.every((d) => d.durationMs === 100)).toBe(true);
    expect(user.stats().dtmf).toEqual([
      { digit: '9', durationMs: 120 },
      { digit: 'A', durationMs: 120 },
    ]);
    expect(user.stats().dtmfSent).toBe('123#*0');
  });

  it('accepts rtpengine-style a=rtcp:PORT with no address', async () => {
    const user = await SimulatedMediaPeer.create();
    const business = await BusinessMediaPeer.create();
    peers.push(user, business);
    const answer = (await business.answerOffer(await user.createOffer())).replace(
      /^a=rtcp:.*$/m,
      'a=rtcp:40002',
    );
    expect(answer).toMatch(/^a=rtcp:40002\r$/m);
    await user.applyAnswer(answer);
    await Promise.all([user.waitForMedia(10_000), business.waitForMedia(10_000)]);
  });

  it('plays a WAV (any rate) and records what it hears as a WAV', async () => {
    const { user, business } = await connectUserInitiated();
    peers.push(user, business);
    await user.waitForMedia(10_000);
    user.resetReceived();
    const wav = encodeWav(resample(generateTone(1000, 1200), 48000, 16000), 16000, 1);
    await business.playWav(wav);
    await waitFor(() => user.analyse().speechLikeMs >= 1000, { what: 'the WAV to arrive' });
    const heard = decodeWav(user.receivedWav());
    expect(heard.sampleRate).toBe(48000);
    expect(heard.channels).toBe(1);
    expect(Math.abs((user.analyse().dominantFrequencyHz ?? 0) - 1000)).toBeLessThan(4);
  });

  it('refuses a media address the host does not have, instead of crashing in werift', async () => {
    await expect(SimulatedMediaPeer.create({ address: '203.0.113.7' })).rejects.toThrow(
      /cannot bind UDP to media address 203\.0\.113\.7/,
    );
  });

  it.each([
    ['an ICE-lite answer', { iceLite: true }, 'ice-lite'],
    ['a setup:passive answer', { dtlsRole: 'passive' as const }, 'setup:passive'],
  ])('never gets media with %s', async (_name, options, defect) => {
    const user = await SimulatedMediaPeer.create();
    const business = await BusinessMediaPeer.create(options);
    peers.push(user, business);
    const answer = await business.answerOffer(await user.createOffer());
    await user.applyAnswer(answer);
    expect(user.defects).toContain(defect);
    business.startTone(500);
    await expect(user.waitForMedia(2500)).rejects.toThrow(/no inbound audio/);
    expect(user.stats().connected).toBe(false);
    expect(business.stats().connected).toBe(false);
  });
});
