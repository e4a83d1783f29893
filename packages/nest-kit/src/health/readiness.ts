import { Injectable } from '@nestjs/common';
import { type ReadinessCheckResult } from '@parley/contracts';

/** One dependency the service cannot work without. */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves with `detail` explaining a failure; may throw, which counts as a failure. */
  check(): Promise<{ ok: boolean; detail?: string }>;
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The checks behind /readyz and the `<domain>.v1.health.check` command. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(check: ReadinessCheck): void {
    if (this.checks.has(check.name))
      throw new Error(`readiness check ${check.name} registered twice`);
    this.checks.set(check.name, check);
  }

  async evaluate(): Promise<{ ready: boolean; checks: ReadinessCheckResult[] }> {
    const results = await Promise.all(
      [...this.checks.values()].map(async (c): Promise<ReadinessCheckResult> => {
        const started = performance.now();
        const outcome = await withTimeout(c.check(), CHECK_TIMEOUT_MS, c.name).catch(
          (error: unknown) => ({
            ok: false,
            detail: error instanceof Error ? error.message : String(error),
          }),
        );
        const latencyMs = Math.round((performance.now() - started) * 10) / 10;
        return outcome.detail === undefined
          ? { name: c.name, ok: outcome.ok, latencyMs }
          : { name: c.name, ok: outcome.ok, latencyMs, detail: outcome.detail };
      }),
    );
    return { ready: results.every((r) => r.ok), checks: results };
  }
}
