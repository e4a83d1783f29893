import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { generateTone, encodeWav } from '../audio';
import { eventually, MediaHarness } from '../testing/media-harness';
import { userCallsIn, type ConnectedUser } from '../testing/whatsapp-user';

describe('prompts a WhatsApp user hears', () => {
  let media: MediaHarness;
  let files: Server;
  let filesUrl: string;
  const users: ConnectedUser[] = [];

  beforeAll(async () => {
    const toneWav = encodeWav(generateTone(440, 1500), 48_000);
    files = createServer((req, res) => {
      if (req.url === '/tone.wav') {
        res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': toneWav.length });
        res.end(toneWav);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    media = await MediaHarness.start({
      label: 'media_play',
      env: { MEDIA_FETCH_ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32' },
    });
  });

  afterEach(async () => {
    for (const u of users.splice(0)) {
      await media.request('media.v1.leg.close', { callSid: u.callSid });
      await u.peer.close();
    }
  });

  afterAll(async () => {
    await media?.stop();
    await new Promise((r) => files?.close(r));
  });

  async function user(): Promise<ConnectedUser> {
    const u = await userCallsIn(media);
    users.push(u);
    return u;
  }

  it('plays <Say> speech, paced in real time, then reports it finished', async () => {
    const { callSid, peer } = await user();
    peer.resetReceived();
    const started = performance.now();
    await media.request('media.v1.play.start', {
      callSid,
      playId: 'say-1',
      source: { kind: 'say', text: 'Welcome to Parley. Your call is important to us.' },
    });
    const finished = await media.waitForEvent(
      'media.v1.play.finished',
      (e) => e.callSid === callSid && e.playId === 'say-1',
    );
    const wallMs = performance.now() - started;
    expect(finished).toMatchObject({ reason: 'completed', errorCode: null });
    // A sentence of speech: seconds, not milliseconds or minutes.
    expect(finished.playedMs).toBeGreaterThan(1_500);
    expect(finished.playedMs).toBeLessThan(8_000);
    // Give the last packets a moment to arrive, then look at what the user heard.
    await eventually('the tail of the prompt', () =>
      peer.analyse().durationMs >= finished.playedMs ? true : undefined,
    );
    const heard = peer.analyse();
    expect(heard.speechLikeMs).toBeGreaterThan(800);
    expect(heard.levelDbfs).toBeGreaterThan(-40);
    process.stdout.write(
      `say prompt: played ${finished.playedMs} ms in ${Math.round(wallMs)} ms wall clock, ` +
        `${heard.speechLikeMs} ms speech heard\n`,
    );
  });

  it('plays a 440 Hz file from an allowed URL at 440 Hz', async () => {
    const { callSid, peer } = await user();
    peer.resetReceived();
    await media.request('media.v1.play.start', {
      callSid,
      playId: 'tone',
      source: { kind: 'url', url: `${filesUrl}/tone.wav` },
    });
    const finished = await media.waitForEvent(
      'media.v1.play.finished',
      (e) => e.callSid === callSid && e.playId === 'tone',
    );
    expect(finished).toMatchObject({ reason: 'completed', errorCode: null });
    expect(finished.playedMs).toBeGreaterThanOrEqual(1_480);
    expect(finished.playedMs).toBeLessThanOrEqual(1_520);
    await eventually('the tone', () => (peer.analyse().speechLikeMs >= 1_300 ? true : undefined));
    expect(peer.analyse().dominantFrequencyHz).toBeCloseTo(440, -1);
  });

  it('reports a URL that cannot be fetched as a failed prompt with a Twilio code', async () => {
    const { callSid } = await user();
    await media.request('media.v1.play.start', {
      callSid,
      playId: 'missing',
      source: { kind: 'url', url: `${filesUrl}/missing.wav` },
    });
    const finished = await media.waitForEvent(
      'media.v1.play.finished',
      (e) => e.callSid === callSid && e.playId === 'missing',
    );
    expect(finished).toMatchObject({ reason: 'failed', playedMs: 0 });
    expect(finished.errorCode).toBe(11200);
  });

  it('queues prompts in order and stops them all on barge-in', async () => {
    const { callSid } = await user();
    await media.request('media.v1.play.start', {
      callSid,
      playId: 'first',
      source: { kind: 'silence', durationMs: 200 },
    });
    await media.request('media.v1.play.start', {
      callSid,
      playId: 'ring',
      source: { kind: 'ringback', country: 'us' },
      loop: 0,
    });
    await media.request('media.v1.play.start', {
      callSid,
      playId: 'never',
      source: { kind: 'silence', durationMs: 200 },
    });
    await media.waitForEvent(
      'media.v1.play.finished',
      (e) => e.callSid === callSid && e.playId === 'first',
    );
    // Ringback plays until stopped; barge-in stops it and the prompt queued behind it.
    expect(await media.request('media.v1.play.stop', { callSid })).toEqual({ stopped: 2 });
    const ring = await media.waitForEvent(
      'media.v1.play.finished',
      (e) => e.callSid === callSid && e.playId === 'ring',
    );
    const never = await media.waitForEvent(
      'media.v1.play.finished',
      (e) => e.callSid === callSid && e.playId === 'never',
    );
    expect(ring.reason).toBe('stopped');
    expect(never).toMatchObject({ reason: 'stopped', playedMs: 0 });
    const order = media
      .eventsOf('media.v1.play.finished', (e) => e.callSid === callSid)
      .map((e) => e.playId);
    expect(order).toEqual(['first', 'ring', 'never']);
    expect(await media.request('media.v1.play.stop', { callSid })).toEqual({ stopped: 0 });
  });

  it('sends digits to the user as RFC 4733 events', async () => {
    const { callSid, peer } = await user();
    await media.request('media.v1.play.start', {
      callSid,
      playId: 'digits',
      source: { kind: 'digits', digits: '12w#9' },
    });
    await media.waitForEvent(
      'media.v1.play.finished',
      (e) => e.callSid === callSid && e.playId === 'digits',
    );
    const heard = await eventually('four digits', () => {
      const digits = peer
        .stats()
        .dtmf.map((d) => d.digit)
        .join('');
      return digits.length >= 4 ? digits : undefined;
    });
    expect(heard).toBe('12#9');
  });

  it('refuses prompts for a leg it does not have', async () => {
    await expect(
      media.request('media.v1.play.start', {
        callSid: MediaHarness.callSid(),
        playId: 'x',
        source: { kind: 'silence', durationMs: 100 },
      }),
    ).rejects.toMatchObject({ code: 20404 });
  });
});
