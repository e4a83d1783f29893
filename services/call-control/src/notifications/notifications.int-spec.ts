import { type CommandRequest, RequestLogEntryV1 } from '@parley/contracts';
import { type Subscription } from 'nats';
import twilio from 'twilio';
import { type RequestLogEntry } from '../clients/request-log.client';
import { type Harness, provisionTenant, startHarness, type Tenant } from '../testing/harness';
import { ParleyRequestClient } from '../testing/twilio-client';

type ListRequest = CommandRequest<'webhooks.v1.request-log.list'>;

/**
 * webhook-dispatch's side of `webhooks.v1.request-log.*` on the real NATS: the log as
 * the dispatcher keeps it (scoped by account, ordered by time and sid), so call-control's
 * paging, filters, tenancy and Twilio shapes are what is tested here. The dispatcher's own
 * query is tested in its request-log.int-spec, the whole path in the e2e suite.
 */
class RequestLogStandIn {
  readonly entries: RequestLogEntry[] = [];
  readonly asked: ListRequest[] = [];
  private readonly subs: Subscription[];

  constructor(h: Harness) {
    this.subs = [
      h.bus.handle('webhooks.v1.request-log.list', (req) => {
        this.asked.push(req);
        return Promise.resolve({ entries: this.list(req) });
      }),
      h.bus.handle('webhooks.v1.request-log.get', (req) =>
        Promise.resolve({
          entry:
            this.entries.find((e) => e.sid === req.sid && e.accountSid === req.accountSid) ?? null,
        }),
      ),
    ];
  }

  private list(req: ListRequest): RequestLogEntry[] {
    const reverse = req.cursor?.direction === 'before';
    const asc = (req.order === 'asc') !== reverse;
    const key = (e: { createdAt: string; sid: string }) => `${e.createdAt}|${e.sid}`;
    const rows = this.entries
      .filter((e) => e.accountSid === req.accountSid)
      .filter((e) => !req.callSid || e.callSid === req.callSid)
      .filter((e) => !req.failedOnly || e.errorCode !== null)
      .filter((e) => !req.logLevel || e.logLevel === req.logLevel)
      .filter((e) => !req.from || e.createdAt >= req.from)
      .filter((e) => !req.to || e.createdAt <= req.to)
      .filter((e) => {
        if (!req.cursor) return true;
        const at = key(req.cursor);
        return asc ? key(e) > at : key(e) < at;
      })
      .sort((a, b) => (asc ? key(a).localeCompare(key(b)) : key(b).localeCompare(key(a))));
    return rows.slice(req.cursor ? 0 : req.offset, (req.cursor ? 0 : req.offset) + req.limit);
  }

  close(): void {
    for (const sub of this.subs) sub.unsubscribe();
  }
}

let seq = 0;
function entry(
  accountSid: string,
  callSid: string | null,
  opts: { at: string; errorCode: number | null; logLevel: 'error' | 'warning' | null },
): RequestLogEntry {
  seq += 1;
  return RequestLogEntryV1.parse({
    sid: `NO${String(seq).padStart(32, '0')}`,
    accountSid,
    callSid,
    resourceSid: callSid,
    kind: 'call-status',
    request: {
      method: 'POST',
      url: 'https://example.com/status',
      params: { CallSid: callSid ?? '', CallStatus: 'completed', SequenceNumber: String(seq) },
      headers: { 'i-twilio-idempotency-token': `${callSid}:${seq}` },
    },
    response:
      opts.errorCode === null
        ? { statusCode: 204, headers: {}, body: '' }
        : { statusCode: 500, headers: { 'content-type': 'text/plain' }, body: 'down' },
    latencyMs: 12,
    errorCode: opts.errorCode,
    logLevel: opts.logLevel,
    message: opts.errorCode === null ? null : 'answered HTTP 500',
    createdAt: opts.at,
  });
}

