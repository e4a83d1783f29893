/**
 * The life of a WhatsApp leg, as a pure table.
 *
 * - `offered`: business-initiated; Parley's offer went to Meta, the leg waits for the answer.
 * - `answering`: Meta's answer is being applied (rtpengine, then mediasoup). Claimed before
 *   the first await, so a repeated answer is refused; a failed apply returns to `offered`.
 * - `answered`: the SDP exchange is done (an inbound leg starts here: Parley answers Meta's
 *   offer); media may flow, the leg waits for its first inbound packet.
 * - `connected`: WhatsApp's first packet arrived (ICE and DTLS completed).
 * - `closed` / `failed`: torn down, asked to or on a failure; nothing follows either.
 *
 * Hold is not a state: a leg can be put on hold before it connects and connects while held,
 * so it is a flag of the leg next to its state. Teardown has no `closing` state either: the
 * leg leaves the registry and its router closes in one synchronous step.
 */
export const LEG_STATES = [
  'offered',
  'answering',
  'answered',
  'connected',
  'closed',
  'failed',
] as const;
export type LegState = (typeof LEG_STATES)[number];

/** Which state may follow which. */
export const LEG_TRANSITIONS: Readonly<Record<LegState, readonly LegState[]>> = {
  offered: ['answering', 'closed', 'failed'],
  answering: ['answered', 'offered', 'closed', 'failed'],
  answered: ['connected', 'closed', 'failed'],
  connected: ['closed', 'failed'],
  closed: [],
  failed: [],
};

export type LegTransition =
  /** Allowed: apply it. */
  | { kind: 'move' }
  /** Already there: nothing to do. */
  | { kind: 'same' }
  /** Not allowed from this state (a repeated answer, media after the end...). */
  | { kind: 'refused'; reason: string };

export function isLegEnded(state: LegState): boolean {
  return LEG_TRANSITIONS[state].length === 0;
}

export function decideLegTransition(from: LegState, to: LegState): LegTransition {
  if (from === to) return { kind: 'same' };
  if (LEG_TRANSITIONS[from].includes(to)) return { kind: 'move' };
  return {
    kind: 'refused',
    reason: isLegEnded(from) ? `the leg already ended (${from})` : `${to} cannot follow ${from}`,
  };
}

/** States in which the leg output sends (prompts, the peer, silence fill) each tick. */
export function legSendsMedia(state: LegState): boolean {
  return state === 'answering' || state === 'answered' || state === 'connected';
}

/**
 * The state a leg's row records. `answering` is a claim held for the length of one
 * command, so the row keeps saying `offered` until the answer is applied.
 */
export type RecordedLegState = Exclude<LegState, 'answering'>;

export function recordedLegState(state: LegState): RecordedLegState {
  return state === 'answering' ? 'offered' : state;
}
