import { Inject, Injectable } from '@nestjs/common';
import { NatsBus } from '@parley/contracts';
import { PARLEY_LOGGER, type ParleyLogger, PeriodicTasks } from '@parley/nest-kit';
import { WhatsAppLegsRepository } from '../whatsapp-legs/whatsapp-legs.repository';

/** How often legs lost without their failure published are looked for. */
const REPORT_EVERY_MS = 1_000;

/**
 * Publishes `media.v1.leg.failed` (durable, to JetStream) for every leg that ended without
 * being asked to: failed, cut by a shutdown, or left behind by a crashed run of this
 * instance. The leg's row is the outbox (`failure_pending`): the failure is recorded with
 * the leg's end, published right after and by a poller until JetStream acknowledges it,
 * with the row id as de-duplication id. call-control ends the calls.
 */
@Injectable()
export class LegFailureReporter {
  private running: Promise<number> | undefined;

  constructor(
    private readonly rows: WhatsAppLegsRepository,
    private readonly bus: NatsBus,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    tasks: PeriodicTasks,
  ) {
    tasks.every('leg-failures.report', REPORT_EVERY_MS, () => this.report());
  }

  /** Publishes soon (without waiting for the poller); never rejects. */
  kick(): void {
    void this.report().catch((error: unknown) =>
      this.logger.warn({ err: error }, 'leg failures not published yet'),
    );
  }

  /** Publishes pending failures; returns how many. One run at a time. */
  report(): Promise<number> {
    this.running ??= this.publishPending().finally(() => (this.running = undefined));
    return this.running;
  }

  private async publishPending(): Promise<number> {
    let published = 0;
    for (const row of await this.rows.unreportedFailures(100)) {
      await this.bus.publishDurable(
        'media.v1.leg.failed',
        {
          callSid: row.callSid,
          reason: row.endReason ?? 'failed',
          failedAt: (row.closedAt ?? new Date()).toISOString(),
        },
        { msgId: `leg-failed:${row.id}`, correlationId: row.callSid },
      );
      await this.rows.failureReported(row.id);
      published++;
    }
    return published;
  }
}
