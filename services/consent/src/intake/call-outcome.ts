import { type CallStatusChangedV1, isTerminalCallStatus } from '@parley/contracts';

/** What a status event of a business-initiated call means for its permission slot. */
export type CallOutcome =
  | { kind: 'placed' }
  | { kind: 'connected'; at: Date }
  | { kind: 'missed'; at: Date }
  | { kind: 'released'; at: Date; why: string };

/**
 * Reads a business-initiated call's status event. Answered at any point: `connected` (it
 * counts against the 24 h limit). Ended unanswered after it rang at the user's phone
 * (`no-answer`, `busy`: declined): `missed`. Ended otherwise (failed, canceled, or before
 * Meta ever heard of it): `released`, the slot is given back. Anything else: `placed`.
 */
export function callOutcome(event: CallStatusChangedV1): CallOutcome {
  const at = new Date(event.occurredAt);
  if (event.status === 'in-progress' || (event.startTime && isTerminalCallStatus(event.status)))
    return { kind: 'connected', at: new Date(event.startTime ?? event.occurredAt) };
  if (!isTerminalCallStatus(event.status)) return { kind: 'placed' };
  // Older publishers leave `metaCallId` out: only an explicit null says Meta never saw it.
  const reachedMeta = event.metaCallId !== null;
  if (reachedMeta && ['no-answer', 'busy', 'completed'].includes(event.status))
    return { kind: 'missed', at };
  return {
    kind: 'released',
    at,
    why: reachedMeta ? `ended ${event.status}` : `ended ${event.status} before reaching Meta`,
  };
}
