import { CALL_STATUSES } from '@parley/contracts';
import { type CallEntity } from './call.entity';
import {
  CallResource,
  REST_CALL_STATUSES,
  restCallStatus,
  serializeCall,
  storedCallStatuses,
} from './call.resource';

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
});

describe("the REST status: Twilio's Call resource statuses only", () => {
  it('shows an initiated call as queued (initiated is a status-callback event only)', () => {
    expect(serializeCall({ ...call, status: 'initiated' }).status).toBe('queued');
    expect(restCallStatus('initiated')).toBe('queued');
  });

  it.each(REST_CALL_STATUSES)('shows %s as itself', (status) => {
    expect(restCallStatus(status)).toBe(status);
  });

  it('covers every stored status with a REST status, and a queued filter finds initiated calls', () => {
    for (const status of CALL_STATUSES) {
      expect(REST_CALL_STATUSES).toContain(restCallStatus(status));
    }
    expect(storedCallStatuses('queued')).toEqual(['queued', 'initiated']);
    expect(storedCallStatuses('ringing')).toEqual(['ringing']);
  });
});
