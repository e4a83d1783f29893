import {
  applyConnected,
  applyMissed,
  applyReply,
  applyUserCall,
  DAY_MS,
  decideCall,
  decideRequest,
  effectivePermission,
  EMPTY_PAIR,
  type PairState,
  type RuleSettings,
  withMetaOpinion,
} from './consent-rules';
import { RULE_TABLE } from './rule-table';
import { sanctionedMatch } from './sanctions';

const SETTINGS: RuleSettings = {
  permissionRequestsPer24h: 1,
  permissionRequestsPer7d: 2,
  temporaryGrantMs: 7 * DAY_MS,
  connectedCallsPer24h: 5,
  missedCallsBeforeReprompt: 2,
  missedCallsBeforeRevoke: 4,
  sanctions: {
    callingCodes: ['53', '98', '850', '963', '38065', '38069', '7365', '38062', '38064'],
    bsuidCountries: ['CU', 'IR', 'KP', 'SY'],
  },
};
const NOW = new Date('2026-12-02T10:00:00.000Z');
const PARTIES = { business: 'whatsapp:+15550100001', user: 'whatsapp:+4915112345678' };
const later = (ms: number) => new Date(NOW.getTime() + ms);

const temporary: PairState = {
  ...EMPTY_PAIR,
  permission: 'temporary',
  source: 'user_action',
  grantedAt: NOW,
  expiresAt: later(7 * DAY_MS),
};
const permanent: PairState = { ...temporary, permission: 'permanent', expiresAt: null };

describe('the rule table', () => {
  it('gives every refusing rule a 370xx code and every valued rule its setting', () => {
    for (const [name, rule] of Object.entries(RULE_TABLE)) {
      if (rule.code !== null) expect(String(rule.code)).toMatch(/^3700\d$/);
      expect(name).toMatch(/^[a-z0-9-]+$/);
    }
    expect(RULE_TABLE['connected-calls-24h'].settings).toEqual(['CONSENT_CONNECTED_CALLS_PER_24H']);
  });
});

describe('decideCall', () => {
  it.each([
    ['no permission', EMPTY_PAIR, 0, 'permission-required', 37000],
    [
      'a rejection',
      { ...EMPTY_PAIR, permission: 'rejected' as const },
      0,
      'permission-rejected',
      37000,
    ],
    [
      'a revocation by the user',
      { ...EMPTY_PAIR, permission: 'revoked' as const, source: 'user_action' as const },
      0,
      'permission-revoked',
      37000,
    ],
    [
      'a revocation after missed calls',
      { ...EMPTY_PAIR, permission: 'revoked' as const, source: 'missed-calls' as const },
      0,
      'missed-calls-revoke',
      37000,
    ],
    ['an expired grant', { ...temporary, expiresAt: NOW }, 0, 'permission-expired', 37000],
    ['a grant at the call limit', temporary, 5, 'connected-calls-24h', 37006],
    ['a grant above the call limit', temporary, 6, 'connected-calls-24h', 37006],
    ['a permanent grant at the call limit', permanent, 5, 'connected-calls-24h', 37006],
  ])('refuses %s', (_name, pair, used, rule, code) => {
    const d = decideCall(SETTINGS, NOW, PARTIES, pair, used);
    expect(d).toMatchObject({ allowed: false, rule, errorCode: code });
    expect(d.reason?.startsWith(`${rule}: `)).toBe(true);
  });

  it.each([
    ['a live temporary grant, no calls', temporary, 0],
    ['a live temporary grant, one below the limit', temporary, 4],
    ['a temporary grant a millisecond before expiry', { ...temporary, expiresAt: later(1) }, 4],
    ['a permanent grant', permanent, 0],
    ['a re-prompted user', { ...temporary, consecutiveMissed: 3, reprompt: true }, 0],
  ])('allows %s', (_name, pair, used) => {
    expect(decideCall(SETTINGS, NOW, PARTIES, pair, used)).toEqual({
      allowed: true,
      rule: null,
      errorCode: null,
      reason: null,
    });
  });

  it('follows the configured call limit', () => {
    const ten = { ...SETTINGS, connectedCallsPer24h: 10 };
    expect(decideCall(ten, NOW, PARTIES, temporary, 9).allowed).toBe(true);
    expect(decideCall(ten, NOW, PARTIES, temporary, 10).allowed).toBe(false);
  });

  it.each([
    'whatsapp:+5352345678',
    'whatsapp:+989121234567',
    'whatsapp:+8502123456',
    'whatsapp:+963944123456',
    'whatsapp:+380652123456',
    'whatsapp:+380622123456',
    'whatsapp:+380642123456',
    'whatsapp:+73652123456',
    'whatsapp:IR.1234567890',
    'whatsapp:KP.ENT.998877',
  ])('refuses the sanctioned user %s with 37007, even with permission', (user) => {
    expect(decideCall(SETTINGS, NOW, { ...PARTIES, user }, permanent, 0)).toMatchObject({
      allowed: false,
      rule: 'sanctioned-country',
      errorCode: 37007,
    });
  });

  it('refuses a sanctioned business number, and lets other Ukrainian and Russian numbers through', () => {
    expect(
      decideCall(SETTINGS, NOW, { ...PARTIES, business: 'whatsapp:+963944000000' }, permanent, 0)
        .rule,
    ).toBe('sanctioned-country');
    for (const user of ['whatsapp:+380441234567', 'whatsapp:+74951234567', 'whatsapp:US.1234']) {
      expect(decideCall(SETTINGS, NOW, { ...PARTIES, user }, permanent, 0).allowed).toBe(true);
    }
  });
});

