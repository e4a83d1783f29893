import { Histogram, type Registry } from 'prom-client';

/** The histogram of call set-up steps every service that takes part in a set-up records. */
export const CALL_SETUP_STEP_METRIC = 'parley_call_setup_step_seconds';

/**
 * `parley_call_setup_step_seconds{step}` in `registry`: how long each step of a call's
 * set-up took (call-control: webhook to call row, media answer, Graph pre_accept...; media:
 * rtpengine offer, mediasoup leg, rtpengine answer...). Buckets from 0.5 ms: the steps are
 * expected in single milliseconds.
 */
export function callSetupStepHistogram(registry: Registry): Histogram<'step'> {
  return new Histogram({
    name: CALL_SETUP_STEP_METRIC,
    help: 'Time taken by each step of a call set-up (connect webhook to pre_accept and accept), by step.',
    labelNames: ['step'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
}

/**
 * Spans of one set-up: each `mark(step)` closes the step that started at the previous mark
 * (or at `start`). Steps that run at the same time are timed with `time`. Pure: the clock
 * is given (monotonic milliseconds).
 */
export class SetupSteps {
  private last: number;
  private readonly durations: Record<string, number> = {};

  constructor(
    private readonly now: () => number = () => performance.now(),
    readonly start: number = now(),
  ) {
    this.last = start;
  }

  /** Closes the step running since the previous mark; returns its milliseconds. */
  mark(step: string): number {
    const at = this.now();
    const ms = at - this.last;
    this.last = at;
    this.record(step, ms);
    return ms;
  }

  /** Times `fn` as `step` (which may overlap other steps); the mark clock is not moved. */
  async time<T>(step: string, fn: () => Promise<T>): Promise<T> {
    const started = this.now();
    try {
      return await fn();
    } finally {
      this.record(step, this.now() - started);
    }
  }

  /** Milliseconds since `start`. */
  elapsed(): number {
    return this.now() - this.start;
  }

  /** Each step's milliseconds, rounded to 0.1 ms (for a timeline entry or a log line). */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [step, ms] of Object.entries(this.durations)) out[step] = Math.round(ms * 10) / 10;
    return out;
  }

  /** Observes every step (and `total`, if given) in the histogram. */
  observe(histogram: Histogram<'step'>): void {
    for (const [step, ms] of Object.entries(this.durations)) {
      histogram.observe({ step }, ms / 1000);
    }
  }

  private record(step: string, ms: number): void {
    this.durations[step] = (this.durations[step] ?? 0) + Math.max(0, ms);
  }
}
