import { AuthFailureLimiter } from './auth-failure-limiter';

describe('AuthFailureLimiter', () => {
  let now = 0;
  const limiter = () =>
    new AuthFailureLimiter({ perCredential: 3, perAddress: 5, windowMs: 1_000 }, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('refuses a credential after its limit of failures, until they leave the window', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfterMs('SK1', 'a1')).toBe(0);
      l.recordFailure('SK1', `a${i}`);
      now += 100;
    }
    expect(l.retryAfterMs('SK1', 'other')).toBe(700);
    expect(l.retryAfterMs('SK2', 'other')).toBe(0);
    now += 700;
    expect(l.retryAfterMs('SK1', 'other')).toBe(0);
  });

  it('refuses an address that fails with many credentials', () => {
    const l = limiter();
    for (let i = 0; i < 5; i++) l.recordFailure(`SK${i}`, '10.0.0.1');
    expect(l.retryAfterMs('SKnew', '10.0.0.1')).toBeGreaterThan(0);
    expect(l.retryAfterMs('SKnew', '10.0.0.2')).toBe(0);
  });

  it('forgets the oldest keys beyond its bound', () => {
    const l = new AuthFailureLimiter(
      { perCredential: 1, perAddress: 100, windowMs: 1_000, maxTracked: 2 },
      () => now,
    );
    l.recordFailure('SK1', null);
    l.recordFailure('SK2', null);
    l.recordFailure('SK3', null);
    expect(l.retryAfterMs('SK1', null)).toBe(0);
    expect(l.retryAfterMs('SK3', null)).toBeGreaterThan(0);
  });
});
