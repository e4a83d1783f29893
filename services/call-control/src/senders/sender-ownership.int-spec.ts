import { signHubSignature } from '@parley/meta-graph';
import {
  type Harness,
  nextBusinessNumber,
  provisionTenant,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';

/**
 * A WhatsApp number belongs to whoever controls it at Meta: registering a sender proves
 * the access token reads that phone_number_id (Graph `GET /{phone-number-id}`), and a
 * webhook signed for one sender never reaches another sender's calls.
 */
describe('sender ownership', () => {
  let h: Harness;
  let a: Tenant;

  beforeAll(async () => {
    h = await startHarness('sender-owner', { env: { WHATSAPP_NUMBER_CHECK: 'possible' } });
    a = await provisionTenant(h);
  });

  afterAll(async () => {
    await h.close();
  });

  /** Another account with its own real business number at the simulator. */
  const intruder = async () => {
    const account = await h.createAccount('Intruder');
    const business = await h.simClient.createBusiness({
      displayPhoneNumber: nextBusinessNumber(),
      webhookUrl: `${h.url}/meta/webhooks`,
    });
    return { account, rest: h.rest(account), business };
  };

  const register = (
    rest: ReturnType<Harness['rest']>,
    senderId: string,
    cfg: { phone_number_id: string; access_token: string; waba_id: string; app_secret: string },
  ) => rest.post('/v2/Channels/Senders', { json: { sender_id: senderId, configuration: cfg } });

  it("refuses to register another tenant's number, whatever token is given", async () => {
    const b = await intruder();
    const withOwnToken = await register(b.rest, a.senderId, {
      phone_number_id: a.business.phoneNumberId,
      access_token: b.business.accessToken,
      waba_id: b.business.wabaId,
      app_secret: b.business.appSecret,
    });
    expect(withOwnToken.status).toBe(400);
    expect(withOwnToken.body.code).toBe(37008);
    const withMadeUpToken = await register(b.rest, a.senderId, {
      phone_number_id: a.business.phoneNumberId,
      access_token: 'EAAG-made-up-token',
      waba_id: a.business.wabaId,
      app_secret: 'whatever-secret',
    });
    expect(withMadeUpToken.body.code).toBe(37008);
    // The number is not registered twice and still routes to its owner only.
    const owners = await h.query<{ account_sid: string }>(
      'SELECT account_sid FROM call_control.senders WHERE phone_number_id = $1',
      [a.business.phoneNumberId],
    );
    expect(owners).toEqual([{ account_sid: a.account.sid }]);
    // What Meta was asked: the intruder's token could not read the number.
    const asked = (await h.simClient.listGraphRequests()).filter(
      (r) => r.method === 'GET' && r.phoneNumberId === a.business.phoneNumberId && r.edge === null,
    );
    expect(asked.map((r) => r.status)).toEqual(expect.arrayContaining([400]));
  });

  it('refuses a sender_id that is not the number Meta knows under that phone_number_id', async () => {
    const b = await intruder();
    const res = await register(b.rest, `whatsapp:+${nextBusinessNumber()}`, {
      phone_number_id: b.business.phoneNumberId,
      access_token: b.business.accessToken,
      waba_id: b.business.wabaId,
      app_secret: b.business.appSecret,
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(37008);
    const own = await register(b.rest, `whatsapp:+${b.business.displayPhoneNumber}`, {
      phone_number_id: b.business.phoneNumberId,
      access_token: b.business.accessToken,
      waba_id: b.business.wabaId,
      app_secret: b.business.appSecret,
    });
    expect(own.status).toBe(201);
    // A later token change is proven too.
    const rotated = await b.rest.post(`/v2/Channels/Senders/${String(own.body.sid)}`, {
      json: { configuration: { access_token: a.business.accessToken } },
    });
    expect(rotated.body.code).toBe(37008);
  });

  it("does not let a webhook signed for one sender touch another sender's call", async () => {
    const b = await provisionTenant(h);
    const waId = '447700903101';
    await h.simClient.createUser({
      waId,
      behaviour: { onIncomingCall: 'answer', answerAfterMs: 100 },
    });
    await h.simClient.grantPermission(waId, a.business.phoneNumberId);
    const created = await a.rest.post(`/2010-04-01/Accounts/${a.account.sid}/Calls.json`, {
      To: `whatsapp:+${waId}`,
      From: a.senderId,
      Url: 'https://example.com/voice.xml',
    });
    expect(created.status).toBe(201);
    const callSid = String(created.body.sid);
    const callPath = `/2010-04-01/Accounts/${a.account.sid}/Calls/${callSid}.json`;
    await waitFor(
      async () => (await a.rest.get(callPath)).body.status === 'in-progress' || null,
      'the call in progress',
    );
    const [row] = await h.query<{ meta_call_id: string }>(
      'SELECT meta_call_id FROM call_control.calls WHERE sid = $1',
      [callSid],
    );
    // B's number, B's signature, A's call id (and A's CallSid as opaque data).
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: b.business.wabaId,
          changes: [
            {
              field: 'calls',
              value: {
                messaging_product: 'whatsapp',
                metadata: {
                  phone_number_id: b.business.phoneNumberId,
                  display_phone_number: b.business.displayPhoneNumber,
                },
                calls: [
                  {
                    id: row?.meta_call_id,
                    to: waId,
                    from: b.business.displayPhoneNumber,
                    event: 'terminate',
                    direction: 'BUSINESS_INITIATED',
                    biz_opaque_callback_data: callSid,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    status: 'COMPLETED',
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const res = await fetch(`${h.url}/meta/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signHubSignature(Buffer.from(body), b.business.appSecret),
      },
      body,
    });
    expect(res.status).toBe(200);
    // Processed (or given up on) without finding A's call: A's call is untouched.
    await waitFor(async () => {
      const rows = await h.query<{ status: string; attempts: number }>(
        "SELECT status, attempts FROM call_control.meta_webhook_events WHERE sender_sid = $1 AND kind = 'call'",
        [b.senderSid],
      );
      return rows.some((r) => r.status !== 'pending' || r.attempts > 0) || null;
    }, "the intruder's webhook handled");
    expect((await a.rest.get(callPath)).body.status).toBe('in-progress');
    await a.rest.post(callPath, { Status: 'completed' });
  });
});
