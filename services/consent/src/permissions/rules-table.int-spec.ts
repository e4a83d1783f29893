import { newCallSid, Pair, startConsent, type ConsentHarness } from '../testing/harness';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-12-01T00:00:00.000Z');

interface Expected {
  allowed: boolean;
  rule?: string;
  code?: number;
}

interface Row {
  name: string;
  /** Builds the pair's history; `at(ms)` moves the clock to T0 + ms first. */
  history: (p: Pair, at: (ms: number) => void) => Promise<unknown>;
  ask: 'call' | 'request';
  askAt: number;
  expect: Expected;
  user?: string;
}

async function times(n: number, step: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i++) await step();
}

/**
 * Every rule at, below and above its edge, against the real database and the real JetStream
 * consumers, with the consent service's clock under the test's control. Each row is its own
 * pair (a fresh user), builds its history through the service's own inputs (permission
 * replies and call status events as call-control publishes them, checks, request
 * reservations) and asks for one call or one permission request.
 */
const ROWS: Row[] = [
  // ---- permission itself
  {
    name: 'no history',
    history: async () => {},
    ask: 'call',
    askAt: 0,
    expect: { allowed: false, rule: 'permission-required', code: 37000 },
  },
  {
    name: 'accepted (temporary)',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: true },
  },
  {
    name: 'accepted automatically (Meta says automatic)',
    history: (p) => p.reply('accept', { source: 'automatic' }),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: true },
  },
  {
    name: 'temporary grant a minute before its 7 days end',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: 7 * DAY - MIN,
    expect: { allowed: true },
  },
  {
    name: 'temporary grant exactly at its 7 days',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: 7 * DAY,
    expect: { allowed: false, rule: 'permission-expired', code: 37000 },
  },
  {
    name: 'temporary grant after its 7 days',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: 7 * DAY + MIN,
    expect: { allowed: false, rule: 'permission-expired', code: 37000 },
  },
  {
    name: 'permanent grant after 90 days',
    history: (p) => p.reply('accept', { permanent: true }),
    ask: 'call',
    askAt: 90 * DAY,
    expect: { allowed: true },
  },
  {
    name: 'rejected',
    history: (p) => p.reply('reject'),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: false, rule: 'permission-rejected', code: 37000 },
  },
  {
    name: 'accepted, then rejected',
    history: async (p, at) => {
      await p.reply('accept');
      at(HOUR);
      await p.reply('reject');
    },
    ask: 'call',
    askAt: 2 * HOUR,
    expect: { allowed: false, rule: 'permission-rejected', code: 37000 },
  },
  {
    name: 'a new approval replaces the old grant (and its expiry)',
    history: async (p, at) => {
      await p.reply('accept');
      at(6 * DAY);
      await p.reply('accept');
    },
    ask: 'call',
    askAt: 8 * DAY,
    expect: { allowed: true },
  },
  {
    name: 'a temporary approval replaces a permanent grant',
    history: async (p, at) => {
      await p.reply('accept', { permanent: true });
      at(DAY);
      await p.reply('accept');
    },
    ask: 'call',
    askAt: 9 * DAY,
    expect: { allowed: false, rule: 'permission-expired', code: 37000 },
  },
  // ---- connected calls in 24 h (limit 5)
  {
    name: '4 connected calls (below the limit)',
    history: async (p) => {
      await p.reply('accept');
      await times(4, () => p.call('connected'));
    },
    ask: 'call',
    askAt: HOUR,
    expect: { allowed: true },
  },
  {
    name: '5 connected calls (at the limit)',
    history: async (p) => {
      await p.reply('accept');
      await times(5, () => p.call('connected'));
    },
    ask: 'call',
    askAt: HOUR,
    expect: { allowed: false, rule: 'connected-calls-24h', code: 37006 },
  },
  {
    name: '6 connected calls (above: placed by a call-control that did not check)',
    history: async (p) => {
      await p.reply('accept');
      await times(6, () => p.call('connected', { checked: false }));
    },
    ask: 'call',
    askAt: HOUR,
    expect: { allowed: false, rule: 'connected-calls-24h', code: 37006 },
  },
  {
    name: '5 connected calls, a permanent grant',
    history: async (p) => {
      await p.reply('accept', { permanent: true });
      await times(5, () => p.call('connected'));
    },
    ask: 'call',
    askAt: HOUR,
    expect: { allowed: false, rule: 'connected-calls-24h', code: 37006 },
  },
  {
    name: '5 connected calls, the first one just over 24 h ago',
    history: async (p, at) => {
      await p.reply('accept');
      for (let i = 0; i < 5; i++) {
        at(i * MIN);
        await p.call('connected');
      }
    },
    ask: 'call',
    askAt: DAY + MIN / 2,
    expect: { allowed: true },
  },
  {
    name: '5 connected calls, the first one just under 24 h ago',
    history: async (p, at) => {
      await p.reply('accept');
      for (let i = 0; i < 5; i++) {
        at(i * MIN);
        await p.call('connected');
      }
    },
    ask: 'call',
    askAt: DAY - MIN / 2,
    expect: { allowed: false, rule: 'connected-calls-24h', code: 37006 },
  },
  {
    name: '5 reserved calls still in flight',
    history: async (p) => {
      await p.reply('accept');
      await times(5, () => p.check(newCallSid()));
    },
    ask: 'call',
    askAt: 5 * MIN,
    expect: { allowed: false, rule: 'connected-calls-24h', code: 37006 },
  },
  {
    name: '5 reserved calls never confirmed, past their hold',
    history: async (p) => {
      await p.reply('accept');
      await times(5, () => p.check(newCallSid()));
    },
    ask: 'call',
    askAt: 11 * MIN,
    expect: { allowed: true },
  },
  {
    name: '4 connected and 1 that failed before reaching Meta (slot returned)',
    history: async (p) => {
      await p.reply('accept');
      await times(4, () => p.call('connected'));
      await p.call('released');
    },
    ask: 'call',
    askAt: HOUR,
    expect: { allowed: true },
  },
  {
    name: '4 connected and 1 released by command',
    history: async (p, at) => {
      await p.reply('accept');
      await times(4, () => p.call('connected'));
      const callSid = newCallSid();
      await p.check(callSid);
      at(MIN);
      await p.h.request('consent.v1.permission.release', { accountSid: p.accountSid, callSid });
    },
    ask: 'call',
    askAt: HOUR,
    expect: { allowed: true },
  },
  {
    name: '5 missed calls do not count against the connected limit',
    history: async (p) => {
      await p.reply('accept', { permanent: true });
      for (let i = 0; i < 3; i++) await p.call('missed');
      await p.call('connected');
      await times(3, () => p.call('missed'));
    },
    ask: 'call',
    askAt: HOUR,
    expect: { allowed: true },
  },
  // ---- consecutive missed calls (re-prompt at 2, revoke at 4)
  {
    name: '2 missed calls (re-prompt, still allowed)',
    history: async (p) => {
      await p.reply('accept');
      await times(2, () => p.call('missed'));
    },
    ask: 'call',
    askAt: HOUR,
    expect: { allowed: true },
  },
  {
    name: '3 missed calls (below revocation)',
    history: async (p) => {
      await p.reply('accept');
      await times(3, () => p.call('missed'));
    },
    ask: 'call',
    askAt: HOUR,
    expect: { allowed: true },
  },
  {
    name: '4 missed calls (revoked)',
    history: async (p) => {
      await p.reply('accept');
      await times(4, () => p.call('missed'));
    },
    ask: 'call',
    askAt: HOUR,
    expect: { allowed: false, rule: 'missed-calls-revoke', code: 37000 },
  },
  {
    name: '4 missed calls revoke a permanent grant',
    history: async (p) => {
      await p.reply('accept', { permanent: true });
      await times(4, () => p.call('missed'));
    },
    ask: 'call',
    askAt: HOUR,
    expect: { allowed: false, rule: 'missed-calls-revoke', code: 37000 },
  },
  {
    name: '3 missed, 1 connected, 3 missed (the connected call resets)',
    history: async (p) => {
      await p.reply('accept');
      await times(3, () => p.call('missed'));
      await p.call('connected');
      await times(3, () => p.call('missed'));
    },
    ask: 'call',
    askAt: HOUR,
    expect: { allowed: true },
  },
  {
    name: 'revoked after missed calls, then approved again',
    history: async (p, at) => {
      await p.reply('accept');
      await times(4, () => p.call('missed'));
      at(HOUR);
      await p.reply('accept');
    },
    ask: 'call',
    askAt: 2 * HOUR,
    expect: { allowed: true },
  },
  // ---- callback permission
  {
    name: 'the user called, callback permission on',
    history: (p) => p.userCall(true),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: true },
  },
  {
    name: 'the user called, callback permission off',
    history: (p) => p.userCall(false),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: false, rule: 'permission-required', code: 37000 },
  },
  {
    name: 'callback grant after 7 days',
    history: (p) => p.userCall(true),
    ask: 'call',
    askAt: 7 * DAY + MIN,
    expect: { allowed: false, rule: 'permission-expired', code: 37000 },
  },
  {
    name: 'callback grant renews an expired grant',
    history: async (p, at) => {
      await p.reply('accept');
      at(8 * DAY);
      await p.userCall(true);
    },
    ask: 'call',
    askAt: 9 * DAY,
    expect: { allowed: true },
  },
  // ---- sanctioned countries and regions
  {
    name: 'Cuba, with a permanent grant',
    user: 'whatsapp:+5352345678',
    history: (p) => p.reply('accept', { permanent: true }),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: false, rule: 'sanctioned-country', code: 37007 },
  },
  {
    name: 'Iran',
    user: 'whatsapp:+989121234567',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: false, rule: 'sanctioned-country', code: 37007 },
  },
  {
    name: 'North Korea',
    user: 'whatsapp:+8501912345678',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: false, rule: 'sanctioned-country', code: 37007 },
  },
  {
    name: 'Syria',
    user: 'whatsapp:+963944123456',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: false, rule: 'sanctioned-country', code: 37007 },
  },
  {
    name: 'Crimea (Ukrainian numbering)',
    user: 'whatsapp:+380652123456',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: false, rule: 'sanctioned-country', code: 37007 },
  },
  {
    name: 'Donetsk',
    user: 'whatsapp:+380622123456',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: false, rule: 'sanctioned-country', code: 37007 },
  },
  {
    name: 'Luhansk',
    user: 'whatsapp:+380642123456',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: false, rule: 'sanctioned-country', code: 37007 },
  },
  {
    name: 'Kyiv (not sanctioned)',
    user: 'whatsapp:+380441234567',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: true },
  },
  {
    name: 'a sanctioned BSUID (IR.)',
    user: 'whatsapp:IR.13491208655302741918',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: false, rule: 'sanctioned-country', code: 37007 },
  },
  {
    name: 'a BSUID user who accepted',
    user: 'whatsapp:US.13491208655302741918',
    history: (p) => p.reply('accept'),
    ask: 'call',
    askAt: MIN,
    expect: { allowed: true },
  },
  {
    name: 'a permission request to Syria',
    user: 'whatsapp:+963944123457',
    history: async () => {},
    ask: 'request',
    askAt: 0,
    expect: { allowed: false, rule: 'sanctioned-country', code: 37007 },
  },
  // ---- permission requests (1 per 24 h, 2 per 7 days)
  {
    name: 'no request yet',
    history: async () => {},
    ask: 'request',
    askAt: 0,
    expect: { allowed: true },
  },
  {
    name: '1 request just now (at the 24 h limit)',
    history: (p) => p.sendRequest(),
    ask: 'request',
    askAt: MIN,
    expect: { allowed: false, rule: 'permission-requests-24h', code: 37004 },
  },
  {
    name: '1 request just under 24 h ago',
    history: (p) => p.sendRequest(),
    ask: 'request',
    askAt: DAY - MIN,
    expect: { allowed: false, rule: 'permission-requests-24h', code: 37004 },
  },
  {
    name: '1 request just over 24 h ago (below the 7-day limit)',
    history: (p) => p.sendRequest(),
    ask: 'request',
    askAt: DAY + MIN,
    expect: { allowed: true },
  },
  {
    name: '1 request reserved but never settled (counts)',
    history: (p) => p.reserveRequest(),
    ask: 'request',
    askAt: HOUR,
    expect: { allowed: false, rule: 'permission-requests-24h', code: 37004 },
  },
  {
    name: '1 request that failed (slot returned)',
    history: (p) => p.sendRequest('failed'),
    ask: 'request',
    askAt: MIN,
    expect: { allowed: true },
  },
  {
    name: '2 requests in 7 days (at the limit)',
    history: async (p, at) => {
      await p.sendRequest();
      at(2 * DAY);
      await p.sendRequest();
    },
    ask: 'request',
    askAt: 4 * DAY,
    expect: { allowed: false, rule: 'permission-requests-7d', code: 37004 },
  },
  {
    name: '2 requests, the first just over 7 days ago',
    history: async (p, at) => {
      await p.sendRequest();
      at(2 * DAY);
      await p.sendRequest();
    },
    ask: 'request',
    askAt: 7 * DAY + MIN,
    expect: { allowed: true },
  },
  {
    name: '3 requests in 8 days (above: the third one refused)',
    history: async (p, at) => {
      await p.sendRequest();
      at(2 * DAY);
      await p.sendRequest();
      at(4 * DAY);
      await p.reserveRequest();
    },
    ask: 'request',
    askAt: 5 * DAY,
    expect: { allowed: false, rule: 'permission-requests-7d', code: 37004 },
  },
];

