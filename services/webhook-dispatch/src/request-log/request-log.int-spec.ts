import { type ServerResponse } from 'node:http';
import { type CommandReply } from '@parley/contracts';
import { RequestLogPruner } from './request-log-pruner';
import { CallEvents, type Dispatcher, newSid, startDispatcher, waitFor } from '../testing/harness';

type Entry = CommandReply<'webhooks.v1.request-log.list'>['entries'][number];

describe('the request log (notifications, alerts, call events)', () => {
  let d: Dispatcher;
  let accountSid: string;
  let otherAccountSid: string;

  beforeAll(async () => {
    d = await startDispatcher('request-log');
    accountSid = newSid('AC');
    otherAccountSid = newSid('AC');
    d.authTokens.set(accountSid, 'f'.repeat(32));
    d.authTokens.set(otherAccountSid, 'e'.repeat(32));
  }, 60_000);

  afterAll(async () => {
    await d?.close();
  });

  const list = (req: {
    accountSid: string;
    callSid?: string;
    failedOnly?: boolean;
    logLevel?: 'error' | 'warning';
    order?: 'asc' | 'desc';
    limit?: number;
    cursor?: { direction: 'after' | 'before'; createdAt: string; sid: string };
  }): Promise<Entry[]> =>
    d.bus
      .request('webhooks.v1.request-log.list', { limit: 100, ...req }, { timeoutMs: 10_000 })
      .then((reply) => reply.entries);

  it('logs every attempt with request and response; failures are warnings, then an error', async () => {
    d.receiver.on('/always-500', (_req, res: ServerResponse) => {
      res.writeHead(500, { 'content-type': 'text/plain', 'x-receiver': 'broken' }).end('kaputt');
    });
    const call = new CallEvents(d.bus, accountSid, {
      url: `${d.receiver.base}/always-500#rc=0`,
      method: 'POST',
      events: ['completed'],
    });
    await call.publish('completed');
    const entries = await waitFor(async () => {
      const got = await list({ accountSid, callSid: call.callSid, order: 'asc' });
      return got.length === 3 && got;
    }, 'three attempts logged (DELIVERY_MAX_ATTEMPTS=3)');
    expect(entries.map((e) => e.logLevel)).toEqual(['warning', 'warning', 'error']);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        accountSid,
        callSid: call.callSid,
        resourceSid: call.callSid,
        kind: 'call-status',
        errorCode: 11200,
        request: {
          method: 'POST',
          url: `${d.receiver.base}/always-500`,
          headers: { 'i-twilio-idempotency-token': `${call.callSid}:1` },
        },
        response: { statusCode: 500, body: 'kaputt' },
      });
      expect(entry.sid).toMatch(/^NO[0-9a-f]{32}$/);
      expect(entry.request.params).toMatchObject({
        CallStatus: 'completed',
        CallSid: call.callSid,
      });
      expect(entry.response?.headers['x-receiver']).toBe('broken');
    }
    // The error alone, and fetched by sid.
    const errors = await list({ accountSid, logLevel: 'error', failedOnly: true });
    expect(errors.map((e) => e.sid)).toEqual([entries[2]?.sid]);
    const fetched = await d.bus.request(
      'webhooks.v1.request-log.get',
      { accountSid, sid: entries[2]!.sid },
      { timeoutMs: 10_000 },
    );
    expect(fetched.entry).toEqual(entries[2]);
  });

  it('logs a delivered request without a level, and keeps accounts apart', async () => {
    d.receiver.on('/ok', (_req, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"fine":true}');
    });
    const call = new CallEvents(d.bus, otherAccountSid, {
      url: `${d.receiver.base}/ok`,
      method: 'GET',
      events: ['initiated', 'completed'],
    });
    await call.publish('initiated');
    await call.publish('completed');
    const entries = await waitFor(async () => {
      const got = await list({ accountSid: otherAccountSid, callSid: call.callSid, order: 'asc' });
      return got.length === 2 && got;
    }, 'both requests logged');
    expect(entries.map((e) => [e.request.params.CallStatus, e.logLevel, e.errorCode])).toEqual([
      ['initiated', null, null],
      ['completed', null, null],
    ]);
    expect(entries[0]?.response).toMatchObject({ statusCode: 200, body: '{"fine":true}' });
    expect(await list({ accountSid: otherAccountSid, failedOnly: true })).toEqual([]);
    // Another account sees none of them, by list or by sid.
    expect(await list({ accountSid, callSid: call.callSid })).toEqual([]);
    const foreign = await d.bus.request(
      'webhooks.v1.request-log.get',
      { accountSid, sid: entries[0]!.sid },
      { timeoutMs: 10_000 },
    );
    expect(foreign.entry).toBeNull();
    // Keyset paging: the page after the first entry is the second.
    const next = await list({
      accountSid: otherAccountSid,
      callSid: call.callSid,
      order: 'asc',
      limit: 1,
      cursor: { direction: 'after', createdAt: entries[0]!.createdAt, sid: entries[0]!.sid },
    });
    expect(next.map((e) => e.sid)).toEqual([entries[1]?.sid]);
  });

  it('prunes entries past the retention', async () => {
    const [row] = await d.query<{ sid: string }>(
      `SELECT sid FROM webhook_dispatch.request_log WHERE account_sid = $1 LIMIT 1`,
      [otherAccountSid],
    );
    await d.query(
      `UPDATE webhook_dispatch.request_log SET created_at = now() - interval '31 days' WHERE sid = $1`,
      [row!.sid],
    );
    const deleted = await d.app.app.get(RequestLogPruner).prune();
    expect(deleted).toBe(1);
    const left = await d.query(`SELECT 1 FROM webhook_dispatch.request_log WHERE sid = $1`, [
      row!.sid,
    ]);
    expect(left).toEqual([]);
  });
});
