import { type RecordingCompletedV1 } from '@parley/contracts';
import { FakeCall, verbOf } from '../testing/fake-call';
import { VerbRegistry } from './verb-registry';

const RECORD = verbOf('Record', '<Record action="/voicemail" finishOnKey="#" maxLength="30"/>');

function finished(over: Partial<RecordingCompletedV1> = {}): RecordingCompletedV1 {
  return {
    recordingSid: 'RE00000000000000000000000000000001' as RecordingCompletedV1['recordingSid'],
    accountSid: 'AC00000000000000000000000000000001' as RecordingCompletedV1['accountSid'],
    callSid: 'CA00000000000000000000000000000001' as RecordingCompletedV1['callSid'],
    source: 'RecordVerb',
    track: 'inbound',
    status: 'completed',
    reason: 'finish-key',
    finishedOnKey: '#',
    durationSec: 4,
    channels: 1,
    storageUri: 'file:///tmp/x.wav',
    sizeBytes: 100,
    startedAt: '2026-12-02T10:00:00.000Z',
    completedAt: '2026-12-02T10:00:04.000Z',
    ...over,
  };
}

describe('Record', () => {
  const registry = new VerbRegistry();
  const URL = 'https://parley.example.com/Recordings/RE1';

  it.each([
    {
      rule: 'finished on its key: action gets the recording and Digits=#',
      recording: { completed: finished(), mediaUrl: URL, callerHungUp: false },
      next: 'fetch',
      digits: '#',
    },
    {
      rule: 'the caller hangs up: action still gets the recording with Digits=hangup',
      recording: {
        completed: finished({ reason: 'hangup', finishedOnKey: null }),
        mediaUrl: URL,
        callerHungUp: true,
      },
      next: 'notify',
      digits: 'hangup',
    },
  ])('$rule', async ({ recording, next, digits }) => {
    const call = new FakeCall();
    call.recording = recording;
    const outcome = await registry.create(RECORD).execute(RECORD, call.ctx);
    expect(outcome.next).toBe(next);
    if (outcome.next !== 'fetch' && outcome.next !== 'notify') throw new Error('no action');
    expect(outcome.request.source).toMatchObject({ url: 'https://app.example.com/voicemail' });
    expect(outcome.request.parameters).toMatchObject({
      RecordingUrl: URL,
      RecordingDuration: '4',
      Digits: digits,
    });
    if (next === 'notify') expect(outcome.request.parameters.CallStatus).toBe('completed');
  });

  it('an empty recording continues the document; after a hang-up the session just ends', async () => {
    const call = new FakeCall();
    call.recording = {
      completed: finished({ status: 'absent' }),
      mediaUrl: null,
      callerHungUp: false,
    };
    await expect(registry.create(RECORD).execute(RECORD, call.ctx)).resolves.toEqual({
      next: 'continue',
    });
    call.recording = { ...call.recording, callerHungUp: true };
    await expect(registry.create(RECORD).execute(RECORD, call.ctx)).rejects.toMatchObject({
      reason: 'caller-hangup',
    });
  });
});
