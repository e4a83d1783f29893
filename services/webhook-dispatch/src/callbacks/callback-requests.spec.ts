import {
  type CallSid,
  type CallStatusChangedV1,
  type RecordingStatusChangedV1,
  type StreamStatusChangedV1,
} from '@parley/contracts';
import {
  callStatusCallback,
  recordingStatusCallback,
  rfc2822,
  streamStatusCallback,
  statusCallbackEventOf,
} from './callback-requests';

const CALL = `CA${'1'.repeat(32)}`;
const PARENT = `CA${'2'.repeat(32)}` as CallSid;
const ACCOUNT = `AC${'3'.repeat(32)}`;
const RECORDING = `RE${'4'.repeat(32)}`;

function callEvent(over: Partial<CallStatusChangedV1> = {}): CallStatusChangedV1 {
  return {
    callSid: CALL,
    accountSid: ACCOUNT,
    parentCallSid: null,
    direction: 'outbound-api',
    from: 'whatsapp:+14155550100',
    to: 'whatsapp:+14155550199',
    status: 'ringing',
    previousStatus: 'initiated',
    sequence: 2,
    occurredAt: '2026-12-01T05:04:09.123Z',
    startTime: null,
    endTime: null,
    durationSec: null,
    errorCode: null,
    statusCallback: {
      url: 'https://example.com/status#rc=3',
      method: 'POST',
      events: ['initiated', 'ringing', 'answered', 'completed'],
    },
    ...over,
  } as CallStatusChangedV1;
}

describe('call status callbacks', () => {
  it('maps call statuses to Twilio progress events', () => {
    expect(statusCallbackEventOf('queued')).toBeNull();
    expect(statusCallbackEventOf('initiated')).toBe('initiated');
    expect(statusCallbackEventOf('ringing')).toBe('ringing');
    expect(statusCallbackEventOf('in-progress')).toBe('answered');
    for (const end of ['completed', 'busy', 'failed', 'no-answer', 'canceled'] as const) {
      expect(statusCallbackEventOf(end)).toBe('completed');
    }
  });

  it('builds the documented parameters, keyed by call and transition', () => {
    const request = callStatusCallback(callEvent());
    expect(request).toEqual({
      kind: 'call-status',
      eventKey: `${CALL}:2`,
      accountSid: ACCOUNT,
      callSid: CALL,
      orderKey: CALL,
      eventSequence: 2,
      url: 'https://example.com/status#rc=3',
      method: 'POST',
      params: {
        AccountSid: ACCOUNT,
        CallSid: CALL,
        From: 'whatsapp:+14155550100',
        To: 'whatsapp:+14155550199',
        Caller: 'whatsapp:+14155550100',
        Called: 'whatsapp:+14155550199',
        CallStatus: 'ringing',
        Direction: 'outbound-api',
        ApiVersion: '2010-04-01',
        Timestamp: 'Tue, 01 Dec 2026 05:04:09 +0000',
        CallbackSource: 'call-progress-events',
      },
    });
  });

  it('adds durations, the parent and the error code when the call ends', () => {
    const request = callStatusCallback(
      callEvent({
        status: 'failed',
        parentCallSid: PARENT,
        direction: 'outbound-dial',
        durationSec: 61,
        errorCode: 31005,
      }),
    );
    expect(request?.params).toMatchObject({
      CallStatus: 'failed',
      ParentCallSid: PARENT,
      CallDuration: '61',
      Duration: '2',
      ErrorCode: '31005',
    });
  });

  it('sends nothing for events the business did not ask for, or without a callback', () => {
    const onlyCompleted = {
      url: 'https://example.com/s',
      method: 'GET' as const,
      events: ['completed' as const],
    };
    expect(callStatusCallback(callEvent({ statusCallback: onlyCompleted }))).toBeNull();
    expect(callStatusCallback(callEvent({ status: 'queued' }))).toBeNull();
    expect(callStatusCallback(callEvent({ statusCallback: null }))).toBeNull();
    expect(
      callStatusCallback(callEvent({ status: 'no-answer', statusCallback: onlyCompleted }))?.params
        .CallStatus,
    ).toBe('no-answer');
  });
});

