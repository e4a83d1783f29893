import { join } from 'node:path';
import { type CommandRequest, type NatsBus } from '@parley/contracts';
import { MetaSimClient } from '@parley/meta-sim';
import {
  createTestDatabase,
  createTestNatsNamespace,
  type TestDatabase,
  type TestNatsNamespace,
} from '@parley/nest-kit/testing';
import { connect, type NatsConnection } from 'nats';
import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import { freePort, migrate, startProcess, startService, type ServiceProcess } from './processes';
import { twiml, TwimlApp } from './twiml-app';

const ROOT = join(__dirname, '..', '..', '..');
const ACCOUNT_SID = 'AC0e2e0000000000000000000000000002';
const AUTH_TOKEN = '0e2e0000000000000000000000000002';
const BUSINESS_NUMBER = '15550100011';
const USER = '15550100012';

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The official SDK, unchanged, with every Twilio host rewritten to Parley's one base URL. */
class ParleyRequestClient extends RequestClient {
  constructor(private readonly parleyUrl: string) {
    super();
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({
      ...opts,
      uri: opts.uri.replace(/^https:\/\/(api|messaging|content)\.twilio\.com/, this.parleyUrl),
    });
  }
}

/**
 * Asking a WhatsApp user for call permission, as a business does with the official
 * `twilio` SDK (seed 001): the Content template is created, the message sent, the simulated
 * user accepts, and the business's messaging webhook receives the signed reply through
 * webhook-dispatch. Consent's reserve/settle are answered by the test (the ledger is
 * another engineer's work).
 */
