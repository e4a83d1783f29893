import { RequestLogEntryV1 } from '@parley/contracts';
import {
  serializeAlert,
  serializeNotification,
  serializeTwilioCallEvent,
  snakeCase,
} from './request-log-views';

const entry = RequestLogEntryV1.parse({
  sid: 'NO0123456789abcdef0123456789abcdef',
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  callSid: 'CA0123456789abcdef0123456789abcdef',
  resourceSid: 'CA0123456789abcdef0123456789abcdef',
  kind: 'call-status',
  request: {
    method: 'POST',
    url: 'https://example.com/status',
    params: { CallSid: 'CA0123456789abcdef0123456789abcdef', CallStatus: 'completed' },
    headers: { 'i-twilio-idempotency-token': 'CA0123456789abcdef0123456789abcdef:3' },
  },
  response: { statusCode: 500, headers: { 'content-type': 'text/plain' }, body: 'down' },
  latencyMs: 42,
  errorCode: 11200,
  logLevel: 'error',
  message: 'answered HTTP 500',
  createdAt: '2026-12-02T10:00:00.000Z',
});

describe('request log views', () => {
  it('names parameters in snake_case as Twilio shows call events', () => {
    expect(
      ['CallSid', 'SequenceNumber', 'ApiVersion', 'SipResponseCode', 'To'].map(snakeCase),
    ).toEqual(['call_sid', 'sequence_number', 'api_version', 'sip_response_code', 'to']);
  });

  it('is a Notification: log 0 for an error, details only when fetched', () => {
    const listed = serializeNotification(entry, { instance: false });
    expect(listed).toMatchObject({
      log: '0',
      error_code: '11200',
      request_url: 'https://example.com/status',
      date_created: 'Wed, 02 Dec 2026 10:00:00 +0000',
      more_info: 'https://www.twilio.com/docs/errors/11200',
      uri: `/2010-04-01/Accounts/${entry.accountSid}/Notifications/${entry.sid}.json`,
    });
    expect(listed.response_body).toBeUndefined();
    expect(serializeNotification({ ...entry, logLevel: 'warning' }, { instance: false }).log).toBe(
      '1',
    );
    expect(serializeNotification(entry, { instance: true })).toMatchObject({
      request_variables: `CallSid=${entry.callSid}&CallStatus=completed`,
      response_body: 'down',
      response_headers: 'content-type: text/plain',
    });
  });

  it('is an Alert with its absolute url', () => {
    expect(
      serializeAlert(entry, { instance: true, baseUrl: 'https://parley.example' }),
    ).toMatchObject({
      log_level: 'error',
      resource_sid: entry.callSid,
      url: `https://parley.example/v1/Alerts/${entry.sid}`,
      request_headers: `i-twilio-idempotency-token: ${entry.callSid}:3`,
    });
  });

  it("is a call event: Twilio's request and response", () => {
    expect(serializeTwilioCallEvent(entry)).toEqual({
      request: {
        method: 'POST',
        url: 'https://example.com/status',
        parameters: { call_sid: entry.callSid, call_status: 'completed' },
        headers: entry.request.headers,
      },
      response: {
        date_created: 'Wed, 02 Dec 2026 10:00:00 +0000',
        request_duration: 42,
        response_code: 500,
        content_type: 'text/plain',
        response_body: 'down',
        headers: { 'content-type': 'text/plain' },
        error_code: 11200,
      },
    });
    expect(serializeTwilioCallEvent({ ...entry, response: null }).response).toMatchObject({
      response_code: null,
      response_body: null,
    });
  });
});
