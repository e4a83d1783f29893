import { type CallStatusChangedV1 } from '@parley/contracts';
import { callOutcome } from './call-outcome';

const AT = '2026-12-02T10:00:00.000Z';
const START = '2026-12-02T09:59:00.000Z';

function event(over: Partial<CallStatusChangedV1>): CallStatusChangedV1 {
  return {
    callSid: `CA${'1'.repeat(32)}`,
    accountSid: `AC${'2'.repeat(32)}`,
    parentCallSid: null,
    direction: 'outbound-api',
    from: 'whatsapp:+15550100001',
    to: 'whatsapp:+4915112345678',
    status: 'ringing',
    previousStatus: null,
    sequence: 1,
    occurredAt: AT,
    startTime: null,
    endTime: null,
    durationSec: null,
    errorCode: null,
    statusCallback: null,
    ...over,
  } as CallStatusChangedV1;
}

describe('callOutcome', () => {
  it.each([
    ['queued', {}, 'placed'],
    ['ringing', { metaCallId: 'wacid.1' }, 'placed'],
    ['in-progress', { startTime: START, metaCallId: 'wacid.1' }, 'connected'],
    ['completed', { startTime: START, metaCallId: 'wacid.1' }, 'connected'],
    ['failed', { startTime: START, metaCallId: 'wacid.1' }, 'connected'],
    ['no-answer', { metaCallId: 'wacid.1' }, 'missed'],
    ['busy', { metaCallId: 'wacid.1' }, 'missed'],
    ['completed', { metaCallId: 'wacid.1' }, 'missed'],
    // Older publishers: no field at all still means Meta was reached for no-answer / busy.
    ['no-answer', {}, 'missed'],
    ['no-answer', { metaCallId: null }, 'released'],
    ['failed', { metaCallId: null }, 'released'],
    ['failed', { metaCallId: 'wacid.1' }, 'released'],
    ['canceled', { metaCallId: null }, 'released'],
    ['canceled', { metaCallId: 'wacid.1' }, 'released'],
  ] as const)('%s %j is %s', (status, over, kind) => {
    expect(callOutcome(event({ status, ...over })).kind).toBe(kind);
  });

  it('dates a connected call from its answer', () => {
    expect(callOutcome(event({ status: 'completed', startTime: START }))).toEqual({
      kind: 'connected',
      at: new Date(START),
    });
  });
});
