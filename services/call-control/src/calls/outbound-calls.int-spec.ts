import {
  type Harness,
  provisionTenant,
  publishedStatusEvents,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';

describe('outbound (business-initiated) WhatsApp calls through the REST API', () => {
  let h: Harness;
  let t: Tenant;
  let userSeq = 0;
  const calls = () => `/2010-04-01/Accounts/${t.account.sid}/Calls.json`;
  const call = (sid: string) => `/2010-04-01/Accounts/${t.account.sid}/Calls/${sid}.json`;

  /** A WhatsApp user at the simulator who granted this business permission. */
  const newUser = async (behaviour: Record<string, unknown> = {}, grant = true) => {
    userSeq += 1;
    const waId = `447700900${String(100 + userSeq)}`;
    await h.simClient.createUser({ waId, name: `User ${userSeq}`, behaviour });
    if (grant) await h.simClient.grantPermission(waId, t.business.phoneNumberId);
    return waId;
  };
  const statusOf = async (sid: string) => (await t.rest.get(call(sid))).body.status;
  const waitStatus = (sid: string, status: string) =>
    waitFor(
      async () => ((await statusOf(sid)) === status ? true : undefined),
      `call ${sid} to be ${status}`,
    );
  /** The user's call at the simulator once it ended (Meta may hear of it after Parley's end). */
  const endedAtMeta = (waId: string) =>
    waitFor(async () => {
      const [sim] = await h.simClient.listCalls({ waId });
      return sim?.status === 'ended' ? sim : undefined;
    }, `the call of ${waId} to end at Meta`);
  const connectsTo = async (waId: string) =>
    (await h.simClient.listGraphRequests()).filter(
      (r) =>
        (r.body as { action?: string; to?: string } | null)?.action === 'connect' &&
        (r.body as { to?: string }).to === waId,
    );

  beforeAll(async () => {
    h = await startHarness('outbound', { env: { WHATSAPP_NUMBER_CHECK: 'possible' } });
    t = await provisionTenant(h);
  });

  afterAll(async () => {
    await h.close();
  });

  it('goes queued -> initiated -> ringing -> in-progress -> completed, runs Url at the answer and records the durations', async () => {
    const waId = await newUser({
      onIncomingCall: 'answer',
      answerAfterMs: 300,
      hangupAfterMs: 1_500,
    });
    const created = await t.rest.post(calls(), {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      Url: 'https://example.com/outbound.xml',
      Method: 'GET',
      StatusCallback: 'https://example.com/status',
      StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'queued',
      direction: 'outbound-api',
      from: t.senderId,
      to: `whatsapp:+${waId}`,
      api_version: '2010-04-01',
      parent_call_sid: null,
      uri: `/2010-04-01/Accounts/${t.account.sid}/Calls/${String(created.body.sid)}.json`,
    });
    const sid = String(created.body.sid);
    expect(h.peers.consentQuestions.at(-1)).toEqual({
      accountSid: t.account.sid,
      senderSid: t.senderSid,
      business: t.senderId,
      user: `whatsapp:+${waId}`,
      // The check holds one of the user's call slots for this very call.
      callSid: sid,
    });

    const session = await waitFor(
      () => h.peers.sessions.find((s) => s.callSid === sid),
      'the TwiML session at the answer',
    );
    expect(session.document).toEqual({
      kind: 'url',
      url: 'https://example.com/outbound.xml',
      method: 'GET',
      fallbackUrl: null,
      fallbackMethod: 'POST',
    });
    expect(session.parameters).toMatchObject({
      CallSid: sid,
      CallStatus: 'in-progress',
      Direction: 'outbound-api',
      From: t.senderId,
      To: `whatsapp:+${waId}`,
    });

    const [connect] = await connectsTo(waId);
    expect(connect?.body).toMatchObject({
      messaging_product: 'whatsapp',
      action: 'connect',
      biz_opaque_callback_data: sid,
      session: { sdp_type: 'offer' },
    });

    await waitStatus(sid, 'completed');
    const done = (await t.rest.get(call(sid))).body;
    expect(Number(done.duration)).toBeGreaterThanOrEqual(1);
    expect(done.start_time).not.toBeNull();
    expect(done.end_time).not.toBeNull();
    const events = await waitFor(async () => {
      const e = await publishedStatusEvents(h.bus, sid);
      return e.length === 5 ? e : undefined;
    }, 'all five status events');
    expect(events.map((e) => e.payload.status)).toEqual([
      'queued',
      'initiated',
      'ringing',
      'in-progress',
      'completed',
    ]);
    expect(events.map((e) => e.payload.sequence)).toEqual([0, 1, 2, 3, 4]);
    expect(events[4]?.payload).toMatchObject({
      durationSec: Number(done.duration),
      statusCallback: {
        url: 'https://example.com/status',
        method: 'POST',
        events: ['initiated', 'ringing', 'answered', 'completed'],
      },
    });
    await waitFor(() => h.peers.closedLegs.includes(sid), 'the leg to be closed');
  });

  it('ends busy when the user rejects', async () => {
    const waId = await newUser({ onIncomingCall: 'reject', answerAfterMs: 200 });
    const created = await t.rest.post(calls(), {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      Twiml: '<Response><Say>Hi</Say></Response>',
    });
    expect(created.status).toBe(201);
    await waitStatus(String(created.body.sid), 'busy');
    expect(h.peers.sessions.some((s) => s.callSid === created.body.sid)).toBe(false);
  });

  it('ends no-answer after Timeout, and ends the call at Meta', async () => {
    const waId = await newUser({ onIncomingCall: 'ignore' });
    const created = await t.rest.post(calls(), {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      Url: 'https://example.com/x',
      Timeout: '2',
    });
    const sid = String(created.body.sid);
    await waitStatus(sid, 'ringing');
    await waitStatus(sid, 'no-answer');
    expect((await endedAtMeta(waId)).endReason).toBe('business_terminate');
    const body = (await t.rest.get(call(sid))).body;
    expect(body.duration).toBe('0');
  });

  it('ends a call at its TimeLimit (terminate at Meta, completed)', async () => {
    const waId = await newUser({ onIncomingCall: 'answer', answerAfterMs: 100 });
    const created = await t.rest.post(calls(), {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      Url: 'https://example.com/x',
      TimeLimit: '2',
    });
    const sid = String(created.body.sid);
    await waitStatus(sid, 'in-progress');
    await waitStatus(sid, 'completed');
    expect((await endedAtMeta(waId)).endReason).toBe('business_terminate');
  });

  it('redirects a call in progress and ends it with Status=completed; cancels a ringing one', async () => {
    const a = await newUser({ onIncomingCall: 'answer', answerAfterMs: 100 });
    const first = await t.rest.post(calls(), {
      To: `whatsapp:+${a}`,
      From: t.senderId,
      Url: 'https://example.com/first',
    });
    const sid = String(first.body.sid);
    await waitStatus(sid, 'in-progress');
    const redirected = await t.rest.post(call(sid), {
      Url: 'https://example.com/second',
      Method: 'POST',
    });
    expect(redirected.status).toBe(200);
    expect(h.peers.redirects.at(-1)).toMatchObject({
      callSid: sid,
      document: { kind: 'url', url: 'https://example.com/second' },
    });
    const completed = await t.rest.post(call(sid), { Status: 'completed' });
    expect(completed.body.status).toBe('completed');
    expect(await t.rest.post(call(sid), { Url: 'https://example.com/third' })).toMatchObject({
      status: 400,
      body: { code: 21220 },
    });

    const b = await newUser({ onIncomingCall: 'ignore' });
    const second = await t.rest.post(calls(), {
      To: `whatsapp:+${b}`,
      From: t.senderId,
      Url: 'https://example.com/first',
    });
    const sid2 = String(second.body.sid);
    await waitStatus(sid2, 'ringing');
    const canceled = await t.rest.post(call(sid2), { Status: 'canceled' });
    expect(canceled.body.status).toBe('canceled');
    await endedAtMeta(b);
  });

  it('refuses without permission: the Twilio error, and nothing is sent to Meta', async () => {
    const waId = await newUser({}, false);
    h.peers.consent = (q) =>
      q.user === `whatsapp:+${waId}`
        ? { allowed: false, errorCode: 37000, reason: `${q.user} has not granted call permission` }
        : { allowed: true, errorCode: null, reason: null };
    try {
      const refused = await t.rest.post(calls(), {
        To: `whatsapp:+${waId}`,
        From: t.senderId,
        Url: 'https://example.com/x',
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({
        code: 37000,
        message: `whatsapp:+${waId} has not granted call permission`,
        more_info: 'https://www.twilio.com/docs/errors/37000',
        status: 400,
      });
      const list = await t.rest.get(`${calls()}?To=${encodeURIComponent(`whatsapp:+${waId}`)}`);
      expect(list.body.calls).toEqual([]);
      expect(await connectsTo(waId)).toEqual([]);
    } finally {
      h.peers.consent = () => ({ allowed: true, errorCode: null, reason: null });
    }
  });

  it('fails closed when consent cannot be asked', async () => {
    const waId = await newUser();
    h.peers.stopConsent();
    try {
      const refused = await t.rest.post(calls(), {
        To: `whatsapp:+${waId}`,
        From: t.senderId,
        Url: 'https://example.com/x',
      });
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe(20503);
      expect(String(refused.body.message)).toMatch(
        /consent service is not running.*no call was placed/,
      );
      expect(await connectsTo(waId)).toEqual([]);
    } finally {
      h.peers.serveConsent();
    }
  });

  it('reports what Meta refuses as the Twilio code and fails the call (138006 -> 37000)', async () => {
    // Consent said yes but Meta has no permission on record: the connect fails.
    const waId = await newUser({}, false);
    const created = await t.rest.post(calls(), {
      To: `whatsapp:+${waId}`,
      From: t.senderId,
      Url: 'https://example.com/x',
    });
    const sid = String(created.body.sid);
    await waitStatus(sid, 'failed');
    const events = await waitFor(async () => {
      const e = await publishedStatusEvents(h.bus, sid);
      return e.length === 2 ? e : undefined;
    }, 'the failed event');
    expect(events[1]?.payload.errorCode).toBe(37000);
  });

  it.each([
    [{ From: 'whatsapp:+14155550000', Url: 'https://x.test/' }, 400, 21201],
    [{ To: 'whatsapp:+447700900999', Url: 'https://x.test/' }, 400, 21213],
    [{ To: 'whatsapp:+447700900999', From: '+14155550000', Url: 'https://x.test/' }, 400, 21212],
    [
      { To: 'whatsapp:+447700900999', From: 'whatsapp:+14155550000', Url: 'https://x.test/' },
      400,
      21210,
    ],
    [{ To: '+447700900999', From: 'SENDER', Url: 'https://x.test/' }, 400, 21211],
    [{ To: 'whatsapp:12', From: 'SENDER', Url: 'https://x.test/' }, 400, 21211],
    [{ To: 'whatsapp:+447700900999', From: 'SENDER', Url: 'ftp://x.test/' }, 400, 21205],
    [{ To: 'whatsapp:+447700900999', From: 'SENDER' }, 400, 21205],
    [
      { To: 'whatsapp:+447700900999', From: 'SENDER', Url: 'https://x.test/', Timeout: '0' },
      400,
      20001,
    ],
    [
      {
        To: 'whatsapp:+447700900999',
        From: 'SENDER',
        Url: 'https://x.test/',
        StatusCallbackEvent: 'exploded',
      },
      400,
      20001,
    ],
    [
      {
        To: 'whatsapp:+447700900999',
        From: 'SENDER',
        ApplicationSid: 'AP00000000000000000000000000000000',
      },
      400,
      20404,
    ],
  ])('rejects %j with HTTP %i and code %i', async (form, status, code) => {
    const body = Object.fromEntries(
      Object.entries(form).map(([k, v]) => [k, v === 'SENDER' ? t.senderId : v]),
    );
    const res = await t.rest.post(calls(), body);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({
      code,
      status,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
    });
    expect(typeof res.body.message).toBe('string');
  });

  it('never bridges WhatsApp to PSTN: a plain number as To is refused with a clear error', async () => {
    const res = await t.rest.post(calls(), {
      To: '+14155551234',
      From: t.senderId,
      Url: 'https://x.test/',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(21211);
    expect(String(res.body.message)).toMatch(/cannot be connected to PSTN/);
  });

  it('refuses an unknown RecordingStatusCallbackEvent and creates no call', async () => {
    const before = await t.rest.get(calls());
    const res = await t.rest.post(calls(), {
      To: 'whatsapp:+447700900556',
      From: t.senderId,
      Url: 'https://x.test/',
      Record: 'true',
      RecordingStatusCallback: 'https://x.test/rec',
      RecordingStatusCallbackEvent: 'completed paused',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(20001);
    expect(String(res.body.message)).toMatch(/RecordingStatusCallbackEvent must be among/);
    const after = await t.rest.get(calls());
    expect((after.body.calls as unknown[]).length).toBe((before.body.calls as unknown[]).length);
  });

  it('refuses a sender without a voice application (37008)', async () => {
    const bare = await provisionTenant(h, { withApplication: false });
    const res = await bare.rest.post(`/2010-04-01/Accounts/${bare.account.sid}/Calls.json`, {
      To: 'whatsapp:+447700900555',
      From: bare.senderId,
      Url: 'https://x.test/',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(37008);
  });

  it('lists calls with filters and paging', async () => {
    const list = await t.rest.get(`${calls()}?PageSize=2&Status=completed`);
    expect(list.status).toBe(200);
    const page = list.body as {
      calls: { status: string }[];
      next_page_uri: string | null;
      page_size: number;
    };
    expect(page.page_size).toBe(2);
    expect(page.calls.every((c) => c.status === 'completed')).toBe(true);
    expect(page.calls.length).toBe(2);
    expect(page.next_page_uri).toContain('Status=completed');
    const next = await t.rest.get(page.next_page_uri ?? '');
    expect((next.body.calls as unknown[]).length).toBeGreaterThanOrEqual(0);
    expect(next.body.previous_page_uri).not.toBeNull();
    const bad = await t.rest.get(`${calls()}?StartTime%3E=yesterday`);
    expect(bad.body.code).toBe(20001);
    // `initiated` is a status-callback event, not a status of Twilio's Call resource.
    const initiated = await t.rest.get(`${calls()}?Status=initiated`);
    expect(initiated.status).toBe(400);
    expect(initiated.body.code).toBe(20001);
    const queued = await t.rest.get(`${calls()}?Status=queued`);
    expect(queued.status).toBe(200);
  });

  it('serves <Dial><WhatsApp> children over NATS (outbound-dial with parent_call_sid)', async () => {
    const parentUser = await newUser({ onIncomingCall: 'answer', answerAfterMs: 100 });
    const parent = await t.rest.post(calls(), {
      To: `whatsapp:+${parentUser}`,
      From: t.senderId,
      Url: 'https://example.com/dial',
    });
    const parentSid = String(parent.body.sid);
    await waitStatus(parentSid, 'in-progress');
    const childUser = await newUser({ onIncomingCall: 'answer', answerAfterMs: 200 });
    const reply = await h.bus.request(
      'calls.v1.call.dial',
      {
        accountSid: t.account.sid,
        parentCallSid: parentSid,
        from: t.senderId,
        to: `whatsapp:+${childUser}`,
        timeoutSec: 30,
        timeLimitSec: 600,
        statusCallback: null,
      },
      { timeoutMs: 10_000 },
    );
    // Meta's RINGING may already have been handled when the command answers.
    expect(['initiated', 'ringing']).toContain(reply.status);
    await waitStatus(reply.callSid, 'in-progress');
    const child = (await t.rest.get(call(reply.callSid))).body;
    expect(child).toMatchObject({ direction: 'outbound-dial', parent_call_sid: parentSid });
    // The interpreter bridges a child; it does not get a session of its own.
    expect(h.peers.sessions.some((s) => s.callSid === reply.callSid)).toBe(false);
    const children = await t.rest.get(`${calls()}?ParentCallSid=${parentSid}`);
    expect((children.body.calls as { sid: string }[]).map((c) => c.sid)).toEqual([reply.callSid]);
    await h.bus.request('calls.v1.call.hangup', { callSid: reply.callSid }, { timeoutMs: 10_000 });
    await h.bus.request('calls.v1.call.hangup', { callSid: parentSid }, { timeoutMs: 10_000 });
    await waitStatus(parentSid, 'completed');
    await expect(
      h.bus.request(
        'calls.v1.call.dial',
        {
          accountSid: t.account.sid,
          parentCallSid: parentSid,
          from: t.senderId,
          to: `whatsapp:+${childUser}`,
          timeoutSec: 30,
          timeLimitSec: 600,
          statusCallback: null,
        },
        { timeoutMs: 10_000 },
      ),
    ).rejects.toMatchObject({ code: 21220 });
  });

  it('ends a ringing <Dial> child with its parent: canceled, and Meta stops ringing the user', async () => {
    const parentUser = await newUser({ onIncomingCall: 'answer', answerAfterMs: 100 });
    const parent = await t.rest.post(calls(), {
      To: `whatsapp:+${parentUser}`,
      From: t.senderId,
      Url: 'https://example.com/dial',
    });
    const parentSid = String(parent.body.sid);
    await waitStatus(parentSid, 'in-progress');
    const childUser = await newUser({ onIncomingCall: 'ignore' });
    const reply = await h.bus.request(
      'calls.v1.call.dial',
      {
        accountSid: t.account.sid,
        parentCallSid: parentSid,
        from: t.senderId,
        to: `whatsapp:+${childUser}`,
        timeoutSec: 60,
        timeLimitSec: 600,
        statusCallback: null,
      },
      { timeoutMs: 10_000 },
    );
    await waitStatus(reply.callSid, 'ringing');
    // The parent ends without anyone hanging up the child (as when the interpreter is gone).
    await t.rest.post(call(parentSid), { Status: 'completed' });
    await waitStatus(reply.callSid, 'canceled');
    const atMeta = await endedAtMeta(childUser);
    expect(atMeta.answeredAt).toBeNull();
  });

  it("shows a call Meta is placing as `queued`, Twilio's REST status, not the internal `initiated`", async () => {
    // A business whose webhooks go nowhere: Meta's RINGING never arrives, the call stays initiated.
    const quiet = await provisionTenant(h);
    await h.simClient.updateBusiness(quiet.business.phoneNumberId, {
      webhookUrl: 'http://127.0.0.1:9/meta/webhooks',
    });
    const waId = await newUser({ onIncomingCall: 'ignore' }, false);
    await h.simClient.grantPermission(waId, quiet.business.phoneNumberId);
    const created = await quiet.rest.post(`/2010-04-01/Accounts/${quiet.account.sid}/Calls.json`, {
      To: `whatsapp:+${waId}`,
      From: quiet.senderId,
      Url: 'https://example.com/outbound.xml',
    });
    expect(created.status).toBe(201);
    const sid = String(created.body.sid);
    const path = `/2010-04-01/Accounts/${quiet.account.sid}/Calls`;
    await waitFor(async () => {
      const [row] = await h.query<{ status: string }>(
        'SELECT status FROM call_control.calls WHERE sid = $1',
        [sid],
      );
      return row?.status === 'initiated' ? true : undefined;
    }, 'the call to be initiated (placed at Meta)');
    expect((await quiet.rest.get(`${path}/${sid}.json`)).body.status).toBe('queued');
    const queued = await quiet.rest.get(`${path}.json?Status=queued`);
    expect(queued.body.calls).toEqual([expect.objectContaining({ sid, status: 'queued' })]);
    const internal = await quiet.rest.get(`${path}.json?Status=initiated`);
    expect(internal.status).toBe(400);
    expect(internal.body.code).toBe(20001);
    await quiet.rest.post(`${path}/${sid}.json`, { Status: 'canceled' });
    await waitFor(
      async () =>
        (await quiet.rest.get(`${path}/${sid}.json`)).body.status === 'canceled' ? true : undefined,
      'the call to be canceled',
    );
  });
});
