import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type DurableConsumerName } from '@parley/contracts';
import {
  type DeadLetter,
  type DeadLetterSink,
  DurableEventHandlers,
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  type ParleyLogger,
  PeriodicTasks,
} from '@parley/nest-kit';
import { Counter, Gauge } from 'prom-client';
import { type Repository } from 'typeorm';
import { type CallControlEnv } from '../config/env.schema';
import { DeadLetterEntity } from './dead-letter.entity';

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}

/**
 * call-control's dead-letter store (nest-kit's DEAD_LETTER_SINK): durable events whose
 * every delivery failed are kept here instead of being dropped, counted in
 * `parley_dead_letters_total` and shown, while unresolved, in `parley_dead_letters`.
 * Rows an operator marked `redrive` are run through their consumer's handler again.
 */
@Injectable()
export class DeadLettersService implements DeadLetterSink {
  private readonly stored: Counter<'consumer'>;

  constructor(
    @InjectRepository(DeadLetterEntity) private readonly letters: Repository<DeadLetterEntity>,
    private readonly handlers: DurableEventHandlers,
    @Inject(PARLEY_ENV) env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    metrics: MetricsService,
    tasks: PeriodicTasks,
  ) {
    this.stored = new Counter({
      name: 'parley_dead_letters_total',
      help: 'Durable events given up on and stored as dead letters, by consumer.',
      labelNames: ['consumer'],
      registers: [metrics.registry],
    });
    const repo = this.letters;
    new Gauge({
      name: 'parley_dead_letters',
      help: 'Dead letters not re-driven yet (alert when above 0), by consumer.',
      labelNames: ['consumer'],
      registers: [metrics.registry],
      async collect() {
        const rows = await repo
          .createQueryBuilder('d')
          .select('d.consumer', 'consumer')
          .addSelect('count(*)::int', 'count')
          .where("d.status <> 'redriven'")
          .groupBy('d.consumer')
          .getRawMany<{ consumer: string; count: number }>();
        this.reset();
        for (const row of rows) this.set({ consumer: row.consumer }, row.count);
      },
    });
    tasks.every('dead-letters.redrive', env.DEAD_LETTER_REDRIVE_MS, (signal) =>
      this.redriveRequested(signal),
    );
  }

  async store(letter: DeadLetter): Promise<void> {
    await this.letters.save(
      this.letters.create({
        consumer: letter.consumer,
        subject: letter.subject,
        payload: letter.payload as Record<string, unknown>,
        correlationId: letter.correlationId?.slice(0, 128) ?? null,
        deliveries: letter.deliveries,
        lastError: describe(letter.error),
        status: 'dead',
      }),
    );
    this.stored.inc({ consumer: letter.consumer });
    this.logger.error(
      {
        consumer: letter.consumer,
        subject: letter.subject,
        deliveries: letter.deliveries,
        err: letter.error,
      },
      'durable event given up on: stored as a dead letter (re-drive with dead-letters:redrive)',
    );
  }

  /** Runs every row marked `redrive` once (until `signal` aborts); returns how many ran. */
  async redriveRequested(signal?: AbortSignal): Promise<number> {
    const due = await this.letters.find({
      select: { id: true },
      where: { status: 'redrive' },
      order: { id: 'ASC' },
      take: 50,
    });
    let ran = 0;
    for (const { id } of due) {
      if (signal?.aborted) break;
      if (await this.redriveOne(id)) ran++;
    }
    return ran;
  }

  private async redriveOne(id: string): Promise<boolean> {
    // Claimed by moving it back to `dead`: one replica runs it, and a crash mid-run leaves
    // it dead (to re-drive again) rather than lost.
    const claimed = await this.letters
      .createQueryBuilder()
      .update(DeadLetterEntity)
      .set({ status: 'dead', redriveAttempts: () => 'redrive_attempts + 1' })
      .where("id = :id AND status = 'redrive'", { id })
      .returning('*')
      .execute();
    const raw = (claimed.raw as { consumer: string; payload: unknown }[])[0];
    if (!raw) return false;
    try {
      await this.handlers.redeliver(raw.consumer as DurableConsumerName, raw.payload);
      await this.letters.update({ id }, { status: 'redriven', lastError: '' });
      this.logger.info({ deadLetter: id, consumer: raw.consumer }, 'dead letter re-driven');
    } catch (error) {
      await this.letters.update({ id }, { lastError: describe(error) });
      this.logger.warn(
        { deadLetter: id, consumer: raw.consumer, err: error },
        'dead letter re-drive failed; it stays dead',
      );
    }
    return true;
  }
}
