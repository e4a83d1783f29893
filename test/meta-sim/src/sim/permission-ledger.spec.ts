import { DAY_MS, DEFAULT_LEDGER_LIMITS, HOUR_MS, PermissionLedger } from './permission-ledger';

describe('PermissionLedger', () => {
  let now = 1_760_000_000_000;
  let ledger: PermissionLedger;
  beforeEach(() => {
    now = 1_760_000_000_000;
    ledger = new PermissionLedger(() => now, DEFAULT_LEDGER_LIMITS);
  });

  it('starts with no permission; a temporary one lasts exactly 7 days', () => {
    expect(ledger.permission('biz', 'u').status).toBe('no_permission');
    expect(ledger.canStartCall('biz', 'u')).toEqual({ ok: false, reason: 'no_permission' });
    const granted = ledger.grant('biz', 'u', { permanent: false, source: 'user_action' });
    expect(granted).toMatchObject({ status: 'temporary', expiresAt: now + 7 * DAY_MS });
    now += 7 * DAY_MS - 1;
    expect(ledger.canStartCall('biz', 'u')).toEqual({ ok: true });
    now += 1;
    expect(ledger.permission('biz', 'u')).toMatchObject({
      status: 'no_permission',
      lastResponse: 'temporary',
    });
  });

  it('keeps a permanent permission until the user revokes it', () => {
    ledger.grant('biz', 'u', { permanent: true, source: 'user_action' });
    now += 365 * DAY_MS;
    expect(ledger.permission('biz', 'u')).toMatchObject({ status: 'permanent', expiresAt: null });
    ledger.revoke('biz', 'u', 'user_action');
    expect(ledger.permission('biz', 'u')).toMatchObject({
      status: 'no_permission',
      lastResponse: 'revoked',
    });
  });

  it('a rejection removes an earlier permission', () => {
    ledger.grant('biz', 'u', { permanent: false, source: 'user_action' });
    ledger.reject('biz', 'u');
    expect(ledger.permission('biz', 'u').status).toBe('no_permission');
  });

  it('allows 1 permission request per 24 h and 2 per 7 days', () => {
    expect(ledger.canRequestPermission('biz', 'u')).toBe(true);
    ledger.recordPermissionRequest('biz', 'u');
    expect(ledger.canRequestPermission('biz', 'u')).toBe(false);
    expect(ledger.requestUsage('biz', 'u')[0]).toMatchObject({
      timePeriod: 'PT24H',
      currentUsage: 1,
      limitExpiresAt: now + DAY_MS,
    });
    now += DAY_MS;
    expect(ledger.canRequestPermission('biz', 'u')).toBe(true);
    ledger.recordPermissionRequest('biz', 'u');
    now += 2 * DAY_MS;
    expect(ledger.requestUsage('biz', 'u')).toEqual([
      { timePeriod: 'PT24H', maxAllowed: 1, currentUsage: 0, limitExpiresAt: null },
      {
        timePeriod: 'P7D',
        maxAllowed: 2,
        currentUsage: 2,
        limitExpiresAt: now - 3 * DAY_MS + 7 * DAY_MS,
      },
    ]);
    expect(ledger.canRequestPermission('biz', 'u')).toBe(false);
    now += 4 * DAY_MS;
    expect(ledger.canRequestPermission('biz', 'u')).toBe(true);
    // Limits are per user and per business.
    expect(ledger.canRequestPermission('other-biz', 'u')).toBe(true);
  });

  it('limits connected calls per 24 h', () => {
    const strict = new PermissionLedger(() => now, {
      ...DEFAULT_LEDGER_LIMITS,
      connectedCallsPer24h: 2,
    });
    strict.grant('biz', 'u', { permanent: true, source: 'user_action' });
    strict.recordConnectedCall('biz', 'u');
    strict.recordConnectedCall('biz', 'u');
    expect(strict.canStartCall('biz', 'u')).toMatchObject({
      ok: false,
      reason: 'connected_calls_limit',
    });
    now += 24 * HOUR_MS + 1;
    expect(strict.canStartCall('biz', 'u')).toEqual({ ok: true });
  });

  it('re-prompts at 2 consecutive missed calls and revokes at 4; a connected call resets the count', () => {
    ledger.grant('biz', 'u', { permanent: true, source: 'user_action' });
    expect(ledger.recordMissedCall('biz', 'u')).toEqual({ reprompt: false, revoked: false });
    ledger.recordConnectedCall('biz', 'u');
    expect(ledger.recordMissedCall('biz', 'u')).toEqual({ reprompt: false, revoked: false });
    expect(ledger.recordMissedCall('biz', 'u')).toEqual({ reprompt: true, revoked: false });
    expect(ledger.recordMissedCall('biz', 'u')).toEqual({ reprompt: false, revoked: false });
    expect(ledger.recordMissedCall('biz', 'u')).toEqual({ reprompt: false, revoked: true });
    expect(ledger.permission('biz', 'u')).toMatchObject({
      status: 'no_permission',
      lastResponse: 'revoked',
    });
  });
});
