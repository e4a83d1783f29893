import { ApiKeysService } from '../api-keys/api-keys.service';
import {
  type Harness,
  provisionTenant,
  RestClient,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';

describe('tenancy, auth and the account resources', () => {
  let h: Harness;
  let a: Tenant;
  let b: Tenant;
  let aCallSid: string;

  beforeAll(async () => {
    h = await startHarness('tenancy', { env: { WHATSAPP_NUMBER_CHECK: 'possible' } });
    a = await provisionTenant(h);
    b = await provisionTenant(h);
    await h.simClient.createUser({ waId: '447700900321', behaviour: { onIncomingCall: 'ignore' } });
    await h.simClient.grantPermission('447700900321', a.business.phoneNumberId);
    const call = await a.rest.post(`/2010-04-01/Accounts/${a.account.sid}/Calls.json`, {
      To: 'whatsapp:+447700900321',
      From: a.senderId,
      Url: 'https://example.com/x',
    });
    expect(call.status).toBe(201);
    aCallSid = String(call.body.sid);
  });

  afterAll(async () => {
    await h.close();
  });

  describe('HTTP Basic auth like Twilio', () => {
    it('refuses missing and wrong credentials with 401, 20003 and a Basic challenge', async () => {
      const path = `/2010-04-01/Accounts/${a.account.sid}/Calls.json`;
      const none = await fetch(h.url + path);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Basic realm="Parley"');
      expect(await none.json()).toEqual({
        code: 20003,
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      });
      for (const [user, pass] of [
        [a.account.sid, 'f'.repeat(32)],
        [a.account.sid, b.account.authToken],
        ['SK' + '0'.repeat(32), 'secret'],
        ['someone', 'something'],
      ] as const) {
        const res = await new RestClient(h.url, user, pass).get(path);
        expect(res.status).toBe(401);
        expect(res.body.code).toBe(20003);
      }
    });

    it('accepts an API key (SK sid and secret) with its AccountSid in the path, not another', async () => {
      const { key, secret } = await h.app.app.get(ApiKeysService).create(a.account.sid, 'CI key');
      const viaKey = new RestClient(h.url, key.sid, secret);
      const list = await viaKey.get(`/2010-04-01/Accounts/${a.account.sid}/Calls.json`);
      expect(list.status).toBe(200);
      expect((list.body.calls as { sid: string }[]).map((c) => c.sid)).toContain(aCallSid);
      expect((await viaKey.get(`/2010-04-01/Accounts/${b.account.sid}/Calls.json`)).status).toBe(
        404,
      );
      // A wrong secret: change the last character to one it certainly is not.
      const wrongSecret = secret.slice(0, -1) + (secret.endsWith('x') ? 'y' : 'x');
      expect(
        (
          await new RestClient(h.url, key.sid, wrongSecret).get(
            `/2010-04-01/Accounts/${a.account.sid}/Calls.json`,
          )
        ).status,
      ).toBe(401);
      // Twilio shows the auth token to the account's own credential only.
      const own = await a.rest.get(`/2010-04-01/Accounts/${a.account.sid}.json`);
      expect(own.body).toMatchObject({
        sid: a.account.sid,
        auth_token: a.account.authToken,
        status: 'active',
        friendly_name: 'Test account',
      });
      expect(
        (await viaKey.get(`/2010-04-01/Accounts/${a.account.sid}.json`)).body.auth_token,
      ).toBeNull();
    });
  });

  describe('API keys resource (Keys.json)', () => {
    it('creates a key whose secret is shown once, lets it authenticate, and revokes it', async () => {
      const base = `/2010-04-01/Accounts/${b.account.sid}/Keys`;
      const created = await b.rest.post(`${base}.json`, { FriendlyName: 'deploy bot' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        friendly_name: 'deploy bot',
        sid: expect.stringMatching(/^SK[0-9a-f]{32}$/) as unknown,
        secret: expect.stringMatching(/^[A-Za-z0-9]{32}$/) as unknown,
      });
      const sid = String(created.body.sid);
      const key = new RestClient(h.url, sid, String(created.body.secret));
      expect((await key.get(`${base}/${sid}.json`)).body).not.toHaveProperty('secret');
      const listed = await key.get(`${base}.json`);
      expect((listed.body.keys as { sid: string }[]).map((k) => k.sid)).toContain(sid);
      // A key cannot mint or revoke keys.
      expect(await key.post(`${base}.json`, { FriendlyName: 'escalate' })).toMatchObject({
        status: 403,
        body: { code: 20003 },
      });
      expect((await key.delete(`${base}/${sid}.json`)).status).toBe(403);
      // Another tenant cannot see it.
      expect(
        (await a.rest.get(`/2010-04-01/Accounts/${a.account.sid}/Keys/${sid}.json`)).status,
      ).toBe(404);
      expect((await b.rest.delete(`${base}/${sid}.json`)).status).toBe(204);
      expect((await key.get(`/2010-04-01/Accounts/${b.account.sid}/Calls.json`)).status).toBe(401);
    });

    it('stops a key revoked on another replica at once, though this one verified it a moment ago', async () => {
      const { key, secret } = await h.app.app.get(ApiKeysService).create(b.account.sid, 'short');
      const viaKey = new RestClient(h.url, key.sid, secret);
      const calls = `/2010-04-01/Accounts/${b.account.sid}/Calls.json`;
      expect((await viaKey.get(calls)).status).toBe(200); // verified and remembered here
      // Another replica deletes it: only the shared database knows.
      await h.query('DELETE FROM call_control.api_keys WHERE sid = $1', [key.sid]);
      expect((await viaKey.get(calls)).status).toBe(401);
    });
  });

  describe('isolation: another tenant gets 404, never 403', () => {
    it("hides A's calls, events, applications and senders from B", async () => {
      const B = b.account.sid;
      const expect404 = async (res: Promise<{ status: number; body: Record<string, unknown> }>) => {
        const r = await res;
        expect(r.status).toBe(404);
        expect(r.body.code).toBe(20404);
      };
      // A's resources under B's own account path.
      await expect404(b.rest.get(`/2010-04-01/Accounts/${B}/Calls/${aCallSid}.json`));
      await expect404(
        b.rest.post(`/2010-04-01/Accounts/${B}/Calls/${aCallSid}.json`, { Status: 'canceled' }),
      );
      await expect404(b.rest.get(`/2010-04-01/Accounts/${B}/Calls/${aCallSid}/Events.json`));
      await expect404(b.rest.get(`/2010-04-01/Accounts/${B}/Calls/${aCallSid}/Timeline.json`));
      await expect404(b.rest.get(`/2010-04-01/Accounts/${B}/Calls/${aCallSid}/Notifications.json`));
      await expect404(
        b.rest.get(`/2010-04-01/Accounts/${B}/Applications/${a.applicationSid}.json`),
      );
      await expect404(
        b.rest.post(`/2010-04-01/Accounts/${B}/Applications/${a.applicationSid}.json`, {
          FriendlyName: 'mine now',
        }),
      );
      await expect404(
        b.rest.delete(`/2010-04-01/Accounts/${B}/Applications/${a.applicationSid}.json`),
      );
      await expect404(b.rest.get(`/v2/Channels/Senders/${a.senderSid}`));
      await expect404(
        b.rest.post(`/v2/Channels/Senders/${a.senderSid}`, {
          json: { configuration: { voice_application_sid: null } },
        }),
      );
      await expect404(b.rest.delete(`/v2/Channels/Senders/${a.senderSid}`));
      // A's account path with B's credentials.
      await expect404(b.rest.get(`/2010-04-01/Accounts/${a.account.sid}/Calls.json`));
      await expect404(b.rest.get(`/2010-04-01/Accounts/${a.account.sid}/Calls/${aCallSid}.json`));
      await expect404(b.rest.get(`/2010-04-01/Accounts/${a.account.sid}.json`));
      // B's lists do not show A's resources.
      expect((await b.rest.get(`/2010-04-01/Accounts/${B}/Calls.json`)).body.calls).toEqual([]);
      const apps = (await b.rest.get(`/2010-04-01/Accounts/${B}/Applications.json`)).body
        .applications as { sid: string }[];
      expect(apps.map((x) => x.sid)).toEqual([b.applicationSid]);
      const senders = (await b.rest.get('/v2/Channels/Senders')).body.senders as { sid: string }[];
      expect(senders.map((x) => x.sid)).toEqual([b.senderSid]);
      // B cannot use A's sender as From, nor A's application on its sender.
      const call = await b.rest.post(`/2010-04-01/Accounts/${B}/Calls.json`, {
        To: 'whatsapp:+447700900321',
        From: a.senderId,
        Url: 'https://x.test/',
      });
      expect(call.body.code).toBe(21210);
      const steal = await b.rest.post(`/v2/Channels/Senders/${b.senderSid}`, {
        json: { configuration: { voice_application_sid: a.applicationSid } },
      });
      expect(steal.body.code).toBe(20404);
      // And A's resources are untouched.
      expect(
        (
          await a.rest.get(
            `/2010-04-01/Accounts/${a.account.sid}/Applications/${a.applicationSid}.json`,
          )
        ).body.friendly_name,
      ).toBe('WhatsApp IVR');
      expect(
        (await a.rest.get(`/2010-04-01/Accounts/${a.account.sid}/Calls/${aCallSid}.json`)).status,
      ).toBe(200);
    });
  });

  describe('applications', () => {
    it('creates, fetches, updates, pages and deletes TwiML applications in Twilio shape', async () => {
      const base = `/2010-04-01/Accounts/${b.account.sid}/Applications`;
      const created = await b.rest.post(`${base}.json`, {
        FriendlyName: 'Sales',
        VoiceUrl: 'https://example.com/sales',
        VoiceMethod: 'GET',
        VoiceFallbackUrl: 'https://example.com/fallback',
        StatusCallback: 'https://example.com/status',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        account_sid: b.account.sid,
        api_version: '2010-04-01',
        friendly_name: 'Sales',
        voice_url: 'https://example.com/sales',
        voice_method: 'GET',
        voice_fallback_url: 'https://example.com/fallback',
        voice_fallback_method: 'POST',
        status_callback: 'https://example.com/status',
        status_callback_method: 'POST',
        uri: `${base}/${String(created.body.sid)}.json`,
      });
      expect(String(created.body.date_created)).toMatch(
        /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/,
      );
      const sid = String(created.body.sid);
      const updated = await b.rest.post(`${base}/${sid}.json`, {
        VoiceUrl: 'https://example.com/sales-v2',
      });
      expect(updated.body).toMatchObject({
        voice_url: 'https://example.com/sales-v2',
        friendly_name: 'Sales',
        voice_method: 'GET',
      });
      expect((await b.rest.post(`${base}/${sid}.json`, { VoiceUrl: 'not a url' })).body.code).toBe(
        21205,
      );
      expect((await b.rest.post(`${base}/${sid}.json`, { VoiceMethod: 'PUT' })).body.code).toBe(
        20001,
      );

      await b.rest.post(`${base}.json`, { FriendlyName: 'Support' });
      const page1 = await b.rest.get(`${base}.json?PageSize=2`);
      const first = page1.body as {
        applications: { sid: string }[];
        next_page_uri: string;
        start: number;
        end: number;
      };
      expect(first.applications).toHaveLength(2);
      expect([first.start, first.end]).toEqual([0, 1]);
      const page2 = await b.rest.get(first.next_page_uri);
      const second = page2.body as {
        applications: { sid: string }[];
        next_page_uri: string | null;
        start: number;
      };
      expect(second.applications).toHaveLength(1);
      expect(second.next_page_uri).toBeNull();
      expect(second.start).toBe(2);
      const all = [...first.applications, ...second.applications].map((x) => x.sid);
      expect(new Set(all).size).toBe(3);
      const byName = await b.rest.get(`${base}.json?FriendlyName=Support`);
      expect((byName.body.applications as unknown[]).length).toBe(1);

      expect((await b.rest.delete(`${base}/${sid}.json`)).status).toBe(204);
      expect((await b.rest.get(`${base}/${sid}.json`)).status).toBe(404);
    });
  });

  describe('WhatsApp senders (seed: Senders API, voice_application_sid toggles calling)', () => {
    it('turns calling on and off at Meta with voice_application_sid and never returns secrets', async () => {
      const business = await h.simClient.createBusiness({
        displayPhoneNumber: '14155550199',
        webhookUrl: `${h.url}/meta/webhooks`,
        calling: { status: 'DISABLED' },
      });
      const created = await b.rest.post('/v2/Channels/Senders', {
        json: {
          sender_id: 'whatsapp:+14155550199',
          configuration: {
            waba_id: business.wabaId,
            phone_number_id: business.phoneNumberId,
            access_token: business.accessToken,
            app_secret: business.appSecret,
          },
        },
      });
      expect(created.status).toBe(201);
      const sid = String(created.body.sid);
      expect(created.body).toEqual({
        sid,
        account_sid: b.account.sid,
        status: 'ONLINE',
        sender_id: 'whatsapp:+14155550199',
        configuration: {
          waba_id: business.wabaId,
          phone_number_id: business.phoneNumberId,
          verification_method: null,
          verification_code: null,
          voice_application_sid: null,
          calling_status: 'DISABLED',
          callback_permission_status: 'DISABLED',
        },
        webhook: {
          callback_url: null,
          callback_method: 'POST',
          fallback_url: null,
          fallback_method: 'POST',
          status_callback_url: null,
          status_callback_method: 'POST',
        },
        profile: null,
        properties: null,
        offline_reasons: null,
        url: `${h.url}/v2/Channels/Senders/${sid}`,
      });
      expect(JSON.stringify(created.body)).not.toContain(business.accessToken);
      expect(JSON.stringify(created.body)).not.toContain(business.appSecret);
      expect((await h.simClient.getBusiness(business.phoneNumberId)).calling.status).toBe(
        'DISABLED',
      );

      const on = await b.rest.post(`/v2/Channels/Senders/${sid}`, {
        json: { configuration: { voice_application_sid: b.applicationSid } },
      });
      expect(on.body.configuration).toMatchObject({
        voice_application_sid: b.applicationSid,
        calling_status: 'ENABLED',
      });
      expect((await h.simClient.getBusiness(business.phoneNumberId)).calling.status).toBe(
        'ENABLED',
      );
      const settings = await h.simClient.listGraphRequests({
        phoneNumberId: business.phoneNumberId,
        edge: 'settings',
      });
      expect(settings.at(-1)?.body).toEqual({ calling: { status: 'ENABLED' } });

      const off = await b.rest.post(`/v2/Channels/Senders/${sid}`, {
        json: { configuration: { voice_application_sid: null } },
      });
      expect(off.body.configuration).toMatchObject({
        voice_application_sid: null,
        calling_status: 'DISABLED',
      });
      expect((await h.simClient.getBusiness(business.phoneNumberId)).calling.status).toBe(
        'DISABLED',
      );

      // When Meta refuses (a revoked token), nothing changes.
      await h.simClient.updateBusiness(business.phoneNumberId, { accessToken: 'rotated-at-meta' });
      const refused = await b.rest.post(`/v2/Channels/Senders/${sid}`, {
        json: { configuration: { voice_application_sid: b.applicationSid } },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe(37008);
      expect((await b.rest.get(`/v2/Channels/Senders/${sid}`)).body.configuration).toMatchObject({
        voice_application_sid: null,
        calling_status: 'DISABLED',
      });
      const fixed = await b.rest.post(`/v2/Channels/Senders/${sid}`, {
        json: {
          configuration: {
            access_token: 'rotated-at-meta',
            voice_application_sid: b.applicationSid,
          },
        },
      });
      expect(fixed.body.configuration).toMatchObject({ calling_status: 'ENABLED' });

      expect((await b.rest.delete(`/v2/Channels/Senders/${sid}`)).status).toBe(204);
      expect((await h.simClient.getBusiness(business.phoneNumberId)).calling.status).toBe(
        'DISABLED',
      );
    });

    it('validates sender bodies with clear errors', async () => {
      const post = (json: unknown) => b.rest.post('/v2/Channels/Senders', { json });
      expect(
        (
          await post({
            sender_id: '+14155550100',
            configuration: {
              waba_id: '1',
              phone_number_id: '2',
              access_token: 't',
              app_secret: 's',
            },
          })
        ).body.code,
      ).toBe(21212);
      const missing = await post({
        sender_id: 'whatsapp:+14155550100',
        configuration: { waba_id: '1', phone_number_id: '2', access_token: 't' },
      });
      expect(missing.body).toMatchObject({ code: 20001, status: 400 });
      expect(String(missing.body.message)).toMatch(/app_secret/);
      // Control of the number is proven first (a made-up token is refused at Meta)...
      const unproven = await post({
        sender_id: b.senderId,
        configuration: { waba_id: '1', phone_number_id: '777', access_token: 't', app_secret: 's' },
      });
      expect(unproven.body).toMatchObject({ code: 37008, status: 400 });
      // ...then a number registered already is a conflict.
      const dup = await post({
        sender_id: b.senderId,
        configuration: {
          waba_id: b.business.wabaId,
          phone_number_id: b.business.phoneNumberId,
          access_token: b.business.accessToken,
          app_secret: b.business.appSecret,
        },
      });
      expect(dup.status).toBe(409);
      const notJson = await fetch(`${h.url}/v2/Channels/Senders`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${b.account.sid}:${b.account.authToken}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: '{"sender_id": ',
      });
      expect(notJson.status).toBe(400);
      expect(((await notJson.json()) as { code: number }).code).toBe(20001);
    });

    it('lists senders with v2 paging meta', async () => {
      const list = await a.rest.get('/v2/Channels/Senders?PageSize=1');
      expect(list.body).toMatchObject({
        senders: [expect.objectContaining({ sid: a.senderSid }) as unknown],
        meta: {
          page: 0,
          page_size: 1,
          key: 'senders',
          next_page_url: null,
          previous_page_url: null,
        },
      });
      expect(String((list.body.meta as { url: string }).url)).toBe(
        `${h.url}/v2/Channels/Senders?Channel=whatsapp&PageSize=1&Page=0`,
      );
    });
  });

  it("keeps A's call running throughout (ringing) and cancels it", async () => {
    await waitFor(
      async () =>
        (await a.rest.get(`/2010-04-01/Accounts/${a.account.sid}/Calls/${aCallSid}.json`)).body
          .status === 'ringing'
          ? true
          : undefined,
      'ringing',
    );
    const canceled = await a.rest.post(
      `/2010-04-01/Accounts/${a.account.sid}/Calls/${aCallSid}.json`,
      { Status: 'canceled' },
    );
    expect(canceled.body.status).toBe('canceled');
  });
});
