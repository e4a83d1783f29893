import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NatsBus } from '@parley/contracts';
import { PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger, PeriodicTasks } from '@parley/nest-kit';
import { type DataSource, IsNull } from 'typeorm';
import { type CallControlEnv } from '../config/env.schema';
import { CallEventEntity } from './call-event.entity';

/**
 * Publishes `calls.v1.call.status-changed` from the outbox (status rows of call_events):
 * a transition and its event are committed together, then published with the
 * de-duplication id `${callSid}:${sequence}`. Right after the commit for low latency, and
 * by a sweeper for anything a crash or a NATS outage left behind. Publishing holds no
 * transaction (a hung NATS must not pin database connections); one call's events are
 * published in sequence order by each publisher, one after another within this replica.
 */
@Injectable()
export class StatusOutbox implements OnApplicationShutdown {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly bus: NatsBus,
    @Inject(PARLEY_ENV) env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    tasks: PeriodicTasks,
  ) {
    tasks.every('status-outbox.sweep', env.OUTBOX_SWEEP_MS, (signal) => this.sweep(signal));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }

  /** Publishes a call's pending events soon; calls for one call run one after another. */
  kick(callSid: string): Promise<void> {
    const previous = this.chains.get(callSid) ?? Promise.resolve();
    const next = previous
      .then(() => this.publishCall(callSid))
      .then(
        () => undefined,
        (error: unknown) => {
          // The sweeper retries; the transition itself is safely committed.
          this.logger.warn({ err: error, callSid }, 'status event not published yet');
        },
      );
    this.chains.set(callSid, next);
    void next.finally(() => {
      if (this.chains.get(callSid) === next) this.chains.delete(callSid);
    });
    return next;
  }

  /**
   * Publishes every pending event, oldest calls first (until `signal` aborts). Returns how
   * many were published.
   */
  async sweep(signal?: AbortSignal): Promise<number> {
    const calls = await this.ds
      .getRepository(CallEventEntity)
      .createQueryBuilder('e')
      .select('e.call_sid', 'callSid')
      .addSelect('MIN(e.id)', 'firstId')
      .where('e.sequence IS NOT NULL AND e.published_at IS NULL')
      .groupBy('e.call_sid')
      .orderBy('"firstId"', 'ASC')
      .limit(200)
      .getRawMany<{ callSid: string }>();
    let published = 0;
    for (const { callSid } of calls) {
      if (signal?.aborted) break;
      published += await this.publishCall(callSid);
    }
    return published;
  }

  /**
   * Publishes a call's pending events in sequence order, outside any transaction: the
   * rows are read, published one by one (each waits for JetStream's ack), and those
   * acknowledged are marked. No pooled connection waits on NATS, so a hung NATS cannot
   * starve the REST API of connections. Two replicas publishing one call at once both
   * go in order, and JetStream drops the repeats by msgId: the stream keeps the order.
   */
  private async publishCall(callSid: string): Promise<number> {
    const rows = await this.ds.getRepository(CallEventEntity).find({
      where: { callSid, publishedAt: IsNull() },
      order: { sequence: 'ASC' },
    });
    const done: string[] = [];
    let failure: unknown;
    for (const row of rows) {
      if (row.sequence === null || !row.payload) continue;
      try {
        await this.bus.publishDurable('calls.v1.call.status-changed', row.payload, {
          msgId: `${callSid}:${row.sequence}`,
          correlationId: callSid,
        });
        done.push(row.id);
      } catch (error) {
        failure = error;
        break; // keep order: later events wait for this one
      }
    }
    // Mark what was published before reporting a failure.
    if (done.length) {
      await this.ds
        .getRepository(CallEventEntity)
        .createQueryBuilder()
        .update()
        .set({ publishedAt: () => 'now()' })
        .whereInIds(done)
        .execute();
    }
    if (failure) {
      throw failure instanceof Error ? failure : new Error('JetStream publish failed');
    }
    return done.length;
  }
}
