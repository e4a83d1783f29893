import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MetricsService } from '@parley/nest-kit';
import { Counter, Gauge } from 'prom-client';
import { type DataSource } from 'typeorm';

export type InboxFailure = 'unparsable' | 'gave-up';

/**
 * What an alert watches: `parley_meta_webhook_inbox_failed` (inbox rows failed and not
 * re-driven, by kind: `unparsed` for changes Parley could not read) and
 * `parley_meta_webhook_inbox_failures_total` (by reason: `unparsable`, `gave-up` after
 * META_WEBHOOK_MAX_ATTEMPTS). Re-drive with `./dev admin webhooks:redrive`.
 */
@Injectable()
export class InboxMetrics {
  private readonly failures: Counter<'reason'>;

  constructor(@InjectDataSource() ds: DataSource, metrics: MetricsService) {
    this.failures = new Counter({
      name: 'parley_meta_webhook_inbox_failures_total',
      help: 'Meta webhook events that failed: unparsable changes, and events given up on.',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
    new Gauge({
      name: 'parley_meta_webhook_inbox_failed',
      help: 'Meta webhook inbox rows in status failed (alert when above 0), by kind.',
      labelNames: ['kind'],
      registers: [metrics.registry],
      async collect() {
        const rows = await ds.query<{ kind: string; n: number }[]>(
          `SELECT kind, count(*)::int AS n FROM call_control.meta_webhook_events
            WHERE status = 'failed' GROUP BY kind`,
        );
        this.reset();
        for (const row of rows) this.set({ kind: row.kind }, row.n);
      },
    });
  }

  failed(reason: InboxFailure, count = 1): void {
    if (count > 0) this.failures.inc({ reason }, count);
  }
}
