import { Inject, Injectable } from '@nestjs/common';
import { type BaseEnv } from '../config/env';
import { type ParleyLogger } from '../logging/logger';
import { PARLEY_ENV, PARLEY_LOGGER } from '../tokens';

/**
 * Work a service started without awaiting it (dialing a call, processing a webhook just
 * stored). Shutdown waits for it, up to SHUTDOWN_GRACE_MS, before the NATS connection
 * drains (CoreLifecycle orders it), and names what was still running if it gives up.
 */
@Injectable()
export class BackgroundTasks {
  private readonly running = new Map<Promise<void>, string>();

  constructor(
    @Inject(PARLEY_ENV) private readonly env: BaseEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  /** Number of tracked promises not settled yet. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Tracks `work` until it settles. A rejection is logged with its label (callers that
   * want their own message catch first), so the promise never goes unhandled.
   */
  track(work: Promise<unknown>, label: string): void {
    const settled = work.then(
      () => undefined,
      (error: unknown) => this.logger.error({ err: error, task: label }, `${label} failed`),
    );
    this.running.set(settled, label);
    void settled.finally(() => this.running.delete(settled));
  }

  /**
   * Waits for everything tracked (including work tracked while waiting) for at most
   * `graceMs`; returns the labels of what was still running when it gave up.
   */
  async drain(graceMs: number = this.env.SHUTDOWN_GRACE_MS): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), graceMs);
    });
    try {
      while (this.running.size > 0) {
        const outcome = await Promise.race([
          Promise.allSettled([...this.running.keys()]).then(() => 'settled' as const),
          expired,
        ]);
        if (outcome === 'expired') {
          const left = [...this.running.values()];
          this.logger.warn(
            { still: left, graceMs },
            'shutdown stopped waiting for background work still running',
          );
          return left;
        }
      }
      return [];
    } finally {
      clearTimeout(timer);
    }
  }
}
