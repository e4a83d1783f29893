import { BusRequestError, ParleyError } from '@parley/contracts';
import { MetaGraphError } from '@parley/meta-graph';

/*
 * What a call's side effects are and how their failures are treated, without I/O.
 * CallEffects (the worker) applies these decisions.
 */

export const CALL_EFFECT_KINDS = [
  /** Tell Meta the call ended (Graph `terminate`). */
  'meta.terminate',
  /** Decline a user-initiated call at Meta (Graph `reject`). */
  'meta.reject',
  /** Free the call's media leg (`media.v1.leg.close`). */
  'media.close',
  /** A user-initiated call's set-up: media answer, Meta `pre_accept`, interpreter hand-off. */
  'inbound.setup',
  /** Hand an answered REST call to the interpreter (`twiml.v1.session.start`). */
  'interpreter.start',
] as const;
export type CallEffectKind = (typeof CALL_EFFECT_KINDS)[number];

export const CALL_EFFECT_STATUSES = ['pending', 'done', 'refused', 'dead'] as const;

/** One effect a transition owes, with what it needs beyond the call row. */
export interface CallEffectSpec {
  kind: CallEffectKind;
  detail?: Record<string, unknown>;
}

/** How one attempt ended. A thrown error means "try again later". */
export type CallEffectOutcome =
  | { kind: 'done' }
  /** The other side said no for good (e.g. Meta no longer knows the call): stop trying. */
  | { kind: 'refused'; reason: string };

/** The effects of ending a call: Meta told as asked (when it knows the call), media freed. */
export function endEffects(
  meta: 'terminate' | 'reject' | 'none',
  metaCallId: string | null,
): CallEffectSpec[] {
  const effects: CallEffectSpec[] = [];
  if (meta !== 'none' && metaCallId) effects.push({ kind: `meta.${meta}`, detail: { metaCallId } });
  effects.push({ kind: 'media.close' });
  return effects;
}

/** Wait before the next attempt after `attempts` failed ones: doubling, capped at a minute. */
export function retryDelayMs(attempts: number, baseMs: number): number {
  return Math.min(60_000, baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 16));
}

/**
 * Whether Meta refused a request for good: it answered with a client error that is not
 * a rate limit (an unknown or already ended call, a bad parameter, an unusable token).
 * Timeouts, network failures, 5xx and rate limits are worth another try.
 */
export function metaRefusedForGood(error: unknown): error is MetaGraphError {
  if (!(error instanceof MetaGraphError) || error.kind !== 'api') return false;
  const status = error.httpStatus ?? 0;
  return status >= 400 && status < 500 && status !== 429 && error.twilioCode !== 37004;
}

/**
 * Whether a request to another Parley service failed only in transit (nobody listening,
 * no answer in time): worth another try. A reply with an error is the service's answer.
 */
export function serviceUnreachable(error: unknown): boolean {
  const cause = error instanceof ParleyError ? error.cause : error;
  return (
    cause instanceof BusRequestError && (cause.kind === 'no-responders' || cause.kind === 'timeout')
  );
}
