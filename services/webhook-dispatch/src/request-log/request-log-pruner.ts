import { Inject, Injectable } from '@nestjs/common';
import {
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  type ParleyLogger,
  PeriodicTasks,
} from '@parley/nest-kit';
import { Counter } from 'prom-client';
import { type WebhookDispatchEnv } from '../config/env.schema';
import { RequestLogRepository } from './request-log.repository';

const DAY_MS = 86_400_000;
const BATCH = 5_000;

/**
 * Keeps the request log for REQUEST_LOG_RETENTION_DAYS: the periodic task
 * `request-log.prune` deletes older entries in batches (any replica may run it; deletes
 * do not conflict) and counts them in `parley_webhook_request_log_pruned_total`.
 */
@Injectable()
export class RequestLogPruner {
  private readonly pruned: Counter;

  constructor(
    private readonly log: RequestLogRepository,
    @Inject(PARLEY_ENV) private readonly env: WebhookDispatchEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    metrics: MetricsService,
    tasks: PeriodicTasks,
  ) {
    this.pruned = new Counter({
      name: 'parley_webhook_request_log_pruned_total',
      help: 'Request-log entries (notifications, alerts, call events) deleted after the retention.',
      registers: [metrics.registry],
    });
    tasks.every('request-log.prune', env.REQUEST_LOG_PRUNE_MS, (signal) => this.prune(signal));
  }

  /** Deletes everything past the retention; returns how many entries went. */
  async prune(signal?: AbortSignal): Promise<number> {
    const olderThan = new Date(Date.now() - this.env.REQUEST_LOG_RETENTION_DAYS * DAY_MS);
    let total = 0;
    for (;;) {
      const deleted = await this.log.prune(olderThan, BATCH);
      total += deleted;
      this.pruned.inc(deleted);
      if (deleted < BATCH || signal?.aborted) break;
    }
    if (total > 0) this.logger.info({ deleted: total, olderThan }, 'request log pruned');
    return total;
  }
}