describe('sanctionedMatch', () => {
  it('names the most precise prefix', () => {
    expect(sanctionedMatch('whatsapp:+380652123456', SETTINGS.sanctions)).toBe('38065');
    expect(sanctionedMatch('whatsapp:CU.abc', SETTINGS.sanctions)).toBe('CU');
    expect(sanctionedMatch('whatsapp:+14155550100', SETTINGS.sanctions)).toBeNull();
  });
});

describe('decideRequest', () => {
  it.each([
    [{ last24h: 0, last7d: 0 }, null],
    [{ last24h: 0, last7d: 1 }, null],
    [{ last24h: 1, last7d: 1 }, 'permission-requests-24h'],
    [{ last24h: 2, last7d: 2 }, 'permission-requests-24h'],
    [{ last24h: 0, last7d: 2 }, 'permission-requests-7d'],
    [{ last24h: 0, last7d: 3 }, 'permission-requests-7d'],
  ])('with %j sent: %s', (used, rule) => {
    const d = decideRequest(SETTINGS, PARTIES, used);
    expect(d.rule).toBe(rule);
    expect(d.errorCode).toBe(rule ? 37004 : null);
  });

  it('refuses requests to sanctioned users', () => {
    expect(
      decideRequest(
        SETTINGS,
        { ...PARTIES, user: 'whatsapp:+5352345678' },
        { last24h: 0, last7d: 0 },
      ).errorCode,
    ).toBe(37007);
  });
});

describe('replies', () => {
  it('grants a temporary permission for the configured time, or Meta’s earlier expiry', () => {
    const ours = applyReply(SETTINGS, EMPTY_PAIR, {
      accept: true,
      permanent: false,
      expiresAt: null,
      source: 'user_action',
      at: NOW,
    });
    expect(ours).toMatchObject({ permission: 'temporary', expiresAt: later(7 * DAY_MS) });
    const metas = applyReply(SETTINGS, EMPTY_PAIR, {
      accept: true,
      permanent: false,
      expiresAt: later(DAY_MS),
      source: 'automatic',
      at: NOW,
    });
    expect(metas).toMatchObject({ expiresAt: later(DAY_MS), source: 'automatic' });
    expect(effectivePermission(ours, later(7 * DAY_MS - 1))).toBe('temporary');
    expect(effectivePermission(ours, later(7 * DAY_MS))).toBe('expired');
  });

  it('grants a permanent permission with no expiry', () => {
    const p = applyReply(SETTINGS, temporary, {
      accept: true,
      permanent: true,
      expiresAt: null,
      source: 'user_action',
      at: NOW,
    });
    expect(p).toMatchObject({ permission: 'permanent', expiresAt: null });
    expect(effectivePermission(p, later(365 * DAY_MS))).toBe('permanent');
  });

  it('replaces the old grant with a new approval, resetting missed calls', () => {
    const old = { ...temporary, consecutiveMissed: 3, reprompt: true };
    const p = applyReply(SETTINGS, old, {
      accept: true,
      permanent: false,
      expiresAt: null,
      source: 'user_action',
      at: later(DAY_MS),
    });
    expect(p).toMatchObject({
      grantedAt: later(DAY_MS),
      expiresAt: later(8 * DAY_MS),
      consecutiveMissed: 0,
      reprompt: false,
    });
  });

  it('a rejection ends any grant', () => {
    expect(
      applyReply(SETTINGS, permanent, {
        accept: false,
        permanent: false,
        expiresAt: null,
        source: 'user_action',
        at: NOW,
      }),
    ).toMatchObject({ permission: 'rejected', expiresAt: null });
  });
});

