import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParleyError } from '@parley/contracts';
import { SimulatedMediaPeer } from '@parley/meta-sim';
import { eventually, MediaHarness } from '../testing/media-harness';
import { userCallsIn } from '../testing/whatsapp-user';

const META_OFFER = readFileSync(join(__dirname, '../../fixtures/sdp/valid/meta-offer.sdp'), 'utf8');

function rtpmaps(sdp: string): string[] {
  return [...sdp.matchAll(/^a=rtpmap:(\d+) (\S+)/gm)].map((m) => `${m[1]} ${m[2]}`);
}

describe('WhatsApp legs through rtpengine and mediasoup', () => {
  let media: MediaHarness;
  const peers: SimulatedMediaPeer[] = [];

  beforeAll(async () => {
    // Short, so the test of a leg that never connects does not wait 20 s.
    media = await MediaHarness.start({
      label: 'media_legs',
      env: { LEG_CONNECT_TIMEOUT_MS: '6000' },
    });
  });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });

  afterAll(async () => {
    await media?.stop();
  });

  async function peer(): Promise<SimulatedMediaPeer> {
    const p = await SimulatedMediaPeer.create({ address: '127.0.0.1' });
    peers.push(p);
    return p;
  }

  it('answers a user-initiated call: full ICE, setup:active, PT 111 and 126; media flows both ways', async () => {
    const callSid = MediaHarness.callSid();
    const user = await peer();
    const offer = await user.createOffer();
    const { sdpAnswer } = await media.request('media.v1.leg.answer', {
      callSid,
      accountSid: `AC${'0'.repeat(32)}`,
      sdpOffer: offer,
    });
    expect(sdpAnswer).not.toMatch(/^a=ice-lite/m);
    expect(sdpAnswer).toMatch(/^a=setup:active\r?$/m);
    expect(rtpmaps(sdpAnswer)).toEqual(['111 opus/48000/2', '126 telephone-event/8000']);
    expect(sdpAnswer).toMatch(/^a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 \d+ typ host/m);
    expect(sdpAnswer).toMatch(/^a=ssrc:\d+ cname:/m);
    expect(sdpAnswer).toMatch(/^a=group:BUNDLE audio\r?$/m);

    await user.applyAnswer(sdpAnswer);
    user.startTone(440);
    const connected = await media.waitForEvent(
      'media.v1.leg.connected',
      (e) => e.callSid === callSid,
    );
    expect(Date.parse(connected.connectedAt)).not.toBeNaN();
    // The user hears the leg from the start: silence until something plays.
    await user.waitForMedia(10_000);
    expect(user.stats().connected).toBe(true);

    const [row] = await media.query<{ state: string; direction: string; worker_pid: number }>(
      `SELECT state, direction, worker_pid FROM media.whatsapp_legs WHERE call_sid = $1`,
      [callSid],
    );
    expect(row).toMatchObject({ state: 'connected', direction: 'inbound' });
    expect(row?.worker_pid).toBeGreaterThan(0);

    expect(await media.request('media.v1.leg.close', { callSid })).toEqual({ closed: true });
    expect(await media.request('media.v1.leg.close', { callSid })).toEqual({ closed: false });
    const [closed] = await media.query<{ state: string; closed_at: Date | null }>(
      `SELECT state, closed_at FROM media.whatsapp_legs WHERE call_sid = $1`,
      [callSid],
    );
    expect(closed?.state).toBe('closed');
    expect(closed?.closed_at).not.toBeNull();
  });

  it('offers a business-initiated call and carries audio once Meta answers', async () => {
    const callSid = MediaHarness.callSid();
    const { sdpOffer } = await media.request('media.v1.leg.offer', {
      callSid,
      accountSid: `AC${'0'.repeat(32)}`,
    });
    expect(sdpOffer).not.toMatch(/^a=ice-lite/m);
    expect(sdpOffer).toMatch(/^a=setup:actpass\r?$/m);
    expect(sdpOffer).not.toMatch(/^a=crypto:/m);
    expect(rtpmaps(sdpOffer)).toEqual(['111 opus/48000/2', '126 telephone-event/8000']);

    const user = await peer();
    const answer = await user.answerOffer(sdpOffer);
    await media.request('media.v1.leg.apply-answer', { callSid, sdpAnswer: answer });
    await media.waitForEvent('media.v1.leg.connected', (e) => e.callSid === callSid);
    await user.waitForMedia(10_000);
    expect(user.stats().packetsReceived).toBeGreaterThan(0);

    // A second answer for the same leg is a state error, not a renegotiation.
    await expect(
      media.request('media.v1.leg.apply-answer', { callSid, sdpAnswer: answer }),
    ).rejects.toMatchObject({ code: 21220 });
    expect(await media.request('media.v1.leg.close', { callSid })).toEqual({ closed: true });
  });

  it("answers Meta's real captured offer with an answer WhatsApp accepts", async () => {
    const callSid = MediaHarness.callSid();
    const { sdpAnswer } = await media.request('media.v1.leg.answer', {
      callSid,
      accountSid: `AC${'0'.repeat(32)}`,
      sdpOffer: META_OFFER,
    });
    expect(sdpAnswer).not.toMatch(/^a=ice-lite/m);
    expect(sdpAnswer).toMatch(/^a=setup:active\r?$/m);
    expect(rtpmaps(sdpAnswer)).toEqual(['111 opus/48000/2', '126 telephone-event/8000']);
    expect(sdpAnswer).toMatch(/^a=mid:audio\r?$/m);
    expect(sdpAnswer).toMatch(/^a=fingerprint:sha-256 /m);
    expect(sdpAnswer).toMatch(/^a=ice-ufrag:\S+/m);
    expect(await media.request('media.v1.leg.close', { callSid })).toEqual({ closed: true });
  });

  it('refuses unusable offers and unknown legs with Twilio-style errors', async () => {
    const callSid = MediaHarness.callSid();
    const noOpus = META_OFFER.replace(/ 111 126/, ' 0 126').replace(
      'a=rtpmap:111 opus/48000/2',
      'a=rtpmap:0 PCMU/8000',
    );
    const error = await media
      .request('media.v1.leg.answer', {
        callSid,
        accountSid: `AC${'0'.repeat(32)}`,
        sdpOffer: noOpus,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParleyError);
    expect(error).toMatchObject({ code: 53403 });
    expect((error as Error).message).toContain('opus');

    await expect(
      media.request('media.v1.leg.apply-answer', { callSid, sdpAnswer: META_OFFER }),
    ).rejects.toMatchObject({ code: 20404 });
    await expect(media.request('media.v1.leg.hold', { callSid, hold: true })).rejects.toMatchObject(
      {
        code: 20404,
      },
    );

    const twice = MediaHarness.callSid();
    await media.request('media.v1.leg.answer', {
      callSid: twice,
      accountSid: `AC${'0'.repeat(32)}`,
      sdpOffer: META_OFFER,
    });
    await expect(
      media.request('media.v1.leg.answer', {
        callSid: twice,
        accountSid: `AC${'0'.repeat(32)}`,
        sdpOffer: META_OFFER,
      }),
    ).rejects.toMatchObject({ code: 21220 });
    await media.request('media.v1.leg.close', { callSid: twice });
  });

  it("learns WhatsApp's SSRC from rtpengine when the offer declares none", async () => {
    const callSid = MediaHarness.callSid();
    const user = await peer();
    const offer = (await user.createOffer()).replace(/^a=ssrc:.*\r?\n/gm, '');
    expect(offer).not.toContain('a=ssrc');
    const { sdpAnswer } = await media.request('media.v1.leg.answer', {
      callSid,
      accountSid: `AC${'0'.repeat(32)}`,
      sdpOffer: offer,
    });
    await user.applyAnswer(sdpAnswer);
    user.startTone(300);
    // Connected means mediasoup received WhatsApp's stream: its SSRC was found.
    await media.waitForEvent('media.v1.leg.connected', (e) => e.callSid === callSid);
    expect(await media.request('media.v1.leg.close', { callSid })).toEqual({ closed: true });
  });

  it('fails a leg whose ICE and DTLS never complete, and frees it', async () => {
    const callSid = MediaHarness.callSid();
    // Meta's real offer: its address is not reachable from here, so nothing connects.
    await media.request('media.v1.leg.answer', {
      callSid,
      accountSid: `AC${'0'.repeat(32)}`,
      sdpOffer: META_OFFER,
    });
    const failed = await media.waitForEvent(
      'media.v1.leg.failed',
      (e) => e.callSid === callSid,
      15_000,
    );
    expect(failed.reason).toContain('ICE or DTLS did not complete');
    // The event goes out before the leg's row is closed: wait for the row's end state.
    const row = await eventually('the failed leg row', async () => {
      const [r] = await media.query<{ state: string; end_reason: string }>(
        `SELECT state, end_reason FROM media.whatsapp_legs WHERE call_sid = $1`,
        [callSid],
      );
      return r?.state === 'failed' ? r : undefined;
    });
    expect(row.end_reason).toContain('failed');
    expect(await media.request('media.v1.leg.close', { callSid })).toEqual({ closed: false });
  });

  it("reports each leg's RTP loss and jitter from mediasoup, and drops them with the leg", async () => {
    const clean = await userCallsIn(media);
    const lossy = await userCallsIn(media);
    peers.push(clean.peer, lossy.peer);
    clean.peer.startTone(440);
    lossy.peer.startTone(440);
    // Every 10th packet WhatsApp sends on this leg never arrives: 10 % loss.
    lossy.peer.loseEveryNth(10);
    const of = (callSid: string, name: string): Promise<number | undefined> =>
      media.metric(`parley_media_leg_rtp_${name}`, { call_sid: callSid, direction: 'inbound' });

    // mediasoup updates loss at each RTCP receiver report (every few seconds).
    const fraction = await eventually(
      'the lossy leg reporting its loss',
      async () => {
        const lost = await of(lossy.callSid, 'packets_lost');
        const share = await of(lossy.callSid, 'fraction_lost');
        // The first report may cover packets sent before the loss began: wait for a later one.
        return lost !== undefined && lost > 0 && share !== undefined && share > 0.05
          ? share
          : undefined;
      },
      60_000,
    );
    // 10 % give or take the edges of the report interval.
    expect(fraction).toBeLessThan(0.15);
    expect(await of(lossy.callSid, 'packets_received')).toBeGreaterThan(0);
    expect(await of(lossy.callSid, 'jitter_seconds')).toBeGreaterThanOrEqual(0);

    await eventually(
      'the clean leg reporting after a receiver report',
      async () => ((await of(clean.callSid, 'packets_received')) ?? 0) > 0 || undefined,
      60_000,
    );
    expect(await of(clean.callSid, 'packets_lost')).toBe(0);
    expect(await of(clean.callSid, 'fraction_lost')).toBe(0);

    for (const { callSid } of [clean, lossy]) {
      expect(await media.request('media.v1.leg.close', { callSid })).toEqual({ closed: true });
      expect(await of(callSid, 'packets_received')).toBeUndefined();
    }
  });

  it('leaves no router, transport, producer, consumer or rtpengine session behind', async () => {
    await eventually('every leg closed', async () =>
      (await media.metric('parley_rtpengine_sessions')) === 0 ? true : undefined,
    );
    for (const kind of ['routers', 'transports', 'producers', 'consumers']) {
      expect(await media.metric('parley_mediasoup_objects', { kind })).toBe(0);
    }
    expect(await media.metric('parley_media_legs')).toBeUndefined();
  });
});
