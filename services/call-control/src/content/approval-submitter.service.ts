import { Inject, Injectable } from '@nestjs/common';
import { type MessageTemplateDefinition, MetaGraphError } from '@parley/meta-graph';
import {
  BackgroundTasks,
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  type ParleyLogger,
  PeriodicTasks,
} from '@parley/nest-kit';
import { Counter } from 'prom-client';
import { type CallControlEnv } from '../config/env.schema';
import { MessageOutbox } from '../outbox/message-outbox.service';
import { MetaService } from '../meta/meta.service';
import { SendersService } from '../senders/senders.service';
import { approvalStatusFromMeta, ApprovalsRepository } from './approvals.repository';
import { type ContentApprovalEntity } from './content-approval.entity';

/** Meta's codes for "try again later" (transient, rate limits): retried, not a refusal. */
const RETRY_META_CODES = new Set([1, 2, 4, 80007, 130429]);

/** Meta answered and refused the template itself (4xx, not a rate limit). */
function isRefusal(error: unknown): error is MetaGraphError {
  return (
    error instanceof MetaGraphError &&
    error.kind === 'api' &&
    (error.httpStatus ?? 0) < 500 &&
    error.httpStatus !== 429 &&
    !(error.metaCode !== undefined && RETRY_META_CODES.has(error.metaCode))
  );
}

/** A claimed submission is leased this long; a crashed worker's comes back after it. */
const LEASE_MS = 60_000;

/**
 * Submits committed approval requests to Meta (`POST /{WABA_ID}/message_templates`) from
 * their rows. A failure that Meta did not answer is retried with backoff; before a retry
 * the template is looked up by name, so a submission that did reach Meta is adopted rather
 * than made twice. Meta refusing it rejects the request with Meta's reason; after
 * APPROVALS_MAX_SUBMIT_ATTEMPTS the request is dead-lettered (rejected, reason given).
 */
@Injectable()
export class ApprovalSubmitter {
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    private readonly approvals: ApprovalsRepository,
    private readonly senders: SendersService,
    private readonly meta: MetaService,
    private readonly outbox: MessageOutbox,
    private readonly background: BackgroundTasks,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    metrics: MetricsService,
    tasks: PeriodicTasks,
  ) {
    this.outcomes = new Counter({
      name: 'parley_template_submissions_total',
      help: 'WhatsApp template submission rounds, by outcome (gave-up: retries exhausted).',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    tasks.every('approvals.submit', env.APPROVALS_POLL_MS, (signal) => this.processDue(signal));
  }

  /** Works on a freshly committed request without waiting for the poller. */
  submitSoon(contentSid: string): void {
    this.outbox.kick();
    const task = this.process(contentSid).catch((error: unknown) =>
      this.logger.error({ err: error, contentSid }, 'template submission crashed (retried later)'),
    );
    this.background.track(task, `approval ${contentSid}`);
  }

  /** Works on every due request once (until `signal` aborts); returns how many. */
  async processDue(signal?: AbortSignal): Promise<number> {
    const due = await this.approvals.due(50);
    for (const sid of due) {
      if (signal?.aborted) break;
      await this.process(sid).catch((error: unknown) =>
        this.logger.error(
          { err: error, contentSid: sid },
          'template submission crashed (retried later)',
        ),
      );
    }
    return due.length;
  }

  private async process(contentSid: string): Promise<void> {
    const row = await this.approvals.claim(contentSid, LEASE_MS);
    if (!row) return;
    await this.submit(row);
    this.outbox.kick();
  }

  private async submit(row: ContentApprovalEntity): Promise<void> {
    const sender = await this.senders.findBySid(row.senderSid);
    if (!sender) {
      await this.finish(row, 'rejected', {
        rejectionReason: 'The WhatsApp sender was deleted before the template was submitted',
      });
      return;
    }
    const credentials = this.meta.credentials(sender);
    try {
      if (row.submitAttempts > 1) {
        // An earlier attempt may have reached Meta: adopt that template, never make two.
        const found = await this.meta.graph.findMessageTemplates(credentials, {
          wabaId: row.wabaId,
          name: row.name,
        });
        const same = found.data.find((t) => t.language === row.language);
        if (same) {
          await this.accepted(row, same.id, same.status, same.category, same.rejected_reason);
          return;
        }
      }
      const created = await this.meta.graph.createMessageTemplate(credentials, {
        wabaId: row.wabaId,
        template: row.template as unknown as MessageTemplateDefinition,
      });
      await this.accepted(row, created.id, created.status, created.category, undefined);
    } catch (error) {
      if (isRefusal(error)) {
        // Meta refused the template: the request is rejected with Meta's words.
        this.outcomes.inc({ outcome: 'refused' });
        await this.finish(row, 'rejected', { rejectionReason: error.message.slice(0, 1000) });
        return;
      }
      await this.retryLater(row, error);
    }
  }

  private async accepted(
    row: ContentApprovalEntity,
    metaTemplateId: string,
    metaStatus: string,
    category: string | undefined,
    reason: string | undefined,
  ): Promise<void> {
    this.outcomes.inc({ outcome: 'submitted' });
    const status = approvalStatusFromMeta(metaStatus) ?? 'pending';
    await this.approvals.update(row.contentSid, (current) => ({
      metaTemplateId,
      // A status webhook may have moved it already: never back to pending.
      status: current.status === 'received' ? status : current.status,
      ...(category ? { category } : {}),
      rejectionReason:
        status === 'rejected' && reason && reason !== 'NONE' ? reason : current.rejectionReason,
      nextAttemptAt: null,
    }));
    this.logger.info(
      { contentSid: row.contentSid, metaTemplateId, status },
      'WhatsApp template submitted',
    );
  }

  private async finish(
    row: ContentApprovalEntity,
    status: 'rejected',
    patch: { rejectionReason: string },
  ): Promise<void> {
    await this.approvals.update(row.contentSid, () => ({
      status,
      rejectionReason: patch.rejectionReason,
      nextAttemptAt: null,
    }));
    this.logger.info(
      { contentSid: row.contentSid, reason: patch.rejectionReason },
      'WhatsApp template request rejected before review',
    );
  }

  private async retryLater(row: ContentApprovalEntity, error: unknown): Promise<void> {
    const attempts = row.submitAttempts;
    const why = error instanceof Error ? error.message : String(error);
    if (attempts >= this.env.APPROVALS_MAX_SUBMIT_ATTEMPTS) {
      // Dead letter: the request ends rejected with a reason the business reads.
      this.outcomes.inc({ outcome: 'gave-up' });
      this.logger.error(
        { err: error, contentSid: row.contentSid, attempts },
        `template not submitted after ${attempts} attempts; rejected`,
      );
      await this.finish(row, 'rejected', {
        rejectionReason:
          `Parley could not submit the template to WhatsApp after ${attempts} attempts: ${why}`.slice(
            0,
            1000,
          ),
      });
      return;
    }
    this.outcomes.inc({ outcome: 'retry' });
    const delayMs = Math.min(
      300_000,
      this.env.APPROVALS_RETRY_BASE_MS * 2 ** Math.min(attempts - 1, 12),
    );
    this.logger.warn(
      { err: error, contentSid: row.contentSid, attempts, delayMs },
      'template submission postponed',
    );
    await this.approvals.update(row.contentSid, () => ({
      nextAttemptAt: new Date(Date.now() + delayMs),
    }));
  }
}
