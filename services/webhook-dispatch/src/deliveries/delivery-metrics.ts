import { Injectable } from '@nestjs/common';
import { MetricsService } from '@parley/nest-kit';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DeliveriesRepository } from './deliveries.repository';

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'fallback';

/** Deliveries by outcome, attempt latency and the backlog, on the service's /metrics. */
@Injectable()
export class DeliveryMetrics {
  readonly outcomes: Counter<'kind' | 'outcome'>;
  readonly latency: Histogram<'kind' | 'outcome'>;

  constructor(metrics: MetricsService, deliveries: DeliveriesRepository) {
    this.outcomes = new Counter({
      name: 'parley_webhook_deliveries_total',
      help: 'Callback attempts by kind and outcome (delivered, retry scheduled, fallback URL next, failed for good).',
      labelNames: ['kind', 'outcome'],
      registers: [metrics.registry],
    });
    this.latency = new Histogram({
      name: 'parley_webhook_delivery_duration_seconds',
      help: 'Time of one delivery attempt, retries inside it included, by kind and outcome.',
      labelNames: ['kind', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers: [metrics.registry],
    });
    new Gauge({
      name: 'parley_webhook_backlog',
      help: 'Callbacks recorded and not delivered or failed yet.',
      registers: [metrics.registry],
      async collect() {
        this.set(await deliveries.pendingCount());
      },
    });
  }
}
