/**
 * What the outbox does after a failed attempt. The HTTP client already retried inside the
 * attempt as the URL's connection overrides say (`#rc`, `#rp`, Twilio's defaults); these
 * are the later attempts, minutes apart, for failures that may pass (the server down or
 * overloaded, the network). A refusal that repeats the same way every time fails at once.
 */

/** The HTTP client's failure kinds (`FetchFailure` of @parley/webhooks). */
const TRANSIENT_FAILURES: ReadonlySet<string> = new Set([
  'connect',
  'timeout',
  'read-timeout',
  'network',
  'dns',
  'tls',
]);

export interface AttemptFailure {
  failure: string;
  /** HTTP status when the server answered. */
  status?: number;
}

export function isWorthAnotherAttempt(failure: AttemptFailure): boolean {
  if (failure.failure === 'http-status') {
    const status = failure.status ?? 0;
    return status >= 500 || status === 408 || status === 429;
  }
  return TRANSIENT_FAILURES.has(failure.failure);
}

/**
 * Delay before attempt `attempts + 1`: exponential from `baseMs`, capped at `maxMs`, with
 * full jitter so that deliveries failing together do not come back together.
 */
export function backoffMs(
  attempts: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  // Never less than half the ceiling, so a retry is not immediate by chance.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * What an attempt says about the destination host's health, for its circuit breaker:
 * `down` when it failed the way a dead or overloaded server fails (the failures worth
 * another attempt), `up` when the server answered anything else, `unknown` when the
 * request never reached it (refused by the URL policy, an invalid URL).
 */
export function hostHealthOf(
  outcome: { ok: true } | (AttemptFailure & { ok?: false }),
): 'up' | 'down' | 'unknown' {
  if (outcome.ok === true) return 'up';
  if (isWorthAnotherAttempt(outcome)) return 'down';
  return outcome.failure === 'http-status' || outcome.failure === 'too-large' ? 'up' : 'unknown';
}
