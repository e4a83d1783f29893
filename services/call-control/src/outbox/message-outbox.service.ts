import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ContentApprovalChangedV1,
  MessageReceivedV1,
  MessageStatusChangedV1,
  NatsBus,
} from '@parley/contracts';
import {
  BackgroundTasks,
  PARLEY_ENV,
  PARLEY_LOGGER,
  type ParleyLogger,
  PeriodicTasks,
} from '@parley/nest-kit';
import { type DataSource } from 'typeorm';
import { type CallControlEnv } from '../config/env.schema';
import { MessageOutboxEntity } from './message-outbox.entity';

/**
 * Publishes the messages' durable events from the outbox, oldest first, one publisher at
 * a time across replicas (an advisory lock), so a message's events leave in order. Right
 * after a commit for low latency, and by a sweeper for what a crash or an outage left.
 */
@Injectable()
export class MessageOutbox implements OnApplicationShutdown {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly bus: NatsBus,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly background: BackgroundTasks,
    @Inject(PARLEY_ENV) env: CallControlEnv,
    tasks: PeriodicTasks,
  ) {
    tasks.every('message-outbox.sweep', env.OUTBOX_SWEEP_MS, () => this.publishPending());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running;
  }

  /** Publishes soon; calls while a round runs make one more round. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    const round = this.publishPending()
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'message events not published yet (the sweeper retries)'),
      )
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
    this.running = round;
    this.background.track(round, 'message outbox');
  }

  /** Publishes every pending event (in batches); returns how many were published. */
  async publishPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch(100);
      total += published;
      if (published < 100) return total;
    }
  }

  private async publishBatch(limit: number): Promise<number> {
    return this.ds.transaction(async (manager) => {
      const locked = await manager.query<{ ok: boolean }[]>(
        "SELECT pg_try_advisory_xact_lock(hashtext('message-outbox')) AS ok",
      );
      if (!locked[0]?.ok) return 0;
      const rows = await manager
        .getRepository(MessageOutboxEntity)
        .createQueryBuilder('o')
        .where('o.published_at IS NULL')
        .orderBy('o.id', 'ASC')
        .limit(limit)
        .getMany();
      const done: string[] = [];
      let failure: unknown;
      for (const row of rows) {
        try {
          await this.publish(row);
          done.push(row.id);
        } catch (error) {
          failure = error;
          break; // keep order: later events wait for this one
        }
      }
      if (done.length)
        await manager
          .getRepository(MessageOutboxEntity)
          .createQueryBuilder()
          .update()
          .set({ publishedAt: () => 'now()' })
          .whereInIds(done)
          .execute();
      if (failure) this.logger.warn({ err: failure }, 'message event publish failed');
      return failure ? 0 : done.length;
    });
  }

  private async publish(row: MessageOutboxEntity): Promise<void> {
    if (row.subject === 'calls.v1.message.status-changed') {
      const payload = MessageStatusChangedV1.parse(row.payload);
      await this.bus.publishDurable(row.subject, payload, {
        msgId: row.msgId,
        correlationId: payload.messageSid,
      });
      return;
    }
    if (row.subject === 'calls.v1.content.approval-changed') {
      const payload = ContentApprovalChangedV1.parse(row.payload);
      await this.bus.publishDurable(row.subject, payload, {
        msgId: row.msgId,
        correlationId: payload.contentSid,
      });
      return;
    }
    const payload = MessageReceivedV1.parse(row.payload);
    await this.bus.publishDurable(row.subject, payload, {
      msgId: row.msgId,
      correlationId: payload.messageSid,
    });
  }
}
