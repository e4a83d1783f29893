import { createServer } from 'node:net';
import { type ServerResponse } from 'node:http';
import {
  CallEvents,
  type Dispatcher,
  newSid,
  recordingEvent,
  startDispatcher,
  streamEvent,
  waitFor,
} from '../testing/harness';

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  error_code: number | null;
  callback_sequence: number | null;
  idempotency_token: string;
}

/** A port nothing listens on: connections to it are refused. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('webhook-dispatch delivers callbacks', () => {
  let d: Dispatcher;
  let accountSid: string;

  beforeAll(async () => {
    d = await startDispatcher('deliveries');
    accountSid = newSid('AC');
    d.authTokens.set(accountSid, 'f'.repeat(32));
  }, 60_000);

  afterAll(async () => {
    await d?.close();
  });

  const rows = (callSid: string) =>
    d.query<DeliveryRow>(
      `SELECT id, status, attempts, error_code, callback_sequence, idempotency_token
       FROM webhook_dispatch.webhook_deliveries WHERE call_sid = $1
       ORDER BY event_sequence`,
      [callSid],
    );

  it('sends every requested status of a call, signed, with Twilio parameters, in order', async () => {
    const call = new CallEvents(d.bus, accountSid, {
      url: `${d.receiver.base}/status`,
      method: 'POST',
      events: ['initiated', 'ringing', 'answered', 'completed'],
    });
    await call.publish('initiated');
    await call.publish('ringing');
    await call.publish('in-progress');
    const completed = await call.publish('completed');
    // The same event again under another message id (a republish): nothing new is sent.
    await d.bus.publishDurable('calls.v1.call.status-changed', completed, {
      msgId: `${completed.callSid}:${completed.sequence}:again`,
    });
    const got = await waitFor(
      () => d.receiver.forCall(call.callSid).length === 4 && d.receiver.forCall(call.callSid),
      'four status callbacks',
    );
    expect(got.map((r) => [r.params.CallStatus, r.params.SequenceNumber])).toEqual([
      ['initiated', '0'],
      ['ringing', '1'],
      ['in-progress', '2'],
      ['completed', '3'],
    ]);
    for (const r of got) {
      expect(r.signatureValid).toBe(true);
      expect(r.method).toBe('POST');
      expect(r.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(r.params).toMatchObject({
        AccountSid: accountSid,
        CallSid: call.callSid,
        From: 'whatsapp:+14155550100',
        To: 'whatsapp:+4915112345678',
        Caller: 'whatsapp:+14155550100',
        Called: 'whatsapp:+4915112345678',
        Direction: 'outbound-api',
        ApiVersion: '2010-04-01',
        CallbackSource: 'call-progress-events',
      });
      expect(r.params.Timestamp).toMatch(
        /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/,
      );
    }
    expect(got[3]?.params).toMatchObject({ CallDuration: '75', Duration: '2' });
    expect(got[0]?.params.CallDuration).toBeUndefined();
    expect(got.map((r) => r.headers['i-twilio-idempotency-token'])).toEqual(
      [1, 2, 3, 4].map((seq) => `${call.callSid}:${seq}`),
    );
    const recorded = await waitFor(async () => {
      const all = await rows(call.callSid);
      return all.every((r) => r.status === 'delivered') && all;
    }, 'every delivery recorded as delivered');
    expect(recorded).toHaveLength(4);
  });

  it('sends only the events asked for; GET carries the parameters in the signed query', async () => {
    const call = new CallEvents(d.bus, accountSid, {
      url: `${d.receiver.base}/get-status?tenant=7`,
      method: 'GET',
      events: ['completed'],
    });
    await call.publish('initiated');
    await call.publish('ringing');
    await call.publish('busy');
    const [only] = await waitFor(
      () => d.receiver.forCall(call.callSid).length > 0 && d.receiver.forCall(call.callSid),
      'the completed callback',
    );
    expect(only).toMatchObject({ method: 'GET', path: '/get-status', signatureValid: true });
    expect(only?.params).toMatchObject({ tenant: '7', CallStatus: 'busy', SequenceNumber: '0' });
    expect(await rows(call.callSid)).toHaveLength(1);
  });

  it('sends the RecordingStatusCallback with its parameters', async () => {
    const callSid = newSid('CA');
    const event = recordingEvent(accountSid, callSid, {
      status: 'completed',
      channels: 2,
      durationSec: 9,
      mediaUrl: `https://parley.example/2010-04-01/Accounts/${accountSid}/Recordings/RE1`,
      statusCallback: {
        url: `${d.receiver.base}/recording`,
        method: 'POST',
        events: ['completed'],
      },
    });
    await d.bus.publishDurable('calls.v1.recording.status-changed', event, {
      msgId: `${event.recordingSid}:${event.status}`,
    });
    const [got] = await waitFor(
      () => d.receiver.forCall(callSid).length > 0 && d.receiver.forCall(callSid),
      'the recording callback',
    );
    expect(got?.signatureValid).toBe(true);
    const { RecordingStartTime, ...rest } = got?.params ?? {};
    expect(RecordingStartTime).toMatch(
      /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} [\d:]{8} \+0000$/,
    );
    expect(rest).toEqual({
      AccountSid: accountSid,
      CallSid: callSid,
      RecordingSid: event.recordingSid,
      RecordingStatus: 'completed',
      RecordingChannels: '2',
      RecordingSource: 'OutboundAPI',
      RecordingTrack: 'both',
      RecordingUrl: event.mediaUrl,
      RecordingDuration: '9',
    });
  });

  it("sends a stream's stream-started and stream-error callbacks, signed, in order", async () => {
    const callSid = newSid('CA');
    const streamSid = newSid('MZ');
    const base = {
      streamSid,
      name: 'agent',
      statusCallback: { url: `${d.receiver.base}/stream`, method: 'POST' as const },
    };
    await d.bus.publishDurable(
      'calls.v1.stream.status-changed',
      streamEvent(accountSid, callSid, {
        ...base,
        event: 'stream-started',
        occurredAt: '2026-12-01T05:00:00.000Z',
      }),
      { msgId: `${streamSid}:stream-started` },
    );
    await d.bus.publishDurable(
      'calls.v1.stream.status-changed',
      streamEvent(accountSid, callSid, {
        ...base,
        event: 'stream-error',
        error: 'the WebSocket closed with 1011',
        errorCode: 31921,
        occurredAt: '2026-12-01T05:00:09.000Z',
      }),
      { msgId: `${streamSid}:stream-error` },
    );
    const got = await waitFor(
      () => d.receiver.forCall(callSid).length === 2 && d.receiver.forCall(callSid),
      'both stream callbacks',
    );
    expect(got.map((r) => [r.path, r.signatureValid])).toEqual([
      ['/stream', true],
      ['/stream', true],
    ]);
    expect(got.map((r) => r.params)).toEqual([
      {
        AccountSid: accountSid,
        CallSid: callSid,
        StreamSid: streamSid,
        StreamName: 'agent',
        StreamEvent: 'stream-started',
        Timestamp: '2026-12-01T05:00:00.000Z',
      },
      {
        AccountSid: accountSid,
        CallSid: callSid,
        StreamSid: streamSid,
        StreamName: 'agent',
        StreamEvent: 'stream-error',
        StreamError: 'the WebSocket closed with 1011',
        Timestamp: '2026-12-01T05:00:09.000Z',
      },
    ]);
  });

  it('retries after 500s, then succeeds, with one idempotency token and signature', async () => {
    let failures = 2;
    d.receiver.on('/flaky', (_req, res: ServerResponse) => {
      if (failures-- > 0) res.writeHead(500).end('down');
      else res.writeHead(204).end();
    });
    const call = new CallEvents(d.bus, accountSid, {
      url: `${d.receiver.base}/flaky`,
      method: 'POST',
      events: ['completed'],
    });
    await call.publish('no-answer');
    const [row] = await waitFor(async () => {
      const all = await rows(call.callSid);
      return all[0]?.status === 'delivered' && all;
    }, 'the delivery to succeed');
    expect(row).toMatchObject({ attempts: 3, error_code: null });
    const got = d.receiver.forCall(call.callSid);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.headers['i-twilio-idempotency-token']))).toEqual(
      new Set([`${call.callSid}:1`]),
    );
    expect(new Set(got.map((r) => r.headers['x-twilio-signature'])).size).toBe(1);
    expect(got.every((r) => r.signatureValid && r.params.SequenceNumber === '0')).toBe(true);
  });

  it('records a dead endpoint as failed with its Twilio code, and re-drives it on command', async () => {
    const port = await deadPort();
    const call = new CallEvents(d.bus, accountSid, {
      url: `http://127.0.0.1:${port}/gone#rc=0`,
      method: 'POST',
      events: ['completed'],
    });
    await call.publish('completed');
    const [failed] = await waitFor(async () => {
      const all = await rows(call.callSid);
      return all[0]?.status === 'failed' && all;
    }, 'the delivery to fail');
    expect(failed).toMatchObject({ attempts: 3, error_code: 11205 });

    const reply = await d.bus.request(
      'webhooks.v1.deliveries.redrive',
      { deliveryIds: [failed!.id] },
      { timeoutMs: 5_000 },
    );
    expect(reply).toEqual({ redriven: 1 });
    // Sent again from scratch: three more attempts, then failed again.
    await waitFor(async () => {
      const [row] = await rows(call.callSid);
      return row?.status === 'failed' && row.attempts === 3 && row;
    }, 'the re-driven delivery to fail again');
  });

  it('holds a later callback of a call while an earlier one is retried', async () => {
    let failures = 2;
    d.receiver.on('/ordered', (req, res: ServerResponse) => {
      if (req.params.CallStatus === 'ringing' && failures-- > 0) res.writeHead(503).end();
      else res.writeHead(200).end();
    });
    const call = new CallEvents(d.bus, accountSid, {
      url: `${d.receiver.base}/ordered`,
      method: 'POST',
      events: ['ringing', 'answered'],
    });
    await call.publish('ringing');
    await call.publish('in-progress');
    await waitFor(async () => {
      const all = await rows(call.callSid);
      return all.length === 2 && all.every((r) => r.status === 'delivered');
    }, 'both deliveries');
    expect(
      d.receiver.forCall(call.callSid).map((r) => [r.params.CallStatus, r.params.SequenceNumber]),
    ).toEqual([
      ['ringing', '0'],
      ['ringing', '0'],
      ['ringing', '0'],
      ['in-progress', '1'],
    ]);
  });
});
