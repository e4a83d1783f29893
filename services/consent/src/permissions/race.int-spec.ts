import { newCallSid, Pair, startConsent, type ConsentHarness } from '../testing/harness';

/**
 * Concurrent checks for one user, answered by two consent instances on one database: the
 * pair's row lock serialises them in PostgreSQL, so no limit is ever exceeded.
 */
describe('concurrent checks for one user', () => {
  let h: ConsentHarness;

  beforeAll(async () => {
    h = await startConsent('race', { count: 2, env: { DATABASE_POOL_MAX: '20' } });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('50 parallel call checks hold exactly 5 slots; the others are refused with 37006', async () => {
    const p = new Pair(h);
    await p.reply('accept');
    const answers = await Promise.all(Array.from({ length: 50 }, () => p.check(newCallSid())));
    const allowed = answers.filter((a) => a.allowed);
    expect(allowed).toHaveLength(5);
    const refused = answers.filter((a) => !a.allowed);
    expect(new Set(refused.map((a) => a.errorCode))).toEqual(new Set([37006]));
    expect(refused.every((a) => a.reason?.startsWith('connected-calls-24h: '))).toBe(true);
    const [held] = await h.query<{ n: string }>(
      `SELECT count(*) AS n FROM consent.call_attempts WHERE user_address = $1 AND state = 'reserved'`,
      [p.user],
    );
    expect(held?.n).toBe('5');
    // Both instances answered: the race really crossed processes' connection pools.
    const served = await Promise.all(
      h.instances.map(async (app) => {
        const text = await (await fetch(`${app.url}/metrics`)).text();
        return /parley_consent_decisions_total\{[^}]*kind="call"/.test(text);
      }),
    );
    expect(served).toEqual([true, true]);
  }, 60_000);

  it('50 parallel checks of one call take one slot, and all get the first answer', async () => {
    const p = new Pair(h);
    await p.reply('accept');
    const callSid = newCallSid();
    const answers = await Promise.all(Array.from({ length: 50 }, () => p.check(callSid)));
    expect(answers.every((a) => a.allowed)).toBe(true);
    expect((await p.state()).calls[0]).toMatchObject({ used: 1, remaining: 4 });
  }, 60_000);

  it('50 parallel permission-request reservations: exactly 1 goes through (1 per 24 h)', async () => {
    const p = new Pair(h);
    const answers = await Promise.all(Array.from({ length: 50 }, () => p.reserveRequest()));
    expect(answers.filter((a) => a.allowed)).toHaveLength(1);
    expect(answers.filter((a) => !a.allowed).every((a) => a.errorCode === 37004)).toBe(true);
  }, 60_000);
});