describe('user-initiated calls', () => {
  it('grant a temporary permission when callback permission is on', () => {
    const r = applyUserCall(SETTINGS, EMPTY_PAIR, { callbackPermission: true, at: NOW });
    expect(r.granted).toBe(true);
    expect(r.pair).toMatchObject({
      permission: 'temporary',
      source: 'callback',
      expiresAt: later(7 * DAY_MS),
    });
  });

  it('grant nothing when it is off, and never shorten a permanent grant', () => {
    expect(applyUserCall(SETTINGS, EMPTY_PAIR, { callbackPermission: false, at: NOW })).toEqual({
      pair: EMPTY_PAIR,
      granted: false,
    });
    expect(applyUserCall(SETTINGS, permanent, { callbackPermission: true, at: NOW })).toEqual({
      pair: permanent,
      granted: false,
    });
  });
});

describe('missed and connected calls', () => {
  it('re-prompts at 2 in a row, revokes at 4, and a connected call resets the count', () => {
    let pair = temporary;
    const one = applyMissed(SETTINGS, pair, NOW);
    expect(one).toMatchObject({ reprompted: false, revoked: false });
    expect(one.pair).toMatchObject({ consecutiveMissed: 1, reprompt: false });
    const two = applyMissed(SETTINGS, one.pair, NOW);
    expect(two).toMatchObject({ reprompted: true, revoked: false });
    expect(two.pair).toMatchObject({ consecutiveMissed: 2, reprompt: true });
    const three = applyMissed(SETTINGS, two.pair, NOW);
    expect(three).toMatchObject({ reprompted: false, revoked: false });
    const four = applyMissed(SETTINGS, three.pair, NOW);
    expect(four).toMatchObject({ revoked: true });
    expect(four.pair).toMatchObject({
      permission: 'revoked',
      source: 'missed-calls',
      consecutiveMissed: 0,
    });

    pair = applyConnected(three.pair);
    expect(pair).toMatchObject({ consecutiveMissed: 0, reprompt: false, permission: 'temporary' });
    expect(applyMissed(SETTINGS, pair, NOW).pair.consecutiveMissed).toBe(1);
  });

  it('revokes a permanent grant too, but has nothing to revoke without a live one', () => {
    let pair: PairState = { ...permanent, consecutiveMissed: 3 };
    expect(applyMissed(SETTINGS, pair, NOW).revoked).toBe(true);
    pair = { ...EMPTY_PAIR, consecutiveMissed: 3 };
    const r = applyMissed(SETTINGS, pair, NOW);
    expect(r.revoked).toBe(false);
    expect(r.pair.consecutiveMissed).toBe(4);
  });
});

describe("Meta's second opinion", () => {
  const allowed = decideCall(SETTINGS, NOW, PARTIES, temporary, 0);
  const refused = decideCall(SETTINGS, NOW, PARTIES, EMPTY_PAIR, 0);

  it('changes nothing when absent or in agreement', () => {
    expect(withMetaOpinion(allowed, undefined)).toEqual({ decision: allowed, disagreement: null });
    expect(
      withMetaOpinion(allowed, { status: 'temporary', canStartCall: true, expiresAt: null }),
    ).toEqual({ decision: allowed, disagreement: null });
    expect(
      withMetaOpinion(refused, { status: 'no_permission', canStartCall: false, expiresAt: null }),
    ).toEqual({ decision: refused, disagreement: null });
  });

  it('refuses when Meta refuses (its limit: 37006; no permission: 37000)', () => {
    expect(
      withMetaOpinion(allowed, { status: 'no_permission', canStartCall: false, expiresAt: null }),
    ).toMatchObject({
      decision: { allowed: false, rule: 'meta-second-opinion', errorCode: 37000 },
      disagreement: 'meta-refuses',
    });
    expect(
      withMetaOpinion(allowed, { status: 'temporary', canStartCall: false, expiresAt: null }),
    ).toMatchObject({ decision: { allowed: false, errorCode: 37006 } });
  });

  it('keeps its own refusal when Meta would allow', () => {
    expect(
      withMetaOpinion(refused, { status: 'permanent', canStartCall: true, expiresAt: null }),
    ).toEqual({ decision: refused, disagreement: 'meta-allows' });
  });
});
