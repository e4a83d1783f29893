import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSdp } from '../media/sdp';
import { graphError } from '../testing/graph-client';
import { startHarness, type Harness } from '../testing/harness';
import { waitFor } from '../testing/wait';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/meta', name), 'utf8')) as Record<
    string,
    unknown
  >;

/** Keys of an object, recursively, values left out: compares document shapes. */
function keysOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [keysOf(value[0])] : [];
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keysOf(v)]));
  }
  return typeof value;
}

describe('user-initiated calls', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.client.createUser({
      waId: '15550100002',
      name: 'Test User',
      behaviour: { speak: { toneHz: 440 } },
    });
  });
  afterEach(async () => {
    await h.close();
  });

  it('connects, carries audio both ways, and completes with a signed terminate webhook', async () => {
    const { callId } = await h.client.userCall('15550100002', h.business.phoneNumberId);
    const connect = await h.receiver.waitForCallEvent('connect', callId);

    // The exact document Meta sends, signed the way a receiver verifies it.
    const delivery = h.receiver.received[0];
    expect(delivery).toBeDefined();
    const expected = `sha256=${createHmac('sha256', h.business.appSecret)
      .update(delivery?.rawBody ?? '')
      .digest('hex')}`;
    expect(delivery?.headers['x-hub-signature-256']).toBe(expected);
    expect(keysOf(delivery?.payload)).toEqual(keysOf(fixture('user-initiated-connect.json')));
    expect(connect).toMatchObject({
      from: '15550100002',
      to: '15550100001',
      direction: 'USER_INITIATED',
    });
    const offer = (connect.session as { sdp: string; sdp_type: string }).sdp;
    expect(parseSdp(offer).iceLite).toBe(true);

    const peer = await h.businessPeer();
    const answer = await peer.answerOffer(offer);
    const pre = await h.graph.calls({
      call_id: callId,
      action: 'pre_accept',
      session: { sdp_type: 'answer', sdp: answer },
    });
    expect(pre).toEqual({ status: 200, json: { messaging_product: 'whatsapp', success: true } });
    peer.startTone(660);
    await peer.waitForMedia(10_000);
    const accept = await h.graph.calls({
      call_id: callId,
      action: 'accept',
      session: { sdp_type: 'answer', sdp: answer },
    });
    expect(accept.status).toBe(200);

    await waitFor(() => peer.stats().receivedMs > 1500, { what: 'the user speaking' });
    const call = await h.client.waitForCall(callId, (c) => c.media.receivedMs > 1500);
    expect(call.status).toBe('accepted');
    expect(call.mediaDefects).toEqual([]);
    expect(Math.abs((call.media.dominantFrequencyHz ?? 0) - 660)).toBeLessThan(3);
    expect(Math.abs((peer.stats().dominantFrequencyHz ?? 0) - 440)).toBeLessThan(3);
    const analysis = await h.client.analyseCall(callId, { fromMs: 200 });
    expect(Math.abs((analysis.dominantFrequencyHz ?? 0) - 660)).toBeLessThan(3);

    const end = await h.graph.calls({ call_id: callId, action: 'terminate' });
    expect(end.json).toEqual({ messaging_product: 'whatsapp', success: true });
    const terminate = await h.receiver.waitForCallEvent('terminate', callId);
    expect(terminate).toMatchObject({
      status: 'COMPLETED',
      direction: 'USER_INITIATED',
      event: 'terminate',
    });
    expect(Number(terminate.end_time) - Number(terminate.start_time)).toBe(terminate.duration);
    expect(terminate.errors).toBeUndefined();
    const wav = await h.client.getReceivedWav(callId);
    expect(wav.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect((await h.client.getCall(callId)).endReason).toBe('business_terminate');
  });

  it.each([
    ['ICE-lite', { iceLite: true }, 'ice-lite'],
    ['setup:passive', { dtlsRole: 'passive' as const }, 'setup:passive'],
  ])(
    'ends FAILED 138021 after the media timeout when the answer is %s',
    async (_name, peerOptions, defect) => {
      await h.close();
      h = await startHarness({ mediaTimeoutMs: 1500 });
      await h.client.createUser({ waId: '15550100002' });
      const { callId } = await h.client.userCall('15550100002', h.business.phoneNumberId);
      const connect = await h.receiver.waitForCallEvent('connect', callId);
      const peer = await h.businessPeer(peerOptions);
      const answer = await peer.answerOffer((connect.session as { sdp: string }).sdp);
      peer.startTone(500);
      expect(
        (
          await h.graph.calls({
            call_id: callId,
            action: 'pre_accept',
            session: { sdp_type: 'answer', sdp: answer },
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await h.graph.calls({
            call_id: callId,
            action: 'accept',
            session: { sdp_type: 'answer', sdp: answer },
          })
        ).status,
      ).toBe(200);

      const terminate = await h.receiver.waitForCallEvent('terminate', callId, 8000);
      expect(terminate.status).toBe('FAILED');
      expect(terminate.start_time).toBeDefined();
      expect(terminate.errors).toEqual([expect.objectContaining({ code: 138021 })]);
      const value = h.receiver
        .values()
        .find(
          (v) =>
            Array.isArray(v.calls) &&
            (v.calls as Array<{ event: string }>)[0]?.event === 'terminate',
        );
      expect(keysOf({ ...value, metadata: undefined })).toEqual(
        keysOf({
          ...((
            fixture('user-initiated-terminate-failed-138021.json').entry as Array<{
              changes: Array<{ value: unknown }>;
            }>
          )[0]?.changes[0]?.value as object),
          metadata: undefined,
        }),
      );
      const call = await h.client.getCall(callId);
      expect(call).toMatchObject({
        status: 'ended',
        terminateStatus: 'FAILED',
        endReason: 'media_timeout',
      });
      expect(call.mediaDefects).toContain(defect);
      expect(call.media.packetsReceived).toBe(0);
    },
  );

  it('ends unanswered, without start_time, when the business never accepts', async () => {
    await h.close();
    h = await startHarness({ ringTimeoutMs: 600 });
    await h.client.createUser({ waId: '15550100002' });
    const { callId } = await h.client.userCall('15550100002', h.business.phoneNumberId);
    await h.receiver.waitForCallEvent('connect', callId);
    const terminate = await h.receiver.waitForCallEvent('terminate', callId);
    expect(terminate.status).toBe('COMPLETED');
    expect(terminate).not.toHaveProperty('start_time');
    expect(terminate).not.toHaveProperty('duration');
    expect((await h.client.getCall(callId)).endReason).toBe('unanswered');
    // A late accept is refused like Meta refuses actions on ended calls.
    const late = await h.graph.calls({ call_id: callId, action: 'reject' });
    expect(graphError(late).code).toBe(100);
  });

  it('refuses calls over the concurrency limit without telling the business', async () => {
    await h.close();
    h = await startHarness({ maxConcurrentCallsPerBusiness: 2 });
    for (const waId of ['15550100011', '15550100012', '15550100013'])
      await h.client.createUser({ waId });
    const first = await h.client.userCall('15550100011', h.business.phoneNumberId);
    const second = await h.client.userCall('15550100012', h.business.phoneNumberId);
    const third = await h.client.userCall('15550100013', h.business.phoneNumberId);
    expect(first.call.status).toBe('ringing');
    expect(second.call.status).toBe('ringing');
    expect(third.call).toMatchObject({ status: 'refused', endReason: 'refused_concurrency_limit' });
    await h.receiver.waitForCallEvent('connect', second.callId);
    expect(h.receiver.calls().filter((c) => c.event === 'connect')).toHaveLength(2);
    expect(await h.client.listWebhookDeliveries({ callId: third.callId })).toEqual([]);
    // A slot frees up when a call ends.
    await h.client.userHangup(first.callId);
    const fourth = await h.client.userCall('15550100013', h.business.phoneNumberId);
    expect(fourth.call.status).toBe('ringing');
  });

  it('delivers the user’s DTMF to the business in order, each digit once', async () => {
    const { callId } = await h.client.userCall('15550100002', h.business.phoneNumberId);
    const connect = await h.receiver.waitForCallEvent('connect', callId);
    const peer = await h.businessPeer();
    const answer = await peer.answerOffer((connect.session as { sdp: string }).sdp);
    await h.graph.calls({
      call_id: callId,
      action: 'accept',
      session: { sdp_type: 'answer', sdp: answer },
    });
    await peer.waitForMedia(10_000);
    await h.client.waitForCall(callId, (c) => c.media.connected);
    await h.client.userSendDigits(callId, '42#*9', { durationMs: 80, gapMs: 60 });
    await waitFor(() => peer.stats().dtmf.length >= 5, { what: 'five digits' });
    expect(peer.stats().dtmf.map((d) => d.digit)).toEqual(['4', '2', '#', '*', '9']);
    await peer.sendDigits('7', { durationMs: 100 });
    const call = await h.client.waitForCall(callId, (c) => c.media.dtmf.length > 0);
    expect(call.media.dtmf).toEqual([{ digit: '7', durationMs: 100 }]);
    expect(call.media.dtmfSent).toBe('42#*9');
  });

  it('user hang-up sends a terminate with the call’s times', async () => {
    const { callId } = await h.client.userCall('15550100002', h.business.phoneNumberId);
    const connect = await h.receiver.waitForCallEvent('connect', callId);
    const peer = await h.businessPeer();
    const answer = await peer.answerOffer((connect.session as { sdp: string }).sdp);
    await h.graph.calls({
      call_id: callId,
      action: 'accept',
      session: { sdp_type: 'answer', sdp: answer },
    });
    await peer.waitForMedia(10_000);
    await h.client.userHangup(callId);
    const terminate = await h.receiver.waitForCallEvent('terminate', callId);
    expect(terminate).toMatchObject({ status: 'COMPLETED', event: 'terminate' });
    expect(terminate.start_time).toBeDefined();
    expect((await h.client.getCall(callId)).endReason).toBe('user_hangup');
  });

  it('rejects an unusable answer SDP with Graph error 100 and keeps the call ringing', async () => {
    const { callId } = await h.client.userCall('15550100002', h.business.phoneNumberId);
    await h.receiver.waitForCallEvent('connect', callId);
    const bad = await h.graph.calls({
      call_id: callId,
      action: 'pre_accept',
      session: {
        sdp_type: 'answer',
        sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n',
      },
    });
    expect(bad.status).toBe(400);
    expect(graphError(bad)).toMatchObject({ code: 100, type: 'OAuthException' });
    expect(graphError(bad).error_data?.details).toMatch(/UDP\/TLS\/RTP\/SAVPF/);
    expect((await h.client.getCall(callId)).status).toBe('ringing');
  });

  it('applies the answer once when pre_accept and accept race (a retrying client)', async () => {
    const { callId } = await h.client.userCall('15550100002', h.business.phoneNumberId);
    const connect = await h.receiver.waitForCallEvent('connect', callId);
    const peer = await h.businessPeer();
    const answer = await peer.answerOffer((connect.session as { sdp: string }).sdp);
    const session = { sdp_type: 'answer', sdp: answer };
    const results = await Promise.all([
      h.graph.calls({ call_id: callId, action: 'pre_accept', session }),
      h.graph.calls({ call_id: callId, action: 'accept', session }),
      h.graph.calls({ call_id: callId, action: 'pre_accept', session }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    await peer.waitForMedia(10_000);
    expect((await h.client.getCall(callId)).status).toBe('accepted');
  });

  it('a business reject ends the call without start_time', async () => {
    const { callId } = await h.client.userCall('15550100002', h.business.phoneNumberId);
    await h.receiver.waitForCallEvent('connect', callId);
    expect((await h.graph.calls({ call_id: callId, action: 'reject' })).status).toBe(200);
    const terminate = await h.receiver.waitForCallEvent('terminate', callId);
    expect(terminate).not.toHaveProperty('start_time');
    expect((await h.client.getCall(callId)).endReason).toBe('business_reject');
  });
});
