import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type AccountSid, NatsBus, type SenderSid } from '@parley/contracts';
import {
  MetaCallWebhook,
  CallPermissionReply,
  CallStatusEvent,
  Contact,
  InboundMessage,
  MetaWebhookError,
  TemplateCategoryUpdate,
  TemplateQualityUpdate,
  TemplateStatusUpdate,
} from '@parley/meta-graph';
import {
  BackgroundTasks,
  PARLEY_ENV,
  PARLEY_LOGGER,
  type ParleyLogger,
  PeriodicTasks,
} from '@parley/nest-kit';
import { type DataSource } from 'typeorm';
import { z } from 'zod';
import { CallTimeline } from '../call-events/call-timeline.service';
import { CallEndings } from '../calls/call-endings.service';
import { CallNotKnownYet } from '../calls/call-errors';
import { CallsRepository } from '../calls/calls.repository';
import { connectDirection } from '../calls/meta-event-plans';
import { InboundCalls } from '../calls/inbound-calls.service';
import { OutboundCalls } from '../calls/outbound-calls.service';
import { whatsAppFromDigits } from '../common/whatsapp-address';
import {
  type ApprovalPatch,
  approvalStatusFromMeta,
  ApprovalsRepository,
} from '../content/approvals.repository';
import { MessageOutbox } from '../outbox/message-outbox.service';
import { type CallControlEnv } from '../config/env.schema';
import { InboundMessages, MessageNotKnownYet } from '../messages/inbound-messages.service';
import { type SenderEntity } from '../senders/sender.entity';
import { SendersService } from '../senders/senders.service';
import { InboxMetrics } from './inbox-metrics';
import { MetaWebhookEventEntity } from './meta-webhook-event.entity';
import { type StoredEvent } from './webhook-inbox.service';

/** Processing leases a row this long; a crashed processor's rows come back after it. */
export const LEASE_SECONDS = 60;
/** Processed events are kept this long to recognise redeliveries. */
const RETENTION_DAYS = 7;
/** How often processed events past their retention are deleted. */
const CLEANUP_EVERY_MS = 3_600_000;

const StoredCall = z.object({ call: MetaCallWebhook, contacts: z.array(Contact).default([]) });
const StoredStatus = z.object({ status: CallStatusEvent });
const StoredReply = z.object({
  message: InboundMessage,
  reply: CallPermissionReply,
  contacts: z.array(Contact).default([]),
});
const StoredMessage = z.object({ message: InboundMessage, contacts: z.array(Contact).default([]) });
const StoredTemplateStatus = z.object({
  wabaId: z.string().min(1),
  template: TemplateStatusUpdate,
});
const StoredTemplateQuality = z.object({
  wabaId: z.string().min(1),
  template: TemplateQualityUpdate,
});
const StoredTemplateCategory = z.object({
  wabaId: z.string().min(1),
  template: TemplateCategoryUpdate,
});
const StoredMessageStatus = z.object({
  messageId: z.string().min(1),
  status: z.string().min(1),
  errors: z.array(MetaWebhookError).default([]),
});

/** The call an event key speaks of (`<scope>:call[-status]:<id>:<what>`), or null. */
export function callSubject(key: string): string | null {
  const match = /^(.*):call(?:-status)?:([^:]+):[^:]+$/.exec(key);
  return match ? `${match[1]}:${match[2]}` : null;
}

/**
 * Acts on stored Meta webhook events: right after they are stored, and again (with
 * backoff) when processing failed or was interrupted. A row is claimed with a conditional
 * UPDATE, so one replica processes it at a time.
 */
