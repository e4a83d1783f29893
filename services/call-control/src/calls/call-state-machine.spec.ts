import { CALL_STATUSES, type CallStatus, isTerminalCallStatus } from '@parley/contracts';
import { callDuration, decideTransition, TRANSITIONS } from './call-state-machine';

const ORDER: Record<CallStatus, number> = {
  queued: 0,
  initiated: 1,
  ringing: 2,
  'in-progress': 3,
  completed: 4,
  busy: 4,
  failed: 4,
  'no-answer': 4,
  canceled: 4,
};

describe('call state machine', () => {
  it('covers every status', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...CALL_STATUSES].sort());
  });

  it('only ever moves forward', () => {
    for (const from of CALL_STATUSES) {
      for (const to of TRANSITIONS[from]) expect(ORDER[to]).toBeGreaterThan(ORDER[from]);
    }
  });

  it('lets nothing follow a terminal status', () => {
    for (const from of CALL_STATUSES.filter(isTerminalCallStatus)) {
      for (const to of CALL_STATUSES) {
        expect(decideTransition(from, to).kind).toBe(from === to ? 'same' : 'stale');
      }
    }
  });

  it.each<[CallStatus, CallStatus]>([
    ['queued', 'initiated'],
    ['initiated', 'ringing'],
    ['ringing', 'in-progress'],
    ['initiated', 'in-progress'],
    ['in-progress', 'completed'],
    ['in-progress', 'failed'],
    ['ringing', 'busy'],
    ['ringing', 'no-answer'],
    ['queued', 'canceled'],
    ['queued', 'failed'],
    ['ringing', 'completed'],
  ])('allows %s -> %s', (from, to) => {
    expect(decideTransition(from, to)).toEqual({ kind: 'move' });
  });

  it.each<[CallStatus, CallStatus]>([
    ['in-progress', 'ringing'],
    ['ringing', 'initiated'],
    ['in-progress', 'busy'],
    ['in-progress', 'no-answer'],
    ['in-progress', 'canceled'],
    ['queued', 'completed'],
    ['completed', 'in-progress'],
    ['busy', 'completed'],
  ])('refuses %s -> %s as stale', (from, to) => {
    expect(decideTransition(from, to).kind).toBe('stale');
  });

  it('treats a repeated status as nothing to do', () => {
    expect(decideTransition('ringing', 'ringing')).toEqual({ kind: 'same' });
  });

  it('explains refusals', () => {
    expect(decideTransition('completed', 'ringing')).toEqual({
      kind: 'stale',
      reason: 'the call already ended (completed)',
    });
    expect(decideTransition('in-progress', 'ringing')).toEqual({
      kind: 'stale',
      reason: 'ringing cannot follow in-progress',
    });
  });

  it('computes durations in whole seconds, 0 when never answered', () => {
    const start = new Date('2024-01-01T00:00:00.000Z');
    expect(callDuration(start, new Date('2024-01-01T00:02:00.400Z'))).toBe(120);
    expect(callDuration(start, new Date('2024-01-01T00:00:00.600Z'))).toBe(1);
    expect(callDuration(null, new Date())).toBe(0);
    expect(callDuration(new Date('2024-01-01T00:00:05Z'), start)).toBe(0);
  });
});
