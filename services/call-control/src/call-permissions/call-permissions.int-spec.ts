import {
  type Harness,
  provisionTenant,
  publishedStatusEvents,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';

/**
 * call-control's side of the consent ledger: the REST read of a user's permission, the
 * check that holds a slot for its call (and gives it back when the call cannot be
 * created), Meta's second opinion, and the sender's callback permission carried to consent.
 */
describe('call permissions in call-control', () => {
  let h: Harness;
  let t: Tenant;
  let userSeq = 0;
  const newUser = async (behaviour: Record<string, unknown> = {}) => {
    userSeq += 1;
    const waId = `447700901${String(100 + userSeq)}`;
    await h.simClient.createUser({ waId, name: `User ${userSeq}`, behaviour });
    await h.simClient.grantPermission(waId, t.business.phoneNumberId);
    return waId;
  };
  const permissionPath = (to: string, from: string) =>
    `/2010-04-01/Accounts/${t.account.sid}/CallPermissions/${encodeURIComponent(to)}.json?From=${encodeURIComponent(from)}`;

  beforeAll(async () => {
    h = await startHarness('permissions', {
      env: {
        WHATSAPP_NUMBER_CHECK: 'possible',
        SENDER_MAX_CONCURRENT_CALLS: '1',
        CONSENT_META_SECOND_OPINION: 'true',
      },
    });
    t = await provisionTenant(h);
  });

  afterAll(async () => {
    await h.close();
  });

  it("answers GET CallPermissions/{To}.json with consent's state, in Twilio's style", async () => {
    h.peers.consentState = (q) => ({
      business: q.business,
      user: q.user,
      permission: 'temporary',
      permissionSource: 'user_action',
      grantedAt: '2026-12-01T10:00:00.000Z',
      expiresAt: '2026-12-08T10:00:00.000Z',
      consecutiveMissedCalls: 2,
      reprompt: true,
      calls: [{ window: 'PT24H', max: 5, used: 5, remaining: 0 }],
      requests: [
        { window: 'PT24H', max: 1, used: 0, remaining: 1 },
        { window: 'P7D', max: 2, used: 1, remaining: 1 },
      ],
      nextCall: {
        allowed: false,
        errorCode: 37006,
        reason: 'connected-calls-24h: 5 calls in the last 24 h (limit 5)',
      },
      nextRequest: { allowed: true, errorCode: null, reason: null },
    });
    const res = await t.rest.get(permissionPath('whatsapp:+447700900777', t.senderId));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      account_sid: t.account.sid,
      from: t.senderId,
      to: 'whatsapp:+447700900777',
      status: 'temporary',
      source: 'user_action',
      date_granted: 'Tue, 01 Dec 2026 10:00:00 +0000',
      date_expires: 'Tue, 08 Dec 2026 10:00:00 +0000',
      consecutive_missed_calls: 2,
      reprompt: true,
      calls: [{ window: 'PT24H', max: 5, used: 5, remaining: 0 }],
      permission_requests: [
        { window: 'PT24H', max: 1, used: 0, remaining: 1 },
        { window: 'P7D', max: 2, used: 1, remaining: 1 },
      ],
      next_call: {
        allowed: false,
        rule: 'connected-calls-24h',
        error_code: 37006,
        message: 'connected-calls-24h: 5 calls in the last 24 h (limit 5)',
      },
      next_permission_request: { allowed: true, rule: null, error_code: null, message: null },
      api_version: '2010-04-01',
      uri: `/2010-04-01/Accounts/${t.account.sid}/CallPermissions/whatsapp%3A%2B447700900777.json?From=${encodeURIComponent(t.senderId)}`,
    });
    expect(h.peers.consentStateQuestions.at(-1)).toEqual({
      accountSid: t.account.sid,
      business: t.senderId,
      user: 'whatsapp:+447700900777',
    });
    // A BSUID is a user address too.
    const bsuid = await t.rest.get(permissionPath('whatsapp:US.13491208655302741918', t.senderId));
    expect(bsuid.status).toBe(200);
    expect(bsuid.body.to).toBe('whatsapp:US.13491208655302741918');
  });

  it('refuses a From that is not a sender of the account, and a malformed To', async () => {
    const asked = h.peers.consentStateQuestions.length;
    const notOurs = await t.rest.get(
      permissionPath('whatsapp:+447700900777', 'whatsapp:+15550109999'),
    );
    expect(notOurs.status).toBe(400);
    expect(notOurs.body).toMatchObject({ code: 21210 });
    const badTo = await t.rest.get(permissionPath('whatsapp:447700900777', t.senderId));
    expect(badTo.body).toMatchObject({ code: 21211 });
    const noFrom = await t.rest.get(
      `/2010-04-01/Accounts/${t.account.sid}/CallPermissions/${encodeURIComponent('whatsapp:+447700900777')}.json`,
    );
    expect(noFrom.status).toBe(400);
    expect(h.peers.consentStateQuestions.length).toBe(asked);
  });

  it("keeps accounts apart: another account cannot read this account's permissions", async () => {
    const other = await h.createAccount('Other');
    const res = await h.rest(other).get(permissionPath('whatsapp:+447700900777', t.senderId));
    expect([401, 403, 404]).toContain(res.status);
    const own = await h
      .rest(other)
      .get(
        `/2010-04-01/Accounts/${other.sid}/CallPermissions/${encodeURIComponent('whatsapp:+447700900777')}.json?From=${encodeURIComponent(t.senderId)}`,
      );
    expect(own.body).toMatchObject({ code: 21210 });
  });

  it("passes Meta's own answer with the check, and gives the slot back when the call cannot be created", async () => {
    const ringing = await newUser({ onIncomingCall: 'ignore' });
    const first = await t.rest.post(`/2010-04-01/Accounts/${t.account.sid}/Calls.json`, {
      To: `whatsapp:+${ringing}`,
      From: t.senderId,
      Twiml: '<Response><Hangup/></Response>',
      Timeout: '60',
    });
    expect(first.status).toBe(201);
    expect(h.peers.consentQuestions.at(-1)).toMatchObject({
      callSid: first.body.sid,
      meta: { status: 'temporary', canStartCall: true },
    });
    // The sender's only concurrent-call slot is taken: the next call is refused after consent
    // reserved a slot for it, which call-control gives back.
    const second = await newUser();
    const refused = await t.rest.post(`/2010-04-01/Accounts/${t.account.sid}/Calls.json`, {
      To: `whatsapp:+${second}`,
      From: t.senderId,
      Twiml: '<Response><Hangup/></Response>',
    });
    expect(refused.body).toMatchObject({ code: 37004 });
    const checked = h.peers.consentQuestions.at(-1)!;
    expect(checked.user).toBe(`whatsapp:+${second}`);
    await waitFor(
      () => h.peers.consentReleases.find((r) => r.callSid === checked.callSid),
      'the release of the refused call',
    );
    await t.rest.post(
      `/2010-04-01/Accounts/${t.account.sid}/Calls/${String(first.body.sid)}.json`,
      {
        Status: 'canceled',
      },
    );
  });

  it('sets callback permission at Meta and tells consent on the events of calls users place', async () => {
    const updated = await t.rest.post(`/v2/Channels/Senders/${t.senderSid}`, {
      json: { configuration: { callback_permission_status: 'ENABLED' } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      configuration: { callback_permission_status: 'ENABLED' },
    });
    const business = await h.simClient.getBusiness(t.business.phoneNumberId);
    expect(business.calling.callback_permission_status).toBe('ENABLED');

    userSeq += 1;
    const caller = `447700902${String(100 + userSeq)}`;
    await h.simClient.createUser({ waId: caller });
    await h.simClient.userCall(caller, t.business.phoneNumberId);
    const session = await waitFor(
      () => h.peers.sessions.find((s) => s.parameters.From === `whatsapp:+${caller}`),
      'the inbound session',
    );
    const events = await waitFor(async () => {
      const all = await publishedStatusEvents(h.bus, session.callSid);
      return all.length > 0 && all;
    }, 'the inbound call status events');
    expect(events.every((e) => e.payload.callbackPermission === true)).toBe(true);
    expect(events[0]!.payload).toMatchObject({
      direction: 'inbound',
      metaCallId: expect.any(String) as unknown,
    });
  });
});