@Injectable()
export class WebhookProcessor {
  /** The last queued event of each call (`processSoon`), which the next one waits for. */
  private readonly callChains = new Map<string, Promise<void>>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly senders: SendersService,
    private readonly calls: CallsRepository,
    private readonly inbound: InboundCalls,
    private readonly outbound: OutboundCalls,
    private readonly endings: CallEndings,
    private readonly timeline: CallTimeline,
    private readonly messages: InboundMessages,
    private readonly approvals: ApprovalsRepository,
    private readonly outbox: MessageOutbox,
    private readonly bus: NatsBus,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly background: BackgroundTasks,
    private readonly metrics: InboxMetrics,
    tasks: PeriodicTasks,
  ) {
    tasks.every('meta-webhooks.retry', env.META_WEBHOOK_RETRY_MS, (signal) =>
      this.processDue(signal),
    );
    tasks.every('meta-webhooks.cleanup', CLEANUP_EVERY_MS, () => this.cleanup());
  }

  /**
   * Processes freshly stored rows without waiting for the poller. Events of one WhatsApp
   * call run one after the other, in the order Meta sent them (a `REJECTED` status before
   * the `terminate` that follows it decides `busy`); other calls' events run alongside.
   * `receivedAt` (monotonic ms) is when their delivery arrived: a call set-up measures its
   * steps from there.
   */
  processSoon(events: StoredEvent[], receivedAt?: number): void {
    for (const { id, key } of events) {
      const subject = callSubject(key);
      const previous = subject ? this.callChains.get(subject) : undefined;
      const task = (previous ?? Promise.resolve())
        .then(() => this.process(id, 'fresh', receivedAt))
        .catch((error: unknown) =>
          this.logger.error({ err: error, inboxId: id }, 'webhook processing crashed'),
        );
      if (subject) {
        this.callChains.set(subject, task);
        void task.finally(() => {
          if (this.callChains.get(subject) === task) this.callChains.delete(subject);
        });
      }
      this.background.track(task, `meta webhook ${id}`);
    }
  }

  /** Processes every due row once (until `signal` aborts); returns how many were attempted. */
  async processDue(signal?: AbortSignal): Promise<number> {
    const due = await this.ds
      .getRepository(MetaWebhookEventEntity)
      .createQueryBuilder('w')
      .select('w.id', 'id')
      .where("w.status = 'pending' AND w.next_attempt_at <= now()")
      .orderBy('w.id', 'ASC')
      .limit(50)
      .getRawMany<{ id: string }>();
    for (const { id } of due) {
      if (signal?.aborted) break;
      await this.process(String(id));
    }
    return due.length;
  }

  private async process(
    id: string,
    how: 'fresh' | 'due' = 'due',
    receivedAt?: number,
  ): Promise<void> {
    const row = await this.claim(id, how);
    if (!row) return;
    try {
      await this.dispatch(row, receivedAt);
      await this.ds
        .getRepository(MetaWebhookEventEntity)
        .update({ id: row.id }, { status: 'processed', processedAt: new Date(), lastError: null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const giveUp = row.attempts >= this.env.META_WEBHOOK_MAX_ATTEMPTS;
      const delayMs = Math.min(60_000, 250 * 2 ** Math.min(row.attempts, 8));
      await this.ds
        .getRepository(MetaWebhookEventEntity)
        .update(
          { id: row.id },
          giveUp
            ? { status: 'failed', lastError: message.slice(0, 2000) }
            : { nextAttemptAt: new Date(Date.now() + delayMs), lastError: message.slice(0, 2000) },
        );
      if (giveUp) this.metrics.failed('gave-up');
      const notYet = error instanceof CallNotKnownYet || error instanceof MessageNotKnownYet;
      const level = notYet && !giveUp ? 'debug' : giveUp ? 'error' : 'warn';
      this.logger[level](
        { err: error, inboxId: row.id, kind: row.kind, attempts: row.attempts, giveUp },
        'Meta webhook event not processed',
      );
    }
  }

  /**
   * `fresh`: a row just stored, never attempted (stored already leased, so the poller
   * leaves it to `processSoon` and its per-call order unless this replica dies); `due`: a
   * row whose next attempt is due.
   */
  private async claim(id: string, how: 'fresh' | 'due'): Promise<MetaWebhookEventEntity | null> {
    const result = await this.ds
      .createQueryBuilder()
      .update(MetaWebhookEventEntity)
      .set({
        attempts: () => 'attempts + 1',
        nextAttemptAt: () => `now() + interval '${LEASE_SECONDS} seconds'`,
      })
      .where(
        how === 'fresh'
          ? "id = :id AND status = 'pending' AND attempts = 0"
          : "id = :id AND status = 'pending' AND next_attempt_at <= now()",
        { id },
      )
      .returning('*')
      .execute();
    const raw = (result.raw as Record<string, unknown>[])[0];
    if (!raw) return null;
    return this.ds.getRepository(MetaWebhookEventEntity).create({
      id: String(raw.id),
      key: raw.key as string,
      kind: raw.kind as string,
      phoneNumberId: raw.phone_number_id as string,
      senderSid: raw.sender_sid as string | null,
      payload: raw.payload as Record<string, unknown>,
      attempts: raw.attempts as number,
    });
  }

  private async dispatch(row: MetaWebhookEventEntity, receivedAt?: number): Promise<void> {
    const sender = row.senderSid ? await this.senders.findBySid(row.senderSid) : null;
    if (!sender) {
      this.logger.warn(
        { inboxId: row.id },
        'Meta webhook for a sender that no longer exists; dropped',
      );
      return;
    }
    switch (row.kind) {
      case 'call': {
        const { call, contacts } = StoredCall.parse(row.payload);
        await this.onCallEvent(sender, call, contacts, receivedAt);
        return;
      }
      case 'call-status': {
        const { status } = StoredStatus.parse(row.payload);
        await this.withTimeline(
          sender,
          status.id,
          status.biz_opaque_callback_data,
          `status:${status.status}`,
          { timestamp: status.timestamp },
          () => this.outbound.onMetaStatus(sender, status),
        );
        return;
      }
      case 'permission-reply': {
        const { message, reply, contacts } = StoredReply.parse(row.payload);
        // A reply is also a message from the user: forwarded to the messaging webhook.
        await this.messages.onMessage(sender, message, contacts);
        await this.publishPermissionReply(sender, message, reply);
        return;
      }
      case 'message': {
        const { message, contacts } = StoredMessage.parse(row.payload);
        await this.messages.onMessage(sender, message, contacts);
        return;
      }
      case 'message-status': {
        await this.messages.onStatus(sender, StoredMessageStatus.parse(row.payload));
        return;
      }
      case 'template-status': {
        const { wabaId, template } = StoredTemplateStatus.parse(row.payload);
        await this.onTemplateStatus(wabaId, template);
        return;
      }
      case 'template-category': {
        const { wabaId, template } = StoredTemplateCategory.parse(row.payload);
        await this.onTemplate(wabaId, template, () => ({ category: template.new_category }));
        return;
      }
      case 'template-quality': {
        const { wabaId, template } = StoredTemplateQuality.parse(row.payload);
        await this.onTemplate(wabaId, template, () => ({
          qualityScore: template.new_quality_score,
        }));
        return;
      }
      default:
        this.logger.debug({ kind: row.kind }, 'Meta webhook event kind not handled');
    }
  }

  /** Meta reviewed (or paused, disabled...) a template: its approval moves with it. */
  private async onTemplateStatus(wabaId: string, template: TemplateStatusUpdate): Promise<void> {
    const status = approvalStatusFromMeta(template.event);
    if (!status) {
      this.logger.info(
        { event: template.event, metaTemplateId: template.message_template_id },
        'Meta template event not tracked',
      );
      return;
    }
    const reason =
      template.reason && template.reason !== 'NONE'
        ? template.reason
        : (template.other_info?.description ?? null);
    await this.onTemplate(wabaId, template, () => ({
      status,
      rejectionReason: status === 'rejected' || status === 'paused' ? reason : null,
    }));
  }

  private async onTemplate(
    wabaId: string,
    template: {
      message_template_id: string;
      message_template_name: string;
      message_template_language: string;
    },
    patch: () => ApprovalPatch,
  ): Promise<void> {
    const rows = await this.approvals.findForTemplate(wabaId, {
      id: template.message_template_id,
      name: template.message_template_name,
      language: template.message_template_language,
    });
    if (!rows.length) {
      this.logger.info(
        { wabaId, metaTemplateId: template.message_template_id },
        'Meta template webhook for a template Parley did not submit; ignored',
      );
      return;
    }
    for (const row of rows) {
      await this.approvals.update(row.contentSid, () => ({
        metaTemplateId: template.message_template_id,
        ...patch(),
      }));
    }
    this.outbox.kick();
  }

  private async onCallEvent(
    sender: SenderEntity,
    call: MetaCallWebhook,
    contacts: Contact[],
    receivedAt?: number,
  ): Promise<void> {
    const detail = {
      direction: call.direction ?? null,
      timestamp: call.timestamp,
      status: call.status ?? null,
    };
    const run = (fn: () => Promise<void>) =>
      this.withTimeline(sender, call.id, call.biz_opaque_callback_data, call.event, detail, fn);
    if (call.event === 'connect') {
      await run(() =>
        connectDirection(call) === 'inbound'
          ? this.inbound.onMetaConnect(sender, call, contacts, receivedAt)
          : this.outbound.onMetaConnect(sender, call),
      );
      return;
    }
    if (call.event === 'terminate') {
      await run(() => this.endings.onMetaTerminate(sender, call));
      return;
    }
    this.logger.info({ metaEvent: call.event, metaCallId: call.id }, 'Meta call event not handled');
  }

  /** Puts the webhook in the call's timeline (before its effects when the call is known). */
  private async withTimeline(
    sender: SenderEntity,
    metaCallId: string,
    opaque: string | undefined,
    name: string,
    detail: Record<string, unknown>,
    fn: () => Promise<void>,
  ): Promise<void> {
    const before = await this.calls.findForMeta(sender.sid, metaCallId, opaque);
    const entry = (callSid: string, accountSid: string) => ({
      callSid,
      accountSid,
      type: 'webhook' as const,
      name,
      detail: { metaCallId, ...detail },
    });
    if (before) await this.timeline.record(entry(before.sid, before.accountSid));
    await fn();
    if (!before) {
      const after = await this.calls.findForMeta(sender.sid, metaCallId, opaque);
      if (after) await this.timeline.record(entry(after.sid, after.accountSid));
    }
  }

  private async publishPermissionReply(
    sender: SenderEntity,
    message: InboundMessage,
    reply: CallPermissionReply,
  ): Promise<void> {
    await this.bus.publishDurable(
      'calls.v1.permission.replied',
      {
        accountSid: sender.accountSid as AccountSid,
        senderSid: sender.sid as SenderSid,
        business: sender.senderId,
        user: whatsAppFromDigits(message.from),
        response: reply.response,
        isPermanent: reply.is_permanent,
        expiresAt:
          !reply.is_permanent && reply.expiration_timestamp !== undefined
            ? new Date(reply.expiration_timestamp * 1000).toISOString()
            : null,
        responseSource: reply.response_source,
        messageId: message.id,
        repliedAt: new Date(message.timestamp * 1000).toISOString(),
      },
      { msgId: `permission-reply:${message.id}` },
    );
    this.logger.info(
      { senderSid: sender.sid, response: reply.response },
      'call permission reply published',
    );
  }

  private async cleanup(): Promise<void> {
    await this.ds.query(
      `DELETE FROM call_control.meta_webhook_events WHERE id IN (
         SELECT id FROM call_control.meta_webhook_events
          WHERE status <> 'pending' AND received_at < now() - interval '${RETENTION_DAYS} days' LIMIT 5000)`,
    );
    await this.ds.query(
      `DELETE FROM call_control.meta_webhook_deliveries WHERE id IN (
         SELECT id FROM call_control.meta_webhook_deliveries
          WHERE received_at < now() - interval '${RETENTION_DAYS} days' LIMIT 5000)`,
    );
  }
}
