import { type CallStatus, isTerminalCallStatus } from '@parley/contracts';

/**
 * Which status may follow which. A call only moves forward: queued, initiated, ringing,
 * in-progress, then exactly one terminal status. Statuses may be skipped (an answer can
 * arrive before Meta's RINGING), never revisited; nothing follows a terminal status.
 */
export const TRANSITIONS: Readonly<Record<CallStatus, readonly CallStatus[]>> = {
  queued: ['initiated', 'ringing', 'in-progress', 'busy', 'failed', 'no-answer', 'canceled'],
  initiated: ['ringing', 'in-progress', 'busy', 'failed', 'no-answer', 'canceled'],
  ringing: ['in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'],
  'in-progress': ['completed', 'failed'],
  completed: [],
  busy: [],
  failed: [],
  'no-answer': [],
  canceled: [],
};

export type TransitionDecision =
  /** Allowed: apply it. */
  | { kind: 'move' }
  /** Already there (a repeated event): nothing to do. */
  | { kind: 'same' }
  /** Not allowed: a late or out-of-order event (e.g. RINGING after the answer). */
  | { kind: 'stale'; reason: string };

export function decideTransition(from: CallStatus, to: CallStatus): TransitionDecision {
  if (from === to) return { kind: 'same' };
  if (TRANSITIONS[from].includes(to)) return { kind: 'move' };
  return {
    kind: 'stale',
    reason: isTerminalCallStatus(from)
      ? `the call already ended (${from})`
      : `${to} cannot follow ${from}`,
  };
}

/** Statuses in which an outbound call has not been answered yet. */
export const UNANSWERED: readonly CallStatus[] = ['queued', 'initiated', 'ringing'];

export function isUnanswered(status: CallStatus): boolean {
  return UNANSWERED.includes(status);
}

/**
 * Whole seconds from answer to end, as Twilio reports `duration`: 0 for a call that was
 * never answered.
 */
export function callDuration(startTime: Date | null, endTime: Date): number {
  if (!startTime) return 0;
  return Math.max(0, Math.round((endTime.getTime() - startTime.getTime()) / 1000));
}