describe('recording status callbacks', () => {
  const event: RecordingStatusChangedV1 = {
    recordingSid: RECORDING,
    accountSid: ACCOUNT,
    callSid: CALL,
    status: 'completed',
    source: 'OutboundAPI',
    channels: 2,
    track: 'both',
    startTime: '2026-12-01T05:00:00.000Z',
    durationSec: 7,
    errorCode: null,
    mediaUrl: `https://parley.example/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RECORDING}`,
    statusCallback: { url: 'https://example.com/rec', method: 'POST', events: ['completed'] },
    occurredAt: '2026-12-01T05:00:08.000Z',
  } as RecordingStatusChangedV1;

  it('builds Twilio RecordingStatusCallback parameters, keyed by recording and status', () => {
    expect(recordingStatusCallback(event)).toEqual({
      kind: 'recording-status',
      eventKey: `${RECORDING}:completed`,
      accountSid: ACCOUNT,
      callSid: CALL,
      orderKey: RECORDING,
      eventSequence: 1,
      url: 'https://example.com/rec',
      method: 'POST',
      params: {
        AccountSid: ACCOUNT,
        CallSid: CALL,
        RecordingSid: RECORDING,
        RecordingStatus: 'completed',
        RecordingChannels: '2',
        RecordingSource: 'OutboundAPI',
        RecordingTrack: 'both',
        RecordingStartTime: 'Tue, 01 Dec 2026 05:00:00 +0000',
        RecordingUrl: event.mediaUrl,
        RecordingDuration: '7',
      },
    });
  });

  it('skips statuses not subscribed', () => {
    expect(recordingStatusCallback({ ...event, status: 'in-progress' })).toBeNull();
  });

  it('writes RFC 2822 dates in UTC', () => {
    expect(rfc2822('2027-01-09T23:59:59Z')).toBe('Sat, 09 Jan 2027 23:59:59 +0000');
  });
});

describe('stream status callbacks', () => {
  const STREAM = `MZ${'5'.repeat(32)}`;
  const event = {
    streamSid: STREAM,
    accountSid: ACCOUNT,
    callSid: CALL,
    name: null,
    event: 'stream-started',
    error: null,
    errorCode: null,
    statusCallback: { url: 'https://example.com/streams', method: 'GET' },
    occurredAt: '2026-12-01T05:00:00.250Z',
  } as StreamStatusChangedV1;

  it("builds Twilio's stream event parameters, keyed by stream and event, started first", () => {
    expect(streamStatusCallback(event)).toEqual({
      kind: 'stream-status',
      eventKey: `${STREAM}:stream-started`,
      accountSid: ACCOUNT,
      callSid: CALL,
      orderKey: STREAM,
      eventSequence: 0,
      url: 'https://example.com/streams',
      method: 'GET',
      params: {
        AccountSid: ACCOUNT,
        CallSid: CALL,
        StreamSid: STREAM,
        StreamName: STREAM,
        StreamEvent: 'stream-started',
        Timestamp: '2026-12-01T05:00:00.250Z',
      },
    });
  });

  it('names the stream and says what failed on stream-error, after the start', () => {
    const request = streamStatusCallback({
      ...event,
      name: 'agent',
      event: 'stream-error',
      error: 'the WebSocket handshake failed: 404',
      errorCode: 31920,
    });
    expect(request?.eventSequence).toBe(1);
    expect(request?.params).toMatchObject({
      StreamName: 'agent',
      StreamEvent: 'stream-error',
      StreamError: 'the WebSocket handshake failed: 404',
    });
  });

  it('sends nothing for a stream without a statusCallback', () => {
    expect(streamStatusCallback({ ...event, statusCallback: null })).toBeNull();
  });
});
