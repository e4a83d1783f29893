import { backoffMs, isWorthAnotherAttempt } from './retry-policy';

describe('retry policy', () => {
  it('retries failures that may pass and refuses those that repeat', () => {
    expect(isWorthAnotherAttempt({ failure: 'connect' })).toBe(true);
    expect(isWorthAnotherAttempt({ failure: 'timeout' })).toBe(true);
    expect(isWorthAnotherAttempt({ failure: 'http-status', status: 500 })).toBe(true);
    expect(isWorthAnotherAttempt({ failure: 'http-status', status: 503 })).toBe(true);
    expect(isWorthAnotherAttempt({ failure: 'http-status', status: 429 })).toBe(true);
    expect(isWorthAnotherAttempt({ failure: 'http-status', status: 404 })).toBe(false);
    expect(isWorthAnotherAttempt({ failure: 'blocked-address' })).toBe(false);
    expect(isWorthAnotherAttempt({ failure: 'invalid-url' })).toBe(false);
    expect(isWorthAnotherAttempt({ failure: 'too-many-redirects' })).toBe(false);
  });

  it('doubles from the base, caps, and jitters within the upper half', () => {
    expect(backoffMs(1, 1_000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1_000, 60_000, () => 1)).toBe(1_000);
    expect(backoffMs(3, 1_000, 60_000, () => 1)).toBe(4_000);
    expect(backoffMs(30, 1_000, 60_000, () => 1)).toBe(60_000);
    expect(backoffMs(30, 1_000, 60_000, () => 0)).toBe(30_000);
  });
});