describe('Notifications, Alerts and Events.json (the request log)', () => {
  let h: Harness;
  let a: Tenant;
  let b: Tenant;
  let log: RequestLogStandIn;
  let callSid: string;
  let warning: RequestLogEntry;
  let error: RequestLogEntry;
  let delivered: RequestLogEntry;
  let otherAccounts: RequestLogEntry;

  beforeAll(async () => {
    h = await startHarness('notifications', { env: { WHATSAPP_NUMBER_CHECK: 'possible' } });
    a = await provisionTenant(h);
    b = await provisionTenant(h);
    await h.simClient.createUser({ waId: '447700900331', behaviour: { onIncomingCall: 'ignore' } });
    await h.simClient.grantPermission('447700900331', a.business.phoneNumberId);
    const call = await a.rest.post(`/2010-04-01/Accounts/${a.account.sid}/Calls.json`, {
      To: 'whatsapp:+447700900331',
      From: a.senderId,
      Url: 'https://example.com/x',
    });
    expect(call.status).toBe(201);
    callSid = String(call.body.sid);
    log = new RequestLogStandIn(h);
    delivered = entry(a.account.sid, callSid, {
      at: '2026-12-01T10:00:00.000Z',
      errorCode: null,
      logLevel: null,
    });
    warning = entry(a.account.sid, callSid, {
      at: '2026-12-01T10:00:01.000Z',
      errorCode: 11200,
      logLevel: 'warning',
    });
    error = entry(a.account.sid, callSid, {
      at: '2026-12-01T10:00:02.000Z',
      errorCode: 11200,
      logLevel: 'error',
    });
    otherAccounts = entry(b.account.sid, null, {
      at: '2026-12-01T10:00:03.000Z',
      errorCode: 11205,
      logLevel: 'error',
    });
    log.entries.push(delivered, warning, error, otherAccounts);
  });

  afterAll(async () => {
    log?.close();
    await h?.close();
  });

  const base = () => `/2010-04-01/Accounts/${a.account.sid}`;

  it("lists a call's failed requests newest first, filtered by Log, one page at a time", async () => {
    const all = await a.rest.get(`${base()}/Calls/${callSid}/Notifications.json`);
    expect(all.status).toBe(200);
    const notifications = all.body.notifications as Record<string, unknown>[];
    expect(notifications.map((n) => [n.sid, n.log, n.error_code])).toEqual([
      [error.sid, '0', '11200'],
      [warning.sid, '1', '11200'],
    ]);
    expect(notifications[0]).toMatchObject({
      account_sid: a.account.sid,
      call_sid: callSid,
      api_version: '2010-04-01',
      request_method: 'POST',
      request_url: 'https://example.com/status',
      date_created: 'Tue, 01 Dec 2026 10:00:02 +0000',
      more_info: 'https://www.twilio.com/docs/errors/11200',
      uri: `${base()}/Notifications/${error.sid}.json`,
    });
    const errorsOnly = await a.rest.get(`${base()}/Calls/${callSid}/Notifications.json?Log=0`);
    expect((errorsOnly.body.notifications as { sid: string }[]).map((n) => n.sid)).toEqual([
      error.sid,
    ]);
    expect((await a.rest.get(`${base()}/Notifications.json?Log=2`)).body.code).toBe(20001);

    const first = await a.rest.get(`${base()}/Notifications.json?PageSize=1`);
    expect((first.body.notifications as { sid: string }[]).map((n) => n.sid)).toEqual([error.sid]);
    const second = await a.rest.get(String(first.body.next_page_uri));
    expect((second.body.notifications as { sid: string }[]).map((n) => n.sid)).toEqual([
      warning.sid,
    ]);
    expect(second.body.next_page_uri).toBeNull();
    const back = await a.rest.get(String(second.body.previous_page_uri));
    expect((back.body.notifications as { sid: string }[]).map((n) => n.sid)).toEqual([error.sid]);
    const day = await a.rest.get(`${base()}/Notifications.json?MessageDate=2026-11-30`);
    expect(day.body.notifications).toEqual([]);
    // Every question carried the authenticated account.
    expect(log.asked.every((q) => q.accountSid === a.account.sid)).toBe(true);
  });

  it('fetches a notification with its request and response; another account gets 20404', async () => {
    const one = await a.rest.get(`${base()}/Notifications/${error.sid}.json`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      sid: error.sid,
      log: '0',
      response_body: 'down',
      response_headers: 'content-type: text/plain',
    });
    expect(String(one.body.request_variables)).toContain('CallStatus=completed');
    const viaCall = await a.rest.get(`${base()}/Calls/${callSid}/Notifications/${error.sid}.json`);
    expect(viaCall.body.sid).toBe(error.sid);
    // A delivered request is no notification.
    expect((await a.rest.get(`${base()}/Notifications/${delivered.sid}.json`)).status).toBe(404);
    const bBase = `/2010-04-01/Accounts/${b.account.sid}`;
    for (const path of [
      `${bBase}/Notifications/${error.sid}.json`,
      `${bBase}/Calls/${callSid}/Notifications.json`,
      `${bBase}/Calls/${callSid}/Notifications/${error.sid}.json`,
      `${bBase}/Calls/${callSid}/Events.json`,
    ]) {
      const res = await b.rest.get(path);
      expect([path, res.status, res.body.code]).toEqual([path, 404, 20404]);
    }
    // B's own log holds only its own entry.
    const bList = await b.rest.get(`${bBase}/Notifications.json`);
    expect((bList.body.notifications as { sid: string }[]).map((n) => n.sid)).toEqual([
      otherAccounts.sid,
    ]);
  });

  it("serves Twilio's call events: every request of the call, oldest first", async () => {
    const res = await a.rest.get(`${base()}/Calls/${callSid}/Events.json`);
    expect(res.status).toBe(200);
    const events = res.body.events as {
      request: { parameters: Record<string, string> };
      response: { response_code: number };
    }[];
    expect(
      events.map((e) => [e.request.parameters.sequence_number, e.response.response_code]),
    ).toEqual([
      [delivered.request.params.SequenceNumber, 204],
      [warning.request.params.SequenceNumber, 500],
      [error.request.params.SequenceNumber, 500],
    ]);
    // The timeline moved to its own path.
    const timeline = await a.rest.get(`${base()}/Calls/${callSid}/Timeline.json`);
    expect((timeline.body.events as { type: string }[]).some((e) => e.type === 'status')).toBe(
      true,
    );
  });

  it('serves Monitor Alerts to the account, and the official SDK reads all three', async () => {
    const alerts = await a.rest.get('/v1/Alerts');
    expect(alerts.status).toBe(200);
    expect((alerts.body.alerts as { sid: string }[]).map((x) => x.sid)).toEqual([
      error.sid,
      warning.sid,
    ]);
    expect(alerts.body.meta).toMatchObject({ key: 'alerts', page: 0, page_size: 50 });
    const errors = await a.rest.get('/v1/Alerts?LogLevel=error&StartDate=2026-12-01T10:00:02Z');
    expect((errors.body.alerts as { sid: string }[]).map((x) => x.sid)).toEqual([error.sid]);
    const one = await a.rest.get(`/v1/Alerts/${warning.sid}`);
    expect(one.body).toMatchObject({
      sid: warning.sid,
      log_level: 'warning',
      resource_sid: callSid,
    });
    expect((await b.rest.get(`/v1/Alerts/${warning.sid}`)).body.code).toBe(20404);

    const client = twilio(a.account.sid, a.account.authToken, {
      httpClient: new ParleyRequestClient(h.url),
    });
    const sdkEvents = await client.calls(callSid).events.list();
    expect(sdkEvents).toHaveLength(3);
    expect(sdkEvents[2]?.response).toMatchObject({ response_code: 500, response_body: 'down' });
    const sdkNotifications = await client.calls(callSid).notifications.list();
    expect(sdkNotifications.map((n) => n.sid)).toEqual([error.sid, warning.sid]);
    const sdkAlerts = await client.monitor.v1.alerts.list({ logLevel: 'warning' });
    expect(sdkAlerts.map((x) => [x.sid, x.errorCode])).toEqual([[warning.sid, '11200']]);
    const sdkAlert = await client.monitor.v1.alerts(error.sid).fetch();
    expect(sdkAlert.responseBody).toBe('down');
  });
});
