/**
 * The simulator's notion of "now" for Meta's ledgers and limits: real time plus an offset
 * that tests advance to cross 24 hours or 7 days in a moment. Timers (ring time, media
 * timeout, webhook retries) keep running on real time.
 */
export class SimClock {
  private offsetMs: number;

  constructor(initialOffsetMs = 0) {
    this.offsetMs = initialOffsetMs;
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Unix seconds, as every Meta timestamp is written. */
  unixSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }

  get offset(): number {
    return this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** "25h", "7d", "1d2h", "90m", "1500ms" or a plain number of milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(pattern)) {
    total += Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1);
    consumed += match[0].length;
  }
  if (consumed === 0 || consumed !== trimmed.length) {
    throw new RangeError(`not a duration: ${JSON.stringify(text)} (use e.g. 25h, 7d, 90m, 1500ms)`);
  }
  return total;
}
