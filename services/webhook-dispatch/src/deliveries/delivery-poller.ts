import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type WebhookDispatchEnv } from '../config/env.schema';
import { DeliveryWorker } from './delivery-worker';

/**
 * Drives the worker: every DELIVERY_POLL_MS, and at once when a callback was recorded or
 * a send made room. Runs never overlap; a failed run is logged and the next one tries
 * again (rows wait in the outbox meanwhile).
 */
@Injectable()
export class DeliveryPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly worker: DeliveryWorker,
    @Inject(PARLEY_ENV) private readonly env: WebhookDispatchEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {
    worker.onRoom = () => this.kick();
  }

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.worker.stop();
  }

  /** Runs the worker now (or right after the run in progress). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.kick();
      this.schedule();
    }, this.env.DELIVERY_POLL_MS);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    try {
      // Keep claiming while whole batches come back: a backlog drains at full speed.
      while (!this.stopped && (await this.worker.pump()) > 0) {
        if (this.worker.inFlightCount >= this.env.DELIVERY_CONCURRENCY) break;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'claiming due callbacks failed');
    }
  }
}
