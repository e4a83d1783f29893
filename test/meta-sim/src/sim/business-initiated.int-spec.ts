import { parseSdp } from '../media/sdp';
import { graphError, type GraphResult } from '../testing/graph-client';
import { startHarness, type Harness } from '../testing/harness';
import { waitFor } from '../testing/wait';

const USER = '15550100002';

describe('business-initiated calls and call permissions', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.client.createUser({
      waId: USER,
      name: 'Callee',
      behaviour: { onIncomingCall: 'answer', answerAfterMs: 100, speak: { toneHz: 440 } },
    });
  });
  afterEach(async () => {
    await h.close();
  });

  // A call-permission request is a free-form message: the user must have written first.
  const requestPermission = async (): Promise<GraphResult> => {
    await h.client.userMessage(USER, h.business.phoneNumberId, 'Hello');
    return h.graph.post('messages', {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: USER,
      type: 'interactive',
      interactive: {
        type: 'call_permission_request',
        action: { name: 'call_permission_request' },
        body: { text: 'May we call you about your order?' },
      },
    });
  };

  const connect = async (
    offer: string,
    extra: Record<string, unknown> = {},
  ): Promise<GraphResult> =>
    h.graph.calls({
      to: USER,
      action: 'connect',
      session: { sdp_type: 'offer', sdp: offer },
      ...extra,
    });

  it('refuses connect without permission (138006), then completes the whole flow after an accepted request', async () => {
    const peer = await h.businessPeer();
    const offer = await peer.createOffer();
    const refused = await connect(offer);
    expect(refused.status).toBe(400);
    expect(graphError(refused)).toMatchObject({ code: 138006, type: 'OAuthException' });
    expect(graphError(refused).message).toMatch(/^\(#138006\)/);
    expect(await h.client.listCalls()).toEqual([]);

    const request = await requestPermission();
    expect(request.status).toBe(200);
    expect(request.json).toMatchObject({
      messaging_product: 'whatsapp',
      contacts: [{ input: USER, wa_id: USER }],
    });
    const requestId = (request.json.messages as Array<{ id: string }>)[0]?.id;
    expect(requestId).toMatch(/^wamid\./);
    const reply = await waitFor(() => h.receiver.messages().find((m) => m.type === 'interactive'));
    expect(reply).toMatchObject({
      from: USER,
      context: { id: requestId },
      interactive: {
        type: 'call_permission_reply',
        call_permission_reply: {
          response: 'accept',
          is_permanent: false,
          response_source: 'user_action',
        },
      },
    });
    const expiry = (
      reply.interactive as { call_permission_reply: { expiration_timestamp: number } }
    ).call_permission_reply.expiration_timestamp;
    const nowSeconds = Math.floor((await h.client.now()).nowMs / 1000);
    expect(expiry - nowSeconds).toBeGreaterThan(7 * 86400 - 60);
    expect(expiry - nowSeconds).toBeLessThanOrEqual(7 * 86400);
    expect(h.receiver.statuses().map((s) => s.status)).toEqual(['sent', 'delivered']);

    const placed = await connect(offer, { biz_opaque_callback_data: 'CA0123' });
    expect(placed.status).toBe(200);
    const callId = (placed.json.calls as Array<{ id: string }>)[0]?.id ?? '';
    expect(callId).toMatch(/^wacid\./);
    const ringing = await h.receiver.waitForStatus('RINGING', callId);
    expect(ringing).toMatchObject({
      type: 'call',
      recipient_id: USER,
      biz_opaque_callback_data: 'CA0123',
    });

    const connected = await h.receiver.waitForCallEvent('connect', callId);
    expect(connected).toMatchObject({
      direction: 'BUSINESS_INITIATED',
      from: '15550100001',
      to: USER,
      biz_opaque_callback_data: 'CA0123',
    });
    const answer = connected.session as { sdp: string; sdp_type: string };
    expect(answer.sdp_type).toBe('answer');
    expect(parseSdp(answer.sdp).iceLite).toBe(true);
    await peer.applyAnswer(answer.sdp);
    peer.startTone(660);
    await peer.waitForMedia(10_000);
    await h.receiver.waitForStatus('ACCEPTED', callId);
    const order = h.receiver
      .values()
      .flatMap((v) => [
        ...((v.statuses as Array<{ id: string; status: string }> | undefined) ?? [])
          .filter((s) => s.id === callId)
          .map((s) => s.status),
        ...((v.calls as Array<{ id: string; event: string }> | undefined) ?? [])
          .filter((c) => c.id === callId)
          .map((c) => c.event),
      ]);
    expect(order).toEqual(['RINGING', 'connect', 'ACCEPTED']);

    await waitFor(() => peer.stats().receivedMs > 1200, { what: 'audio from the user' });
    const call = await h.client.waitForCall(callId, (c) => c.media.receivedMs > 1200);
    expect(Math.abs((peer.stats().dominantFrequencyHz ?? 0) - 440)).toBeLessThan(3);
    expect(Math.abs((call.media.dominantFrequencyHz ?? 0) - 660)).toBeLessThan(3);

    expect((await h.graph.calls({ call_id: callId, action: 'terminate' })).status).toBe(200);
    const terminate = await h.receiver.waitForCallEvent('terminate', callId);
    expect(terminate).toMatchObject({
      status: 'COMPLETED',
      direction: 'BUSINESS_INITIATED',
      biz_opaque_callback_data: 'CA0123',
    });
    expect(terminate.start_time).toBeDefined();

    const permissions = await h.graph.get(`/call_permissions?user_wa_id=${USER}`);
    expect(permissions.json).toMatchObject({
      permission: { status: 'temporary' },
      actions: [
        {
          action_name: 'send_call_permission_request',
          can_perform_action: false,
          limits: [
            { time_period: 'PT24H', max_allowed: 1, current_usage: 1 },
            { time_period: 'P7D', max_allowed: 2, current_usage: 1 },
          ],
        },
        {
          action_name: 'start_call',
          can_perform_action: true,
          limits: [{ time_period: 'PT24H', max_allowed: 5, current_usage: 1 }],
        },
      ],
    });
  });

  it('limits permission requests to 1 per 24 h and 2 per 7 days (138009), crossing time with the clock', async () => {
    await h.client.setBehaviour(USER, { permissionReply: 'none' });
    expect((await requestPermission()).status).toBe(200);
    const second = await requestPermission();
    expect(graphError(second)).toMatchObject({ code: 138009 });
    await h.client.advanceClock('25h');
    expect((await requestPermission()).status).toBe(200);
    await h.client.advanceClock('25h');
    expect(graphError(await requestPermission()).code).toBe(138009);
    // The first request leaves the 7-day window 7 days after it was sent.
    await h.client.advanceClock('5d');
    expect((await requestPermission()).status).toBe(200);
    const requests = await h.client.listGraphRequests({ edge: 'messages' });
    expect(requests.map((r) => r.errorCode)).toEqual([null, 138009, null, 138009, null]);
  });

  it('a temporary permission lasts 7 days; a permanent one does not expire', async () => {
    const peer = await h.businessPeer();
    const offer = await peer.createOffer();
    await h.client.grantPermission(USER, h.business.phoneNumberId, { permanent: false });
    await h.client.setBehaviour(USER, { onIncomingCall: 'reject', answerAfterMs: 50 });
    expect((await connect(offer)).status).toBe(200);
    await h.receiver.waitForCallEvent('terminate');
    await h.client.advanceClock('7d1m');
    expect(graphError(await connect(offer)).code).toBe(138006);

    await h.client.grantPermission(USER, h.business.phoneNumberId, { permanent: true });
    await h.client.advanceClock('30d');
    const placed = await connect(offer);
    expect(placed.status).toBe(200);
    const reply = h.receiver
      .messages()
      .filter((m) => m.type === 'interactive')
      .at(-1) as {
      interactive: { call_permission_reply: Record<string, unknown> };
    };
    expect(reply.interactive.call_permission_reply).toEqual({
      response: 'accept',
      is_permanent: true,
      response_source: 'user_action',
    });
  });

  it('a user who rejects gives REJECTED then terminate without start_time', async () => {
    await h.client.grantPermission(USER, h.business.phoneNumberId);
    await h.client.setBehaviour(USER, { onIncomingCall: 'reject', answerAfterMs: 50 });
    const peer = await h.businessPeer();
    const placed = await connect(await peer.createOffer());
    const callId = (placed.json.calls as Array<{ id: string }>)[0]?.id ?? '';
    await h.receiver.waitForStatus('REJECTED', callId);
    const terminate = await h.receiver.waitForCallEvent('terminate', callId);
    expect(terminate).not.toHaveProperty('start_time');
    expect((await h.client.getCall(callId)).endReason).toBe('user_reject');
  });

  it('revokes the permission after 4 consecutive unanswered calls', async () => {
    await h.close();
    h = await startHarness({ ringTimeoutMs: 150 });
    await h.client.createUser({ waId: USER, behaviour: { onIncomingCall: 'ignore' } });
    await h.client.grantPermission(USER, h.business.phoneNumberId);
    const peer = await h.businessPeer();
    const offer = await peer.createOffer();
    for (let i = 0; i < 4; i += 1) {
      const placed = await connect(offer);
      expect(placed.status).toBe(200);
      const callId = (placed.json.calls as Array<{ id: string }>)[0]?.id ?? '';
      const terminate = await h.receiver.waitForCallEvent('terminate', callId);
      expect(terminate).not.toHaveProperty('start_time');
    }
    expect((await h.client.getPermission(USER, h.business.phoneNumberId)).permission).toMatchObject(
      {
        status: 'no_permission',
        lastResponse: 'revoked',
      },
    );
    expect(graphError(await connect(offer)).code).toBe(138006);
  });

  it('limits connected calls per user per 24 h, refuses duplicates and enforces the concurrency limit', async () => {
    await h.close();
    h = await startHarness({
      limits: { connectedCallsPer24h: 1 },
      maxConcurrentCallsPerBusiness: 1,
    });
    await h.client.createUser({ waId: USER, behaviour: { answerAfterMs: 50 } });
    await h.client.createUser({ waId: '15550100003', behaviour: { onIncomingCall: 'ignore' } });
    await h.client.grantPermission(USER, h.business.phoneNumberId, { permanent: true });
    await h.client.grantPermission('15550100003', h.business.phoneNumberId, { permanent: true });
    const peer = await h.businessPeer();
    const offer = await peer.createOffer();
    const first = await connect(offer);
    const callId = (first.json.calls as Array<{ id: string }>)[0]?.id ?? '';
    expect(graphError(await connect(offer)).code).toBe(138003);
    const other = await h.graph.calls({
      to: '15550100003',
      action: 'connect',
      session: { sdp_type: 'offer', sdp: offer },
    });
    expect(graphError(other).code).toBe(138002);
    await h.receiver.waitForCallEvent('connect', callId);
    await h.graph.calls({ call_id: callId, action: 'terminate' });
    await h.receiver.waitForCallEvent('terminate', callId);
    expect(graphError(await connect(offer)).code).toBe(138012);
    await h.client.advanceClock('24h1s');
    expect((await connect(offer)).status).toBe(200);
  });

  it('grants permission when a user calls a business with callback permission enabled', async () => {
    const settings = await h.graph.post('settings', {
      calling: { callback_permission_status: 'ENABLED' },
    });
    expect(settings.json).toEqual({ success: true });
    const { callId } = await h.client.userCall(USER, h.business.phoneNumberId);
    await h.receiver.waitForCallEvent('connect', callId);
    const reply = await waitFor(() => h.receiver.messages().find((m) => m.type === 'interactive'));
    expect(reply).toMatchObject({
      interactive: {
        call_permission_reply: {
          response: 'accept',
          is_permanent: false,
          response_source: 'automatic',
        },
      },
    });
    await h.graph.calls({ call_id: callId, action: 'reject' });
    await h.receiver.waitForCallEvent('terminate', callId);
    const peer = await h.businessPeer();
    expect((await connect(await peer.createOffer())).status).toBe(200);
  });

  it('a business offer that is ICE-lite ends FAILED 138021 after the user answers', async () => {
    await h.close();
    h = await startHarness({ mediaTimeoutMs: 1500 });
    await h.client.createUser({ waId: USER, behaviour: { answerAfterMs: 50 } });
    await h.client.grantPermission(USER, h.business.phoneNumberId);
    const peer = await h.businessPeer({ iceLite: true });
    const placed = await connect(await peer.createOffer());
    const callId = (placed.json.calls as Array<{ id: string }>)[0]?.id ?? '';
    const connected = await h.receiver.waitForCallEvent('connect', callId);
    await peer.applyAnswer((connected.session as { sdp: string }).sdp);
    const terminate = await h.receiver.waitForCallEvent('terminate', callId, 8000);
    expect(terminate).toMatchObject({
      status: 'FAILED',
      errors: [expect.objectContaining({ code: 138021 })],
    });
    expect((await h.client.getCall(callId)).mediaDefects).toContain('ice-lite');
  });
});
