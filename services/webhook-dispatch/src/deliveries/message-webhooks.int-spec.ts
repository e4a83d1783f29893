import {
  type ContentApprovalChangedV1,
  type MessageReceivedV1,
  type MessageSid,
  type MessageStatusChangedV1,
} from '@parley/contracts';
import { type Dispatcher, newSid, startDispatcher, waitFor } from '../testing/harness';

describe('webhook-dispatch delivers messaging webhooks', () => {
  let d: Dispatcher;
  let accountSid: string;
  const senderSid = newSid('XE');

  beforeAll(async () => {
    d = await startDispatcher('messages');
    accountSid = newSid('AC');
    d.authTokens.set(accountSid, 'e'.repeat(32));
  }, 60_000);

  afterAll(async () => {
    await d?.close();
  });

  function received(overrides: Partial<MessageReceivedV1> = {}): MessageReceivedV1 {
    return {
      messageSid: newSid('SM') as MessageSid,
      accountSid: accountSid as MessageReceivedV1['accountSid'],
      senderSid: senderSid as MessageReceivedV1['senderSid'],
      from: 'whatsapp:+5524987654321',
      to: 'whatsapp:+554123456789',
      waId: '5524987654321',
      profileName: 'XXXX Caller BR-2',
      messageType: 'interactive',
      body: 'VOICE_CALL_REQUEST',
      buttonText: 'VOICE_CALL_REQUEST',
      buttonPayload: 'REJECTED',
      webhook: { url: `${d.receiver.base}/sms`, method: 'POST' },
      fallback: null,
      receivedAt: new Date().toISOString(),
      ...overrides,
    };
  }

  it('forwards a permission reply to the messaging webhook with the parameters of seed 001, signed', async () => {
    const event = received();
    await d.bus.publishDurable('calls.v1.message.received', event, { msgId: event.messageSid });
    const [got] = await waitFor(() => {
      const hits = d.receiver.received.filter((r) => r.params.MessageSid === event.messageSid);
      return hits.length ? hits : undefined;
    }, 'the incoming message webhook');
    expect(got?.signatureValid).toBe(true);
    expect(got?.path).toBe('/sms');
    expect(got?.headers['i-twilio-idempotency-token']).toBe(event.messageSid);
    expect(got?.params).toEqual({
      SmsMessageSid: event.messageSid,
      NumMedia: '0',
      ProfileName: 'XXXX Caller BR-2',
      MessageType: 'interactive',
      SmsSid: event.messageSid,
      WaId: '5524987654321',
      SmsStatus: 'received',
      Body: 'VOICE_CALL_REQUEST',
      ButtonText: 'VOICE_CALL_REQUEST',
      To: 'whatsapp:+554123456789',
      ButtonPayload: 'REJECTED',
      NumSegments: '1',
      ReferralNumMedia: '0',
      MessageSid: event.messageSid,
      AccountSid: accountSid,
      From: 'whatsapp:+5524987654321',
      ApiVersion: '2010-04-01',
    });
  });

  it('asks the fallback URL, with ErrorCode and ErrorUrl, when the messaging webhook fails', async () => {
    d.receiver.on('/broken', (_req, res) => res.writeHead(500).end('boom'));
    const event = received({
      webhook: { url: `${d.receiver.base}/broken`, method: 'POST' },
      fallback: { url: `${d.receiver.base}/fallback`, method: 'POST' },
      messageType: 'text',
      body: 'Hello',
      buttonText: null,
      buttonPayload: null,
    });
    await d.bus.publishDurable('calls.v1.message.received', event, { msgId: event.messageSid });
    const fallback = await waitFor(
      () =>
        d.receiver.received.find(
          (r) => r.path === '/fallback' && r.params.MessageSid === event.messageSid,
        ),
      'the fallback request',
    );
    expect(fallback.signatureValid).toBe(true);
    expect(fallback.params).toMatchObject({
      Body: 'Hello',
      MessageType: 'text',
      ErrorCode: '11200',
      ErrorUrl: `${d.receiver.base}/broken`,
    });
    expect(fallback.params.ButtonPayload).toBeUndefined();
    const primary = d.receiver.received.filter(
      (r) => r.path === '/broken' && r.params.MessageSid === event.messageSid,
    );
    expect(primary.length).toBeGreaterThanOrEqual(1);
    expect(primary[0]?.params.ErrorCode).toBeUndefined();
    const [row] = await d.query<{ status: string; url: string; fallback_url: string | null }>(
      `SELECT status, url, fallback_url FROM webhook_dispatch.webhook_deliveries
       WHERE idempotency_token = $1`,
      [event.messageSid],
    );
    await waitFor(
      async () =>
        (
          await d.query<{ status: string }>(
            `SELECT status FROM webhook_dispatch.webhook_deliveries WHERE idempotency_token = $1`,
            [event.messageSid],
          )
        )[0]?.status === 'delivered',
      'the delivery marked delivered',
    );
    expect(row?.url).toBe(`${d.receiver.base}/fallback`);
    expect(row?.fallback_url).toBeNull();
  });

  it("sends a message's status callbacks in order, signed, with Twilio's message parameters", async () => {
    const messageSid = newSid('SM') as MessageSid;
    const base: Omit<MessageStatusChangedV1, 'status' | 'sequence' | 'errorCode' | 'errorMessage'> =
      {
        messageSid,
        accountSid: accountSid as MessageStatusChangedV1['accountSid'],
        senderSid: senderSid as MessageStatusChangedV1['senderSid'],
        from: 'whatsapp:+554123456789',
        to: 'whatsapp:+5524987654321',
        statusCallback: { url: `${d.receiver.base}/message-status`, method: 'POST' },
        occurredAt: new Date().toISOString(),
      };
    const statuses: [MessageStatusChangedV1['status'], number | null][] = [
      ['queued', null],
      ['sent', null],
      ['failed', 63016],
    ];
    // As call-control's outbox publishes them: in sequence order.
    for (const index of [0, 1, 2]) {
      const [status, errorCode] = statuses[index] ?? ['queued', null];
      await d.bus.publishDurable(
        'calls.v1.message.status-changed',
        {
          ...base,
          status,
          sequence: index,
          errorCode,
          errorMessage: errorCode ? 'outside the window' : null,
        },
        { msgId: `${messageSid}:${index}` },
      );
    }
    const got = await waitFor(() => {
      const hits = d.receiver.received.filter((r) => r.params.MessageSid === messageSid);
      return hits.length === 3 ? hits : undefined;
    }, 'three message status callbacks');
    expect(got.map((r) => r.params.MessageStatus)).toEqual(['queued', 'sent', 'failed']);
    for (const r of got) expect(r.signatureValid).toBe(true);
    expect(got[2]?.params).toEqual({
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      ChannelPrefix: 'whatsapp',
      ChannelToAddress: '+5524987654321',
      From: 'whatsapp:+554123456789',
      MessageSid: messageSid,
      MessageStatus: 'failed',
      SmsSid: messageSid,
      SmsStatus: 'failed',
      To: 'whatsapp:+5524987654321',
      ErrorCode: '63016',
      ErrorMessage: 'outside the window',
    });
  });

  it("sends a Content template's approval changes to the sender's status callback, in order, signed", async () => {
    const contentSid = newSid('HX') as ContentApprovalChangedV1['contentSid'];
    const base = {
      contentSid,
      accountSid: accountSid as ContentApprovalChangedV1['accountSid'],
      senderSid: senderSid as ContentApprovalChangedV1['senderSid'],
      name: 'voice_call_test',
      category: 'UTILITY',
      statusCallback: { url: `${d.receiver.base}/approval-status`, method: 'POST' as const },
      occurredAt: new Date().toISOString(),
    };
    const changes: [ContentApprovalChangedV1['status'], string | null][] = [
      ['received', null],
      ['pending', null],
      ['rejected', 'INVALID_FORMAT'],
    ];
    for (const [index, [status, rejectionReason]] of changes.entries()) {
      await d.bus.publishDurable(
        'calls.v1.content.approval-changed',
        { ...base, status, rejectionReason, sequence: index },
        { msgId: `approval:${contentSid}:${index}` },
      );
    }
    const got = await waitFor(() => {
      const hits = d.receiver.received.filter((r) => r.params.ContentSid === contentSid);
      return hits.length === 3 ? hits : undefined;
    }, 'three approval callbacks');
    expect(got.map((r) => r.params.ApprovalStatus)).toEqual(['received', 'pending', 'rejected']);
    for (const r of got) {
      expect(r.signatureValid).toBe(true);
      expect(r.path).toBe('/approval-status');
    }
    expect(got[2]?.params).toEqual({
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      Channel: 'whatsapp',
      ContentSid: contentSid,
      TemplateName: 'voice_call_test',
      Category: 'UTILITY',
      ApprovalStatus: 'rejected',
      RejectionReason: 'INVALID_FORMAT',
    });
    expect(got[0]?.params.RejectionReason).toBeUndefined();
  });
});
