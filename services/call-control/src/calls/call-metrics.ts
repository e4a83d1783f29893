import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { TERMINAL_CALL_STATUSES } from '@parley/contracts';
import { MetricsService } from '@parley/nest-kit';
import { Counter, Gauge, Histogram } from 'prom-client';
import { type DataSource } from 'typeorm';
import { CallEntity } from './call.entity';
import { CallDomainEvents } from './call-domain-events';

/**
 * Call outcomes for operators' dashboards and alerts (deploy/prometheus): every call that
 * ends is counted once by its final status, direction and error code, and answered calls
 * by how long they took to set up. Fed by the in-process domain events emitted after
 * commit, so a rolled-back transition is never counted. Calls not ended yet are read from
 * the database at scrape time (every replica reports the same, so dashboards take `max`).
 */
@Injectable()
export class CallMetrics {
  constructor(
    metrics: MetricsService,
    events: CallDomainEvents,
    @InjectDataSource() ds: DataSource,
  ) {
    const terminal = [...TERMINAL_CALL_STATUSES];
    new Gauge({
      name: 'parley_calls_active',
      help: 'Calls not ended yet, by status and sender sid (WhatsApp allows 1,000 per number).',
      labelNames: ['status', 'sender'],
      registers: [metrics.registry],
      async collect() {
        const rows = await ds
          .getRepository(CallEntity)
          .createQueryBuilder('c')
          .select('c.status', 'status')
          .addSelect("COALESCE(c.sender_sid, '')", 'sender')
          .addSelect('COUNT(*)::int', 'count')
          .where('c.status NOT IN (:...terminal)', { terminal })
          .groupBy('c.status')
          .addGroupBy('c.sender_sid')
          .getRawMany<{ status: string; sender: string; count: number }>()
          .catch(() => undefined);
        // A failed read keeps the last values rather than failing the scrape.
        if (!rows) return;
        this.reset();
        for (const r of rows) this.set({ status: r.status, sender: r.sender }, Number(r.count));
      },
    });
    const ended = new Counter({
      name: 'parley_calls_ended_total',
      help: 'Calls that reached a final status, by status, direction and Twilio error code ("" when none).',
      labelNames: ['status', 'direction', 'error_code'],
      registers: [metrics.registry],
    });
    const setup = new Histogram({
      name: 'parley_call_setup_seconds',
      help: 'From a call being created to it being answered (in-progress), by direction.',
      labelNames: ['direction'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
      registers: [metrics.registry],
    });
    events.on('call.ended', ({ call }) => {
      ended.inc({
        status: call.status,
        direction: call.direction,
        error_code: call.errorCode === null ? '' : String(call.errorCode),
      });
    });
    events.on('call.answered', ({ call }) => {
      const answeredAt = call.startTime ?? new Date();
      setup.observe(
        { direction: call.direction },
        Math.max(0, (answeredAt.getTime() - call.dateCreated.getTime()) / 1000),
      );
    });
  }
}
