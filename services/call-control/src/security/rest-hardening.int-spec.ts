import { newSid } from '@parley/contracts';
import {
  type Harness,
  provisionTenant,
  RestClient,
  startHarness,
  type Tenant,
} from '../testing/harness';

/**
 * Hostile input on the REST API: customer URLs naming private addresses are refused when
 * set, crafted paging is a 400 (never a 500), and failed authentications are rate limited
 * per credential and per address before any secret is checked.
 */
describe('REST hardening', () => {
  let h: Harness;
  let t: Tenant;
  const base = () => `/2010-04-01/Accounts/${t.account.sid}`;

  beforeAll(async () => {
    h = await startHarness('rest-hardening', {
      env: {
        WHATSAPP_NUMBER_CHECK: 'possible',
        OUTBOUND_URL_ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32',
        AUTH_FAILURES_PER_CREDENTIAL: '3',
        AUTH_FAILURES_PER_ADDRESS: '8',
        AUTH_FAILURE_WINDOW_SEC: '600',
      },
    });
    t = await provisionTenant(h);
  });

  afterAll(async () => {
    await h.close();
  });

  describe('customer URLs are checked against the outbound-URL policy when set', () => {
    const refused = [
      'http://10.0.0.7/voice.xml',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:8080/voice.xml',
      'http://[::ffff:10.0.0.1]/voice.xml',
      'http://localhost:3000/voice.xml',
    ];

    it.each(refused)('refuses Url %s on Calls.json with 21205 and creates no call', async (url) => {
      const res = await t.rest.post(`${base()}/Calls.json`, {
        To: 'whatsapp:+447700900123',
        From: t.senderId,
        Url: url,
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 21205 });
      expect(String(res.body.message)).toMatch(/^Url is not allowed/);
      const calls = await t.rest.get(`${base()}/Calls.json`);
      expect(calls.body.calls).toEqual([]);
    });

    it('refuses StatusCallback and RecordingStatusCallback with 21609, FallbackUrl with 21205', async () => {
      const call = {
        To: 'whatsapp:+447700900123',
        From: t.senderId,
        Url: 'https://example.com/voice.xml',
      };
      const status = await t.rest.post(`${base()}/Calls.json`, {
        ...call,
        StatusCallback: 'http://192.168.1.10/status',
      });
      expect(status.body).toMatchObject({ code: 21609, status: 400 });
      const recording = await t.rest.post(`${base()}/Calls.json`, {
        ...call,
        Record: 'true',
        RecordingStatusCallback: 'http://[fd00:ec2::254]/rec',
      });
      expect(recording.body).toMatchObject({ code: 21609, status: 400 });
      const fallback = await t.rest.post(`${base()}/Calls.json`, {
        ...call,
        FallbackUrl: 'http://100.64.0.1/fallback',
      });
      expect(fallback.body).toMatchObject({ code: 21205, status: 400 });
    });

    it('checks applications when created and updated, and keeps what was stored', async () => {
      const created = await t.rest.post(`${base()}/Applications.json`, {
        FriendlyName: 'SSRF',
        VoiceUrl: 'http://169.254.169.254/',
      });
      expect(created.body).toMatchObject({ code: 21205, status: 400 });
      const callback = await t.rest.post(`${base()}/Applications.json`, {
        FriendlyName: 'SSRF',
        VoiceUrl: 'https://example.com/voice',
        StatusCallback: 'http://10.1.1.1/cb',
      });
      expect(callback.body).toMatchObject({ code: 21609, status: 400 });

      const updated = await t.rest.post(`${base()}/Applications/${t.applicationSid}.json`, {
        VoiceFallbackUrl: 'http://127.0.0.2/fallback',
      });
      expect(updated.body).toMatchObject({ code: 21205, status: 400 });
      const app = await t.rest.get(`${base()}/Applications/${t.applicationSid}.json`);
      expect(app.body.voice_fallback_url).toBeNull();
    });

    it('accepts public URLs and what the operator allow-listed', async () => {
      const app = await t.rest.post(`${base()}/Applications.json`, {
        FriendlyName: 'Local dev',
        VoiceUrl: 'http://127.0.0.1:8080/voice',
        StatusCallback: 'https://example.com/status',
      });
      expect(app.status).toBe(201);
    });
  });

  describe('paging input', () => {
    const token = (key: unknown[]) => 'PA' + Buffer.from(JSON.stringify(key)).toString('base64url');

    it.each([
      ['a date that is not one', token(['not-a-date', 'CA' + '0'.repeat(32)])],
      ['a number for a sid', token(['2024-01-01T00:00:00.000Z', 12])],
      ['an overlong value', token(['2024-01-01T00:00:00.000Z', 'x'.repeat(500)])],
      ['the wrong number of keys', token(['2024-01-01T00:00:00.000Z'])],
    ])('answers a PageToken with %s with 400 and 20001', async (_what, pageToken) => {
      for (const list of ['Calls.json', 'Recordings.json', 'Applications.json']) {
        const res = await t.rest.get(`${base()}/${list}?PageToken=${pageToken}`);
        expect([list, res.status, res.body.code]).toEqual([list, 400, 20001]);
      }
    });

    it('answers a huge Page with 400 and 20001', async () => {
      for (const page of ['99999999999999', '1e30', '100001']) {
        const res = await t.rest.get(`${base()}/Calls.json?Page=${page}`);
        expect([page, res.status, res.body.code]).toEqual([page, 400, 20001]);
      }
    });
  });

  // Last: it uses up this address's allowance of failures.
  describe('failed authentication', () => {
    it('answers 429 (20429) per credential once its failures are spent, before checking the secret', async () => {
      const key = await t.rest.post(`${base()}/Keys.json`, { FriendlyName: 'victim' });
      expect(key.status).toBe(201);
      const sid = String(key.body.sid);
      const secret = String(key.body.secret);
      const path = `${base()}/Calls.json`;
      for (let i = 0; i < 3; i++) {
        const wrong = await new RestClient(h.url, sid, `wrong-secret-${i}`).get(path);
        expect(wrong.status).toBe(401);
        expect(wrong.body.code).toBe(20003);
      }
      const limited = await fetch(h.url + path, {
        headers: {
          authorization: `Basic ${Buffer.from(`${sid}:${secret}`).toString('base64')}`,
        },
      });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited.json()).toMatchObject({ code: 20429, status: 429 });
      // Another credential from the same address still works.
      expect((await t.rest.get(path)).status).toBe(200);
    });

    it('answers 429 per address once it failed with many credentials', async () => {
      const path = `${base()}/Calls.json`;
      let status = 0;
      for (let i = 0; i < 5 && status !== 429; i++) {
        status = (await new RestClient(h.url, newSid('SK'), 'guess').get(path)).status;
      }
      expect(status).toBe(401);
      // 3 + 5 failures from this address: even a good credential is refused now.
      const good = await t.rest.get(path);
      expect(good.status).toBe(429);
      expect(good.body.code).toBe(20429);
    });
  });
});
