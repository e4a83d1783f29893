import { type CallEntity } from './call.entity';
import { CallResource, REST_CALL_STATUSES, serializeCall } from './call.resource';

const call = {
  sid: 'CA' + 'a'.repeat(32),
  accountSid: 'AC' + 'b'.repeat(32),
  senderSid: 'XE' + 'c'.repeat(32),
  parentCallSid: null,
  applicationSid: null,
  direction: 'outbound-api',
  from: 'whatsapp:+14155550100',
  to: 'whatsapp:+5524987654321',
  status: 'completed',
  callerName: null,
  metaCallId: 'wacid.X',
  duration: 42,
  startTime: new Date('2010-08-31T20:36:28Z'),
  endTime: new Date('2010-08-31T20:37:10Z'),
  dateCreated: new Date('2010-08-31T20:36:00Z'),
  dateUpdated: new Date('2010-08-31T20:37:10Z'),
} as CallEntity;

describe('the Twilio Call resource', () => {
  it('writes snake_case fields, RFC 2822 dates, duration as a string and relative uris', () => {
    const json = serializeCall(call);
    expect(json).toMatchObject({
      sid: call.sid,
      account_sid: call.accountSid,
      api_version: '2010-04-01',
      status: 'completed',
      direction: 'outbound-api',
      from: 'whatsapp:+14155550100',
      to: 'whatsapp:+5524987654321',
      duration: '42',
      start_time: 'Tue, 31 Aug 2010 20:36:28 +0000',
      end_time: 'Tue, 31 Aug 2010 20:37:10 +0000',
      date_created: 'Tue, 31 Aug 2010 20:36:00 +0000',
      parent_call_sid: null,
      price: null,
      price_unit: 'USD',
      uri: `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}.json`,
      subresource_uris: {
        events: `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}/Events.json`,
      },
    });
    // The documented schema and the serializer agree.
    expect(CallResource.strict().safeParse(json).success).toBe(true);
  });

  it('leaves duration and times null until known', () => {
    const json = serializeCall({
      ...call,
      status: 'queued',
      duration: null,
      startTime: null,
      endTime: null,
    });
    expect([json.duration, json.start_time, json.end_time]).toEqual([null, null, null]);
  });

  it("shows the internal `initiated` as Twilio's REST `queued`; every other status as it is", () => {
    expect(serializeCall({ ...call, status: 'initiated' }).status).toBe('queued');
    for (const status of ['queued', 'ringing', 'in-progress', 'busy', 'no-answer'] as const) {
      expect(serializeCall({ ...call, status }).status).toBe(status);
    }
    expect(REST_CALL_STATUSES).not.toContain('initiated');
    expect(
      CallResource.strict().safeParse({ ...serializeCall(call), status: 'initiated' }).success,
    ).toBe(false);
  });
});
