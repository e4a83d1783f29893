import twilio from 'twilio';
import {
  type Harness,
  provisionTenant,
  startHarness,
  type Tenant,
  waitFor,
} from '../testing/harness';
import { ParleyRequestClient } from '../testing/twilio-client';

describe('the official twilio SDK against Parley', () => {
  let h: Harness;
  let t: Tenant;
  let client: twilio.Twilio;
  const users: string[] = [];

  beforeAll(async () => {
    h = await startHarness('twilio-sdk', { env: { WHATSAPP_NUMBER_CHECK: 'possible' } });
    t = await provisionTenant(h);
    client = twilio(t.account.sid, t.account.authToken, {
      httpClient: new ParleyRequestClient(h.url),
    });
    for (let i = 0; i < 5; i++) {
      const waId = `4477009004${String(10 + i)}`;
      await h.simClient.createUser({ waId, behaviour: { onIncomingCall: 'ignore' } });
      await h.simClient.grantPermission(waId, t.business.phoneNumberId);
      users.push(waId);
    }
  });

  afterAll(async () => {
    await h.close();
  });

  it('creates, fetches, lists over several pages, updates calls, and reads errors as RestException', async () => {
    const created = [];
    for (const waId of users) {
      created.push(
        await client.calls.create({
          to: `whatsapp:+${waId}`,
          from: t.senderId,
          url: 'https://example.com/voice.xml',
          statusCallback: 'https://example.com/status',
          statusCallbackEvent: ['initiated', 'completed'],
          timeout: 30,
        }),
      );
    }
    const first = created[0];
    if (!first) throw new Error('no call');
    expect(first.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(first.accountSid).toBe(t.account.sid);
    expect(first.status).toBe('queued');
    expect(first.direction).toBe('outbound-api');
    expect(first.dateCreated).toBeInstanceOf(Date);
    expect(Number.isNaN(first.dateCreated.getTime())).toBe(false);

    const fetched = await client.calls(first.sid).fetch();
    expect(fetched.sid).toBe(first.sid);
    expect(fetched.to).toBe(`whatsapp:+${users[0]}`);
    expect(fetched.apiVersion).toBe('2010-04-01');

    // list() and each() follow next_page_uri across pages of 2.
    const listed = await client.calls.list({ pageSize: 2 });
    expect(listed.map((c) => c.sid).sort()).toEqual(created.map((c) => c.sid).sort());
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      void client.calls.each({
        pageSize: 2,
        from: t.senderId,
        callback: (call) => {
          seen.push(call.sid);
        },
        done: (error?: Error) => (error ? reject(error) : resolve()),
      });
    });
    expect(seen.sort()).toEqual(created.map((c) => c.sid).sort());
    const page = await client.calls.page({ pageSize: 2 });
    expect(page.instances).toHaveLength(2);
    const next = await page.nextPage();
    expect(next?.instances).toHaveLength(2);
    const previous = await next?.previousPage();
    expect(previous?.instances.map((c) => c.sid)).toEqual(page.instances.map((c) => c.sid));

    // Filters.
    const toOne = await client.calls.list({ to: `whatsapp:+${users[1]}` });
    expect(toOne.map((c) => c.sid)).toEqual([created[1]?.sid]);

    // Update: cancel a ringing call.
    await waitFor(
      async () => ((await client.calls(first.sid).fetch()).status === 'ringing' ? true : undefined),
      'ringing',
    );
    const canceled = await client.calls(first.sid).update({ status: 'canceled' });
    expect(canceled.status).toBe('canceled');
    for (const c of created.slice(1)) await client.calls(c.sid).update({ status: 'canceled' });

    // Errors surface as RestException with Twilio's code, status and more_info.
    const error = (await client.calls
      .create({ to: '+14155551234', from: t.senderId, url: 'https://example.com/voice.xml' })
      .catch((e: unknown) => e)) as {
      code: number;
      status: number;
      moreInfo: string;
      message: string;
    };
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error.code).toBe(21211);
    expect(error.status).toBe(400);
    expect(error.moreInfo).toBe('https://www.twilio.com/docs/errors/21211');
    const missing = (await client
      .calls('CA' + '0'.repeat(32))
      .fetch()
      .catch((e: unknown) => e)) as { code: number; status: number };
    expect(missing).toMatchObject({ code: 20404, status: 404 });
    const badAuth = twilio(t.account.sid, 'f'.repeat(32), {
      httpClient: new ParleyRequestClient(h.url),
    });
    await expect(badAuth.calls.list({ limit: 1 })).rejects.toMatchObject({
      code: 20003,
      status: 401,
    });
  });

  it('manages TwiML applications and WhatsApp senders through the SDK', async () => {
    const app = await client.applications.create({
      friendlyName: 'SDK app',
      voiceUrl: 'https://example.com/sdk',
      voiceMethod: 'POST',
    });
    expect(app.sid).toMatch(/^AP/);
    const updated = await client
      .applications(app.sid)
      .update({ voiceUrl: 'https://example.com/sdk-2' });
    expect(updated.voiceUrl).toBe('https://example.com/sdk-2');
    const apps = await client.applications.list({ friendlyName: 'SDK app' });
    expect(apps.map((a) => a.sid)).toEqual([app.sid]);
    await client.applications(app.sid).remove();
    await expect(client.applications(app.sid).fetch()).rejects.toMatchObject({
      status: 404,
      code: 20404,
    });

    const sender = await client.messaging.v2.channelsSenders(t.senderSid).fetch();
    expect(sender.senderId).toBe(t.senderId);
    expect(sender.configuration.voiceApplicationSid).toBe(t.applicationSid);
    const senders = await client.messaging.v2.channelsSenders.list({ channel: 'whatsapp' });
    expect(senders.map((s) => s.sid)).toEqual([t.senderSid]);
  });
});