describe('A call-permission request through the Twilio SDK', () => {
  let db: TestDatabase;
  let nats: TestNatsNamespace;
  let nc: NatsConnection;
  let bus: NatsBus;
  let sim: ServiceProcess;
  let simClient: MetaSimClient;
  const running: ServiceProcess[] = [];
  let api: string;
  let phoneNumberId: string;
  let client: twilio.Twilio;
  const app = new TwimlApp(AUTH_TOKEN);
  const reservations: CommandRequest<'consent.v1.permission-request.reserve'>[] = [];
  const settlements: CommandRequest<'consent.v1.permission-request.settle'>[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('e2e_messaging');
    await app.start();
    app.routes.set('/sms', () => twiml('<Response/>'));
    app.routes.set('/status', () => ({ status: 204, body: '' }));
    nats = await createTestNatsNamespace('e2e_messaging');
    nc = await connect({ servers: nats.url });
    bus = nats.bus(nc, { source: 'e2e/test' });

    const simPort = await freePort();
    sim = await startProcess('meta-sim', join(ROOT, 'test', 'meta-sim', 'dist', 'main.js'), {
      env: {
        PATH: process.env.PATH ?? '',
        META_SIM_PORT: String(simPort),
        META_SIM_LOG_LEVEL: 'warn',
      },
      readyUrl: `http://127.0.0.1:${simPort}/sim/v1/status`,
      url: `http://127.0.0.1:${simPort}`,
    });
    simClient = new MetaSimClient(sim.url);

    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      ...nats.env,
      SHUTDOWN_GRACE_MS: '2000',
      META_GRAPH_BASE_URL: sim.url,
      WHATSAPP_NUMBER_CHECK: 'possible',
      // The business's webhook server is on loopback, which production refuses.
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32',
      PARLEY_DEV_ACCOUNT_SID: ACCOUNT_SID,
      PARLEY_DEV_AUTH_TOKEN: AUTH_TOKEN,
    };
    for (const name of ['call-control', 'webhook-dispatch'] as const) {
      await migrate(name, env);
      running.push(await startService(name, env));
    }
    api = running[0]!.url;
    client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: new ParleyRequestClient(api) });

    // Standing in for consent's request limits, on its real subjects.
    bus.handle('consent.v1.permission-request.reserve', (req) => {
      reservations.push(req);
      return Promise.resolve({ allowed: true, errorCode: null, reason: null });
    });
    bus.handle('consent.v1.permission-request.settle', (req) => {
      settlements.push(req);
      return Promise.resolve({ ok: true as const });
    });

    const business = await simClient.createBusiness({
      displayPhoneNumber: BUSINESS_NUMBER,
      webhookUrl: `${api}/meta/webhooks`,
    });
    phoneNumberId = business.phoneNumberId;
    await simClient.createUser({
      waId: USER,
      name: 'Ana',
      behaviour: { permissionReply: 'accept', permissionReplyAfterMs: 200 },
    });
    const res = await fetch(`${api}/v2/Channels/Senders`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        sender_id: `whatsapp:+${BUSINESS_NUMBER}`,
        configuration: {
          waba_id: business.wabaId,
          phone_number_id: business.phoneNumberId,
          access_token: business.accessToken,
          app_secret: business.appSecret,
        },
        webhook: { callback_url: `${app.url}/sms` },
      }),
    });
    expect(res.status).toBe(201);
  }, 300_000);

  afterAll(async () => {
    for (const p of [...running, sim]) if (p && p.child.exitCode === null) p.child.kill('SIGTERM');
    await Promise.all([...running, sim].filter(Boolean).map((p) => p.exited));
    await nc?.drain();
    await nats?.drop();
    await db?.drop();
    await app.stop();
  }, 30_000);

  it('creates the Content template, sends it, and the business receives the signed ACCEPTED reply', async () => {
    // The user writes first: the request is a session message (no approved template).
    await simClient.userMessage(USER, phoneNumberId, 'Hi, can you call me?');
    const hello = await until('the user message at the webhook', () =>
      app.requests.find((r) => r.path === '/sms' && r.params.Body === 'Hi, can you call me?'),
    );
    expect(hello).toMatchObject({
      validSignature: true,
      params: { MessageType: 'text', From: `whatsapp:+${USER}`, WaId: USER, ProfileName: 'Ana' },
    });

    const content = await client.content.v1.contents.create({
      friendly_name: 'voice_call_request',
      language: 'en',
      types: {
        'twilio/call-to-action': {
          body: 'test',
          actions: [{ type: 'VOICE_CALL_REQUEST', title: 'Call Request' }],
        },
      },
    } as unknown as Parameters<typeof client.content.v1.contents.create>[0]);
    expect(content.sid).toMatch(/^HX[0-9a-f]{32}$/);
    expect(content.accountSid).toBe(ACCOUNT_SID);
    expect((await client.content.v1.contents(content.sid).fetch()).friendlyName).toBe(
      'voice_call_request',
    );

    const message = await client.messages.create({
      contentSid: content.sid,
      from: `whatsapp:+${BUSINESS_NUMBER}`,
      to: `whatsapp:+${USER}`,
      statusCallback: `${app.url}/status`,
    });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe('queued');

    const reply = await until('the permission reply at the webhook', () =>
      app.requests.find((r) => r.path === '/sms' && r.params.MessageType === 'interactive'),
    );
    expect(reply.validSignature).toBe(true);
    expect(reply.params).toMatchObject({
      Body: 'VOICE_CALL_REQUEST',
      ButtonText: 'VOICE_CALL_REQUEST',
      ButtonPayload: 'ACCEPTED',
      MessageType: 'interactive',
      WaId: USER,
      ProfileName: 'Ana',
      From: `whatsapp:+${USER}`,
      To: `whatsapp:+${BUSINESS_NUMBER}`,
      AccountSid: ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      SmsStatus: 'received',
      NumMedia: '0',
    });
    expect(reply.params.MessageSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(reply.params.SmsSid).toBe(reply.params.MessageSid);
    expect(reply.params.SmsMessageSid).toBe(reply.params.MessageSid);

    expect(reservations.map((r) => r.requestRef)).toEqual([message.sid]);
    await until('the settlement', () => (settlements.length ? settlements : undefined));
    expect(settlements).toEqual([
      { accountSid: ACCOUNT_SID, requestRef: message.sid, outcome: 'sent' },
    ]);
    const statuses = await until('the delivered status callback', () => {
      const got = app.requests.filter(
        (r) => r.path === '/status' && r.params.MessageSid === message.sid,
      );
      return got.some((r) => r.params.MessageStatus === 'delivered') ? got : undefined;
    });
    expect(statuses.map((r) => r.params.MessageStatus)).toEqual(['queued', 'sent', 'delivered']);
    expect(statuses.every((r) => r.validSignature)).toBe(true);
    expect((await client.messages(message.sid).fetch()).status).toBe('delivered');
  });

  it('refuses free-form text to a user who never wrote, with 63016, through the SDK', async () => {
    await simClient.createUser({ waId: '15550100013' });
    await expect(
      client.messages.create({
        body: 'Hello?',
        from: `whatsapp:+${BUSINESS_NUMBER}`,
        to: 'whatsapp:+15550100013',
      }),
    ).rejects.toMatchObject({ status: 400, code: 63016 });
  });
});
