import {
  OPEN_WHATSAPP_LEG_STATES,
  WHATSAPP_LEG_STATES,
} from '../whatsapp-legs/whatsapp-leg.entity';
import {
  decideLegTransition,
  isLegEnded,
  LEG_STATES,
  LEG_TRANSITIONS,
  legSendsMedia,
  recordedLegState,
  type LegState,
} from './leg-state-machine';

/**
 * Every pair, written out on its own (not derived from the table under test): `move` where
 * the leg may go, `same` on the diagonal, `refused` everywhere else.
 */
const EXPECTED: Record<LegState, Record<LegState, 'move' | 'same' | 'refused'>> = {
  offered: {
    offered: 'same',
    answering: 'move',
    answered: 'refused',
    connected: 'refused',
    closed: 'move',
    failed: 'move',
  },
  answering: {
    offered: 'move',
    answering: 'same',
    answered: 'move',
    connected: 'refused',
    closed: 'move',
    failed: 'move',
  },
  answered: {
    offered: 'refused',
    answering: 'refused',
    answered: 'same',
    connected: 'move',
    closed: 'move',
    failed: 'move',
  },
  connected: {
    offered: 'refused',
    answering: 'refused',
    answered: 'refused',
    connected: 'same',
    closed: 'move',
    failed: 'move',
  },
  closed: {
    offered: 'refused',
    answering: 'refused',
    answered: 'refused',
    connected: 'refused',
    closed: 'same',
    failed: 'refused',
  },
  failed: {
    offered: 'refused',
    answering: 'refused',
    answered: 'refused',
    connected: 'refused',
    closed: 'refused',
    failed: 'same',
  },
};

const PAIRS = LEG_STATES.flatMap((from) =>
  LEG_STATES.map((to) => [from, to, EXPECTED[from][to]] as const),
);

describe('leg state machine', () => {
  it('covers every state', () => {
    expect(Object.keys(LEG_TRANSITIONS).sort()).toEqual([...LEG_STATES].sort());
    expect(PAIRS).toHaveLength(LEG_STATES.length ** 2);
  });

  it.each(PAIRS)('%s -> %s: %s', (from, to, expected) => {
    expect(decideLegTransition(from, to).kind).toBe(expected);
  });

  it('ends only in closed or failed, and lets nothing follow them', () => {
    expect(LEG_STATES.filter(isLegEnded)).toEqual(['closed', 'failed']);
  });

  it('explains refusals', () => {
    expect(decideLegTransition('connected', 'answering')).toEqual({
      kind: 'refused',
      reason: 'answering cannot follow connected',
    });
    expect(decideLegTransition('closed', 'offered')).toEqual({
      kind: 'refused',
      reason: 'the leg already ended (closed)',
    });
  });

  it('sends media from the answer on, until the leg ends', () => {
    expect(LEG_STATES.filter(legSendsMedia)).toEqual(['answering', 'answered', 'connected']);
  });

  it('records only states its row accepts, an answer being applied as still offered', () => {
    for (const state of LEG_STATES) {
      expect(WHATSAPP_LEG_STATES).toContain(recordedLegState(state));
    }
    expect(recordedLegState('answering')).toBe('offered');
    const open = LEG_STATES.filter((s) => !isLegEnded(s)).map(recordedLegState);
    expect([...new Set(open)].sort()).toEqual([...OPEN_WHATSAPP_LEG_STATES].sort());
  });
});
