import {
  type Harness,
  provisionTenant,
  publishedStatusEvents,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';

describe('inbound (user-initiated) WhatsApp calls against the Meta simulator', () => {
  let h: Harness;
  let t: Tenant;
  let userSeq = 0;
  const newUser = async (name = 'Test User') => {
    userSeq += 1;
    const waId = `55249876543${String(10 + userSeq)}`;
    await h.simClient.createUser({ waId, name });
    return waId;
  };

  beforeAll(async () => {
    h = await startHarness('inbound');
    t = await provisionTenant(h);
  });

  afterAll(async () => {
    await h.close();
  });

  it('hands the call to the interpreter with Twilio parameters, accepts it, and completes it when the user hangs up', async () => {
    const waId = await newUser('Maria Silva');
    const { callId } = await h.simClient.userCall(waId, t.business.phoneNumberId);

    const session = await waitFor(
      () => h.peers.sessions.find((s) => s.parameters.From === `whatsapp:+${waId}`),
      'the interpreter session',
    );
    expect(session.accountSid).toBe(t.account.sid);
    expect(session.applicationSid).toBe(t.applicationSid);
    expect(session.document).toEqual({
      kind: 'url',
      url: 'https://example.com/voice',
      method: 'POST',
      fallbackUrl: null,
      fallbackMethod: 'POST',
    });
    expect(session.parameters).toMatchObject({
      CallSid: session.callSid,
      AccountSid: t.account.sid,
      From: `whatsapp:+${waId}`,
      To: t.senderId,
      Caller: `whatsapp:+${waId}`,
      Called: t.senderId,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
      CallerName: 'Maria Silva',
      ProfileName: 'Maria Silva',
      WaId: waId,
      FromCountry: 'BR',
      ToCountry: 'US',
    });
    // Meta got pre_accept with media's answer before the interpreter got the call.
    const sim = await h.simClient.getCall(callId);
    expect(sim.status).toBe('pre_accepted');
    expect(sim.mediaDefects).toEqual([]);

    const rest = await t.rest.get(
      `/2010-04-01/Accounts/${t.account.sid}/Calls/${session.callSid}.json`,
    );
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({
      status: 'ringing',
      direction: 'inbound',
      from: `whatsapp:+${waId}`,
      to: t.senderId,
      caller_name: 'Maria Silva',
      phone_number_sid: t.senderSid,
    });

    // The interpreter's first verb that needs the line open.
    const accepted = await h.bus.request(
      'calls.v1.call.accept',
      { callSid: session.callSid },
      { timeoutMs: 10_000 },
    );
    expect(accepted).toEqual({ callSid: session.callSid, status: 'in-progress' });
    await h.simClient.waitForCall(callId, (c) => c.status === 'accepted');
    // Accepting twice is harmless.
    await expect(
      h.bus.request('calls.v1.call.accept', { callSid: session.callSid }, { timeoutMs: 10_000 }),
    ).resolves.toEqual({ callSid: session.callSid, status: 'in-progress' });

    await h.simClient.userHangup(callId);
    const done = await waitFor(async () => {
      const r = await t.rest.get(
        `/2010-04-01/Accounts/${t.account.sid}/Calls/${session.callSid}.json`,
      );
      return r.body.status === 'completed' ? r.body : undefined;
    }, 'the call to complete');
    expect(done.start_time).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(done.end_time).not.toBeNull();
    expect(Number(done.duration)).toBeGreaterThanOrEqual(0);
    await waitFor(() => h.peers.closedLegs.includes(session.callSid), 'the media leg to be closed');

    const events = await waitFor(async () => {
      const e = await publishedStatusEvents(h.bus, session.callSid);
      return e.length === 3 ? e : undefined;
    }, 'three published status events');
    expect(
      events.map((e) => [e.payload.status, e.payload.previousStatus, e.payload.sequence, e.msgId]),
    ).toEqual([
      ['ringing', null, 0, `${session.callSid}:0`],
      ['in-progress', 'ringing', 1, `${session.callSid}:1`],
      ['completed', 'in-progress', 2, `${session.callSid}:2`],
    ]);
    expect(events[2]?.payload.durationSec).toBe(Number(done.duration));

    // The leg's close is written to the timeline after media answered it: wait for it.
    const names = await waitFor(async () => {
      const timeline = await t.rest.get(
        `/2010-04-01/Accounts/${t.account.sid}/Calls/${session.callSid}/Timeline.json`,
      );
      const all = (timeline.body.events as { type: string; name: string }[]).map(
        (e) => `${e.type}:${e.name}`,
      );
      return all.includes('media:leg.close') ? all : undefined;
    }, 'the leg close on the timeline');
    expect(names).toEqual(
      expect.arrayContaining([
        'status:ringing',
        'webhook:connect',
        'media:leg.answer',
        'graph:pre_accept',
        'interpreter:session.start',
        'graph:accept',
        'status:in-progress',
        'webhook:terminate',
        'status:completed',
        'media:leg.close',
      ]),
    );
    expect(names.indexOf('graph:pre_accept')).toBeLessThan(
      names.indexOf('interpreter:session.start'),
    );
  });

  it('hangs up on <Hangup> (terminate at Meta) and rejects on <Reject> (busy)', async () => {
    const a = await newUser();
    const first = await h.simClient.userCall(a, t.business.phoneNumberId);
    const s1 = await waitFor(
      () => h.peers.sessions.find((s) => s.parameters.From === `whatsapp:+${a}`),
      'session 1',
    );
    await h.bus.request('calls.v1.call.accept', { callSid: s1.callSid }, { timeoutMs: 10_000 });
    const hung = await h.bus.request(
      'calls.v1.call.hangup',
      { callSid: s1.callSid },
      { timeoutMs: 10_000 },
    );
    expect(hung).toEqual({ callSid: s1.callSid, status: 'completed' });
    const ended = await h.simClient.waitForCall(first.callId, (c) => c.status === 'ended');
    expect(ended.endReason).toBe('business_terminate');

    const b = await newUser();
    const second = await h.simClient.userCall(b, t.business.phoneNumberId);
    const s2 = await waitFor(
      () => h.peers.sessions.find((s) => s.parameters.From === `whatsapp:+${b}`),
      'session 2',
    );
    const rejected = await h.bus.request(
      'calls.v1.call.reject',
      { callSid: s2.callSid, reason: 'busy' },
      { timeoutMs: 10_000 },
    );
    expect(rejected).toEqual({ callSid: s2.callSid, status: 'busy' });
    expect(
      (await h.simClient.waitForCall(second.callId, (c) => c.status === 'ended')).endReason,
    ).toBe('business_reject');
    // The terminate webhook that follows changes nothing.
    await h.simClient.waitForWebhookDeliveries(
      { callId: second.callId, kind: 'calls.terminate', state: 'delivered' },
      1,
    );
    const call = await t.rest.get(`/2010-04-01/Accounts/${t.account.sid}/Calls/${s2.callSid}.json`);
    expect(call.body.status).toBe('busy');
    // Accepting an ended call is refused with 21220.
    await expect(
      h.bus.request('calls.v1.call.accept', { callSid: s2.callSid }, { timeoutMs: 10_000 }),
    ).rejects.toMatchObject({ code: 21220 });
  });

  it('rejects at Meta, with 37009 on the call, when the sender has no voice application', async () => {
    const bare = await provisionTenant(h, { withApplication: false });
    const waId = await newUser();
    // Calling stays enabled at Meta (the business enabled it there) but Parley has no app.
    const { callId } = await h.simClient.userCall(waId, bare.business.phoneNumberId);
    const ended = await h.simClient.waitForCall(callId, (c) => c.status === 'ended');
    expect(ended.endReason).toBe('business_reject');
    // Meta may hear the reject before the call's end is committed: wait for the end state.
    const calls = await waitFor(async () => {
      const list = await bare.rest.get(
        `/2010-04-01/Accounts/${bare.account.sid}/Calls.json?From=${encodeURIComponent(`whatsapp:+${waId}`)}`,
      );
      const found = list.body.calls as { sid: string; status: string }[];
      return found.length && found.every((c) => c.status !== 'ringing') ? found : undefined;
    }, 'the refused call to end');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.status).toBe('failed');
    expect(h.peers.sessions.some((s) => s.parameters.From === `whatsapp:+${waId}`)).toBe(false);
    const events = await bare.rest.get(
      `/2010-04-01/Accounts/${bare.account.sid}/Calls/${calls[0]?.sid}/Timeline.json`,
    );
    const failed = (events.body.events as { name: string; detail: Record<string, unknown> }[]).find(
      (e) => e.name === 'failed',
    );
    expect(failed?.detail.reason).toBe('refused');
    const published = await waitFor(async () => {
      const e = await publishedStatusEvents(h.bus, calls[0]?.sid ?? '');
      return e.length === 2 ? e : undefined;
    }, 'the failed status event');
    expect(published[1]?.payload.errorCode).toBe(37009);
  });

  it('ends an unanswered inbound call as no-answer when the user gives up', async () => {
    const waId = await newUser();
    const { callId } = await h.simClient.userCall(waId, t.business.phoneNumberId);
    const session = await waitFor(
      () => h.peers.sessions.find((s) => s.parameters.From === `whatsapp:+${waId}`),
      'the session',
    );
    await h.simClient.userHangup(callId);
    const call = await waitFor(async () => {
      const r = await t.rest.get(
        `/2010-04-01/Accounts/${t.account.sid}/Calls/${session.callSid}.json`,
      );
      return r.body.status !== 'ringing' ? r.body : undefined;
    }, 'the call to end');
    expect(call.status).toBe('no-answer');
    expect(call.duration).toBe('0');
    expect(call.start_time).toBeNull();
  });
});
