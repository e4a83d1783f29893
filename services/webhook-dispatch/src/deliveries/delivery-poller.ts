import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PARLEY_ENV, type PeriodicTask, PeriodicTasks } from '@parley/nest-kit';
import { type WebhookDispatchEnv } from '../config/env.schema';
import { DeliveryWorker } from './delivery-worker';

/**
 * Drives the worker as the periodic task `webhook-deliveries.pump`: every
 * DELIVERY_POLL_MS, and at once when a callback was recorded or a send made room. Runs
 * never overlap; a kick during a run means one more run after it. A failed run is logged
 * and counted by PeriodicTasks and the next one tries again (rows wait in the outbox).
 */
@Injectable()
export class DeliveryPoller implements OnModuleDestroy {
  private readonly task: PeriodicTask;
  /** Set by a kick, cleared when a run starts claiming: a kick never falls between runs. */
  private again = false;

  constructor(
    private readonly worker: DeliveryWorker,
    @Inject(PARLEY_ENV) private readonly env: WebhookDispatchEnv,
    tasks: PeriodicTasks,
  ) {
    this.task = tasks.every('webhook-deliveries.pump', env.DELIVERY_POLL_MS, (signal) =>
      this.run(signal),
    );
    worker.onRoom = () => this.kick();
  }

  /**
   * Stops polling, waits for the run in progress, then stops the worker (aborting its
   * requests and giving their rows back). Here rather than in CoreLifecycle's later
   * `stopAll`: the worker must stop after the last claim, and before the database closes.
   */
  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
    await this.worker.stop();
  }

  /** Runs the worker now (or right after the run in progress). */
  kick(): void {
    if (this.task.stopped) return;
    this.again = true;
    // tick() joins a run in progress; if that run claimed before this kick, run again.
    void this.task.tick().then(() => {
      if (this.again) this.kick();
    });
  }

  private async run(signal: AbortSignal): Promise<void> {
    this.again = false;
    // Keep claiming while whole batches come back: a backlog drains at full speed.
    while (!signal.aborted && (await this.worker.pump()) > 0) {
      if (this.worker.inFlightCount >= this.env.DELIVERY_CONCURRENCY) break;
    }
  }
}