describe('the consent rules, row by row, on the real database', () => {
  let h: ConsentHarness;

  beforeAll(async () => {
    h = await startConsent('rules');
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it.each(ROWS.map((row) => [row.name, row] as const))(
    '%s',
    async (_name, row) => {
      const p = new Pair(h, row.user ? { user: row.user } : {});
      const at = (ms: number) => h.clock.set(T0 + ms);
      at(0);
      await row.history(p, at);
      at(row.askAt);
      const answer = row.ask === 'call' ? await p.check(newCallSid()) : await p.reserveRequest();
      expect({
        allowed: answer.allowed,
        rule: answer.reason?.split(':')[0],
        code: answer.errorCode ?? undefined,
      }).toEqual({ allowed: row.expect.allowed, rule: row.expect.rule, code: row.expect.code });
    },
    60_000,
  );

  it('reports the state: permission, expiry, allowances, re-prompt and the next refusal', async () => {
    const p = new Pair(h);
    h.clock.set(T0);
    await p.reply('accept');
    await p.call('connected');
    await times(2, () => p.call('missed'));
    await p.sendRequest();
    h.clock.set(T0 + HOUR);
    expect(await p.state()).toEqual({
      business: p.business,
      user: p.user,
      permission: 'temporary',
      permissionSource: 'user_action',
      grantedAt: new Date(T0).toISOString(),
      expiresAt: new Date(T0 + 7 * DAY).toISOString(),
      consecutiveMissedCalls: 2,
      reprompt: true,
      calls: [{ window: 'PT24H', max: 5, used: 1, remaining: 4 }],
      requests: [
        { window: 'PT24H', max: 1, used: 1, remaining: 0 },
        { window: 'P7D', max: 2, used: 1, remaining: 1 },
      ],
      nextCall: { allowed: true, errorCode: null, reason: null },
      nextRequest: {
        allowed: false,
        errorCode: 37004,
        reason: expect.stringMatching(/^permission-requests-24h: /) as unknown,
      },
    });
    // An unknown pair reads as empty, and reading creates nothing.
    const stranger = new Pair(h);
    expect(await stranger.state()).toMatchObject({
      permission: 'none',
      nextCall: { allowed: false, errorCode: 37000 },
    });
    const rows = await h.query('SELECT 1 FROM consent.permission_states WHERE user_address = $1', [
      stranger.user,
    ]);
    expect(rows).toEqual([]);
  }, 60_000);

  it('writes the history: every request, reply, attempt and what the rules made of them', async () => {
    const p = new Pair(h);
    h.clock.set(T0);
    await p.sendRequest();
    await p.reply('accept');
    await p.call('connected');
    await times(4, () => p.call('missed'));
    await p.check(newCallSid());
    const kinds = await h.query<{ kind: string; rule: string | null }>(
      `SELECT kind, rule FROM consent.ledger_entries WHERE user_address = $1 ORDER BY id`,
      [p.user],
    );
    expect(kinds.map((k) => (k.rule ? `${k.kind}/${k.rule}` : k.kind))).toEqual([
      'request.reserved',
      'request.sent',
      'reply.accepted',
      'call.reserved',
      'call.connected',
      'call.reserved',
      'call.missed',
      'call.reserved',
      'call.missed',
      'permission.reprompt/missed-calls-reprompt',
      'call.reserved',
      'call.missed',
      'call.reserved',
      'call.missed',
      'permission.revoked/missed-calls-revoke',
      'call.refused/missed-calls-revoke',
    ]);
  }, 60_000);

  it("takes Meta's second opinion: a disagreement is counted, and the stricter answer wins", async () => {
    const p = new Pair(h);
    h.clock.set(T0);
    await p.reply('accept');
    const metaRefuses = await p.check(newCallSid(), {
      meta: { status: 'no_permission', canStartCall: false, expiresAt: null },
    });
    expect(metaRefuses).toMatchObject({ allowed: false, errorCode: 37000 });
    expect(metaRefuses.reason).toMatch(/^meta-second-opinion: /);
    const agrees = await p.check(newCallSid(), {
      meta: { status: 'temporary', canStartCall: true, expiresAt: null },
    });
    expect(agrees.allowed).toBe(true);
    const stranger = new Pair(h);
    const metaAllows = await stranger.check(newCallSid(), {
      meta: { status: 'permanent', canStartCall: true, expiresAt: null },
    });
    expect(metaAllows).toMatchObject({ allowed: false, errorCode: 37000 });
    const metrics = await (await fetch(`${h.instances[0]!.url}/metrics`)).text();
    expect(metrics).toMatch(
      /parley_consent_meta_disagreements_total\{[^}]*disagreement="meta-refuses"[^}]*\} 1/,
    );
    expect(metrics).toMatch(
      /parley_consent_meta_disagreements_total\{[^}]*disagreement="meta-allows"[^}]*\} 1/,
    );
  }, 60_000);
});
