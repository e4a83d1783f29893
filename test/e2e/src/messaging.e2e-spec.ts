import { type CommandRequest, type NatsBus } from '@parley/contracts';
import { connect, type NatsConnection } from 'nats';
import type twilio from 'twilio';
import { Stack, until } from './stack';
import { twiml, TwimlApp } from './twiml-app';

const ACCOUNT_SID = 'AC0e2e0000000000000000000000000002';
const AUTH_TOKEN = '0e2e0000000000000000000000000002';
const BUSINESS_NUMBER = '15550100011';
const USER = '15550100012';

/**
 * Asking a WhatsApp user for call permission, as a business does with the official
 * `twilio` SDK (seed 001): the Content template is created, the message sent, the simulated
 * user accepts, and the business's messaging webhook receives the signed reply through
 * webhook-dispatch. Consent's reserve/settle are answered by the test (the ledger is
 * another engineer's work).
 */
describe('A call-permission request through the Twilio SDK', () => {
  let stack: Stack;
  let nc: NatsConnection;
  let bus: NatsBus;
  let phoneNumberId: string;
  let client: twilio.Twilio;
  const app = new TwimlApp(AUTH_TOKEN);
  const reservations: CommandRequest<'consent.v1.permission-request.reserve'>[] = [];
  const settlements: CommandRequest<'consent.v1.permission-request.settle'>[] = [];

  beforeAll(async () => {
    await app.start();
    app.routes.set('/sms', () => twiml('<Response/>'));
    app.routes.set('/status', () => ({ status: 204, body: '' }));
    app.routes.set('/approval', () => ({ status: 204, body: '' }));
    stack = await Stack.start({
      name: 'messaging',
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      services: ['call-control', 'webhook-dispatch'],
    });
    client = stack.twilio();
    nc = await connect({ servers: stack.nats.url });
    bus = stack.nats.bus(nc, { source: 'e2e/test' });

    // Standing in for consent's request limits, on its real subjects.
    bus.handle('consent.v1.permission-request.reserve', (req) => {
      reservations.push(req);
      return Promise.resolve({ allowed: true, errorCode: null, reason: null });
    });
    bus.handle('consent.v1.permission-request.settle', (req) => {
      settlements.push(req);
      return Promise.resolve({ ok: true as const });
    });

    const sender = await stack.sender({
      number: BUSINESS_NUMBER,
      webhook: { callback_url: `${app.url}/sms`, status_callback_url: `${app.url}/approval` },
    });
    phoneNumberId = sender.phoneNumberId;
    await stack.simClient.createUser({
      waId: USER,
      name: 'Ana',
      behaviour: { permissionReply: 'accept', permissionReplyAfterMs: 200 },
    });
  }, 300_000);

  afterAll(async () => {
    await nc?.drain();
    await stack?.stop();
    await app.stop();
  }, 30_000);

  it('creates the Content template, sends it, and the business receives the signed ACCEPTED reply', async () => {
    // The user writes first: the request is a session message (no approved template).
    await stack.simClient.userMessage(USER, phoneNumberId, 'Hi, can you call me?');
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
    await stack.simClient.createUser({ waId: '15550100013' });
    await expect(
      client.messages.create({
        body: 'Hello?',
        from: `whatsapp:+${BUSINESS_NUMBER}`,
        to: 'whatsapp:+15550100013',
      }),
    ).rejects.toMatchObject({ status: 400, code: 63016 });
  });

  it('submits the seed card for WhatsApp approval, tells the business (signed), then sends it out of session', async () => {
    const card = await client.content.v1.contents.create({
      friendly_name: 'voice_call_test',
      language: 'en',
      variables: { '1': 'name' },
      types: {
        'twilio/card': {
          title: 'Hello {{1}} let’s continue on a call.',
          actions: [{ title: 'Call now', type: 'VOICE_CALL' }],
        },
      },
    } as unknown as Parameters<typeof client.content.v1.contents.create>[0]);
    const created = await client.content.v1
      .contents(card.sid)
      .approvalCreate.create({ name: 'voice_call_test', category: 'UTILITY' });
    expect(created).toMatchObject({ status: 'received', contentType: 'twilio/card' });
    const template = await until('the template submitted to Meta', async () =>
      (await stack.simClient.listTemplates()).find((t) => t.name === 'voice_call_test'),
    );
    await until('the approval pending', async () => {
      const fetched = await client.content.v1.contents(card.sid).approvalFetch().fetch();
      return (fetched.whatsapp as { status?: string }).status === 'pending' ? fetched : undefined;
    });
    const user = '15550100014';
    await stack.simClient.createUser({ waId: user, name: 'Bo' });
    await expect(
      client.messages.create({
        contentSid: card.sid,
        from: `whatsapp:+${BUSINESS_NUMBER}`,
        to: `whatsapp:+${user}`,
      }),
    ).rejects.toMatchObject({ status: 400, code: 63027 });

    await stack.simClient.setTemplateStatus(template.id, 'APPROVED');
    const callbacks = await until('the approved callback', () => {
      const got = app.requests.filter(
        (r) => r.path === '/approval' && r.params.ContentSid === card.sid,
      );
      return got.some((r) => r.params.ApprovalStatus === 'approved') ? got : undefined;
    });
    expect(callbacks.map((r) => r.params.ApprovalStatus)).toEqual([
      'received',
      'pending',
      'approved',
    ]);
    expect(callbacks.every((r) => r.validSignature)).toBe(true);
    expect(callbacks[2]?.params).toMatchObject({
      AccountSid: ACCOUNT_SID,
      TemplateName: 'voice_call_test',
      Category: 'UTILITY',
      Channel: 'whatsapp',
    });

    const message = await client.messages.create({
      contentSid: card.sid,
      contentVariables: JSON.stringify({ '1': 'Bo' }),
      from: `whatsapp:+${BUSINESS_NUMBER}`,
      to: `whatsapp:+${user}`,
      statusCallback: `${app.url}/status`,
    });
    expect(message.body).toBe('Hello Bo let’s continue on a call.');
    await until('the template message delivered', () =>
      app.requests.find(
        (r) =>
          r.path === '/status' &&
          r.params.MessageSid === message.sid &&
          r.params.MessageStatus === 'delivered',
      ),
    );
  });
});
