import { Injectable } from '@nestjs/common';
import { MetricsService } from '@parley/nest-kit';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DeliveriesRepository } from './deliveries.repository';
import { type HostCircuits } from './host-circuits';

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'fallback';

/** Deliveries by outcome, attempt latency and the backlog, on the service's /metrics. */
@Injectable()
export class DeliveryMetrics {
  readonly outcomes: Counter<'kind' | 'outcome'>;
  readonly latency: Histogram<'kind' | 'outcome'>;
  readonly circuitTransitions: Counter<'to'>;
  private circuits: HostCircuits | null = null;

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
    this.circuitTransitions = new Counter({
      name: 'parley_webhook_circuit_transitions_total',
      help: 'Destination circuits opened (or re-opened after a failed probe) and closed.',
      labelNames: ['to'],
      registers: [metrics.registry],
    });
    const circuits = (): HostCircuits | null => this.circuits;
    new Gauge({
      name: 'parley_webhook_circuits_open',
      help: 'Destination hosts whose callbacks wait because they keep failing (this replica).',
      registers: [metrics.registry],
      collect() {
        this.set(circuits()?.openCount() ?? 0);
      },
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

  /** The worker's circuits, read when /metrics is scraped. */
  watchCircuits(circuits: HostCircuits): void {
    this.circuits = circuits;
  }
}
