/**
 * Counts failed authentications per credential (the username: an AccountSid or API key
 * sid) and per client address, in a sliding window. Once either is over its limit, further
 * attempts are refused before any secret is checked, so a known sid with wrong secrets
 * cannot buy unlimited scrypt runs, and one address cannot spray many sids.
 *
 * In memory, per replica: N replicas allow up to N times the limit. Bounded: at most
 * `maxTracked` keys are kept (the oldest are forgotten first).
 */
export interface AuthFailureLimits {
  perCredential: number;
  perAddress: number;
  windowMs: number;
  maxTracked?: number;
}

export class AuthFailureLimiter {
  /** Failure times (ms) by key, oldest first; Map order is insertion order. */
  private readonly failures = new Map<string, number[]>();
  private readonly maxTracked: number;

  constructor(
    private readonly limits: AuthFailureLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.maxTracked = limits.maxTracked ?? 100_000;
  }

  /** Milliseconds until an attempt is allowed again; 0 when it is allowed now. */
  retryAfterMs(credential: string | null, address: string | null): number {
    const waits = [
      credential === null ? 0 : this.wait(`c:${credential}`, this.limits.perCredential),
      address === null ? 0 : this.wait(`a:${address}`, this.limits.perAddress),
    ];
    return Math.max(...waits);
  }

  recordFailure(credential: string | null, address: string | null): void {
    if (credential !== null) this.add(`c:${credential}`);
    if (address !== null) this.add(`a:${address}`);
  }

  private wait(key: string, limit: number): number {
    const times = this.recent(key);
    if (times.length < limit) return 0;
    // Allowed again when enough failures have left the window.
    const oldestCounted = times[times.length - limit] ?? 0;
    return Math.max(1, oldestCounted + this.limits.windowMs - this.now());
  }

  private recent(key: string): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const since = this.now() - this.limits.windowMs;
    while (times.length && (times[0] ?? 0) <= since) times.shift();
    if (!times.length) this.failures.delete(key);
    return times;
  }

  private add(key: string): void {
    const times = this.recent(key);
    times.push(this.now());
    // Keep only what the largest limit needs.
    const keep = Math.max(this.limits.perCredential, this.limits.perAddress);
    if (times.length > keep) times.splice(0, times.length - keep);
    this.failures.delete(key);
    this.failures.set(key, times);
    while (this.failures.size > this.maxTracked) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }
}
