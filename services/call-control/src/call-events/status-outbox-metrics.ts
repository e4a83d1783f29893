import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MetricsService } from '@parley/nest-kit';
import { Gauge } from 'prom-client';
import { type DataSource } from 'typeorm';
import { CallEventEntity } from './call-event.entity';

/**
 * How far the status outbox is behind: status events committed and not yet published to
 * NATS, and the age of the oldest. Both grow only when publishing fails (NATS down or
 * refusing), which the sweeper keeps retrying; deploy/prometheus alerts on them. Read at
 * scrape time; a failed read keeps the last value rather than failing the scrape.
 */
@Injectable()
export class StatusOutboxMetrics {
  constructor(@InjectDataSource() ds: DataSource, metrics: MetricsService) {
    const read = async (): Promise<{ pending: number; oldestSeconds: number } | undefined> => {
      try {
        const row = await ds
          .getRepository(CallEventEntity)
          .createQueryBuilder('e')
          .select('COUNT(*)::int', 'pending')
          .addSelect(
            'COALESCE(EXTRACT(EPOCH FROM (now() - MIN(e.occurred_at))), 0)::float8',
            'oldestSeconds',
          )
          .where('e.sequence IS NOT NULL AND e.published_at IS NULL')
          .getRawOne<{ pending: number; oldestSeconds: number }>();
        return row
          ? { pending: Number(row.pending), oldestSeconds: Number(row.oldestSeconds) }
          : undefined;
      } catch {
        return undefined;
      }
    };
    new Gauge({
      name: 'parley_status_outbox_pending',
      help: 'Call status events committed and not yet published to NATS.',
      registers: [metrics.registry],
      async collect() {
        const r = await read();
        if (r) this.set(r.pending);
      },
    });
    new Gauge({
      name: 'parley_status_outbox_oldest_seconds',
      help: 'Age of the oldest call status event not yet published to NATS (0 when none).',
      registers: [metrics.registry],
      async collect() {
        const r = await read();
        if (r) this.set(r.oldestSeconds);
      },
    });
  }
}
