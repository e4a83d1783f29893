import { Inject, Injectable } from '@nestjs/common';
import { ParleyError } from '@parley/contracts';
import { MetaGraphError } from '@parley/meta-graph';
import {
  BackgroundTasks,
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  type ParleyLogger,
  PeriodicTasks,
} from '@parley/nest-kit';
import { Counter } from 'prom-client';
import { ConsentClient } from '../clients/consent.client';
import { Clock } from '../common/clock';
import { type CallControlEnv } from '../config/env.schema';
import { MetaService } from '../meta/meta.service';
import { SendersService } from '../senders/senders.service';
import { type MessageEntity } from './message.entity';
import { MessageOutbox } from '../outbox/message-outbox.service';
import { messageErrorFromMeta } from './message-rules';
import { type MessagePatch, MessagesRepository } from './messages.repository';

/** A claimed row is leased this long; a crashed worker's message comes back after it. */
const LEASE_MS = 60_000;

/**
 * Sends committed messages to Meta, from their rows: reserves a call-permission request
 * with consent first (the message sid is the reservation's key, so a retry never takes a
 * second slot), sends it once through the Graph API, records the outcome with its status
 * event, then settles the reservation. Failures that certainly never reached Meta are
 * retried with backoff; everything else is decided once.
 */
@Injectable()
export class MessageSender {
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    private readonly messages: MessagesRepository,
    private readonly senders: SendersService,
    private readonly meta: MetaService,
    private readonly consent: ConsentClient,
    private readonly outbox: MessageOutbox,
    private readonly clock: Clock,
    private readonly background: BackgroundTasks,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    metrics: MetricsService,
    tasks: PeriodicTasks,
  ) {
    this.outcomes = new Counter({
      name: 'parley_message_sends_total',
      help: 'Outbound WhatsApp message send rounds, by outcome (gave-up: retries exhausted).',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    tasks.every('messages.send', env.MESSAGES_POLL_MS, (signal) => this.processDue(signal));
  }

  /** Works on a freshly committed message without waiting for the poller. */
  sendSoon(sid: string): void {
    this.outbox.kick();
    const task = this.process(sid).catch((error: unknown) =>
      this.logger.error({ err: error, messageSid: sid }, 'message send crashed (retried later)'),
    );
    this.background.track(task, `message ${sid}`);
  }

  /** Works on every due message once (until `signal` aborts); returns how many. */
  async processDue(signal?: AbortSignal): Promise<number> {
    const due = await this.messages.due(50);
    for (const sid of due) {
      if (signal?.aborted) break;
      await this.process(sid).catch((error: unknown) =>
        this.logger.error({ err: error, messageSid: sid }, 'message send crashed (retried later)'),
      );
    }
    return due.length;
  }

  private async process(sid: string): Promise<void> {
    const message = await this.messages.claim(sid, LEASE_MS);
    if (!message) return;
    let current = message;
    if (current.status === 'queued') current = await this.send(current);
    if (current.permissionState === 'settle-sent' || current.permissionState === 'settle-failed')
      await this.settle(current);
    this.outbox.kick();
  }

  private async send(message: MessageEntity): Promise<MessageEntity> {
    const sender = await this.senders.findBySid(message.senderSid);
    if (!sender) {
      return this.finish(message, 'failed', {
        errorCode: 63007,
        errorMessage: 'The WhatsApp sender was deleted before the message was sent',
        permissionState: message.permissionState === 'reserved' ? 'settle-failed' : null,
      });
    }
    if (message.permissionState === 'reserve') {
      let reply;
      try {
        reply = await this.consent.reservePermissionRequest({
          accountSid: message.accountSid,
          senderSid: message.senderSid,
          business: message.from,
          user: message.to,
          requestRef: message.sid,
        });
      } catch (error) {
        return this.retryLater(message, error, 'consent could not reserve the request');
      }
      if (!reply.allowed) {
        this.outcomes.inc({ outcome: 'refused' });
        return this.finish(message, 'failed', {
          errorCode: reply.errorCode ?? 37004,
          errorMessage:
            reply.reason ??
            'WhatsApp does not allow another call permission request to this user now',
          permissionState: 'refused',
        });
      }
      const reserved = await this.messages.update(
        message.sid,
        () => ({ patch: { permissionState: 'reserved' } }),
        this.clock.now(),
      );
      message = reserved?.message ?? message;
    }
    if (!message.metaPayload) throw new Error(`message ${message.sid} has nothing to send`);
    try {
      const { messageId } = await this.meta.graph.sendMessage(this.meta.credentials(sender), {
        to: message.to.replace(/^whatsapp:\+/, ''),
        message: message.metaPayload,
      });
      this.outcomes.inc({ outcome: 'sent' });
      return this.finish(message, 'sent', {
        metaMessageId: messageId,
        dateSent: this.clock.now(),
        permissionState: message.permissionState === 'reserved' ? 'settle-sent' : null,
      });
    } catch (error) {
      if (!(error instanceof MetaGraphError))
        return this.retryLater(message, error, 'send crashed');
      if (error.sent === 'no') return this.retryLater(message, error, 'Meta was not reached');
      const reserved = message.permissionState === 'reserved';
      if (error.sent === 'maybe') {
        // It may have reached the user: never sent twice, and counted against the limits.
        this.outcomes.inc({ outcome: 'failed' });
        return this.finish(message, 'failed', {
          errorCode: 30008,
          errorMessage: `Meta's answer was lost (${error.message}); the message may have been delivered`,
          permissionState: reserved ? 'settle-sent' : null,
        });
      }
      this.outcomes.inc({ outcome: 'failed' });
      return this.finish(message, 'failed', {
        errorCode: messageErrorFromMeta(error.metaCode),
        errorMessage: error.message.slice(0, 1000),
        permissionState: reserved ? 'settle-failed' : null,
      });
    }
  }

  private async settle(message: MessageEntity): Promise<void> {
    try {
      await this.consent.settlePermissionRequest({
        accountSid: message.accountSid,
        requestRef: message.sid,
        outcome: message.permissionState === 'settle-sent' ? 'sent' : 'failed',
      });
    } catch (error) {
      await this.retryLater(message, error, 'consent could not settle the request');
      return;
    }
    await this.messages.update(
      message.sid,
      () => ({ patch: { permissionState: 'settled', nextAttemptAt: null } }),
      this.clock.now(),
    );
  }

  /** Records the send's outcome; a settlement still owed keeps the row due. */
  private async finish(
    message: MessageEntity,
    status: 'sent' | 'failed',
    patch: MessagePatch,
  ): Promise<MessageEntity> {
    const owesSettlement =
      patch.permissionState === 'settle-sent' || patch.permissionState === 'settle-failed';
    const now = this.clock.now();
    const updated = await this.messages.update(
      message.sid,
      () => ({ status, patch: { ...patch, nextAttemptAt: owesSettlement ? now : null } }),
      now,
    );
    if (status === 'failed')
      this.logger.info(
        { messageSid: message.sid, errorCode: patch.errorCode },
        'WhatsApp message failed',
      );
    return updated?.message ?? message;
  }

  private async retryLater(
    message: MessageEntity,
    error: unknown,
    why: string,
  ): Promise<MessageEntity> {
    const attempts = message.sendAttempts + 1;
    if (message.status === 'queued' && attempts >= this.env.MESSAGES_MAX_SEND_ATTEMPTS) {
      // Dead letter: the message fails with a code the business sees, and is counted.
      this.outcomes.inc({ outcome: 'gave-up' });
      this.logger.error(
        { err: error, messageSid: message.sid, attempts },
        `message not sent after ${attempts} attempts (${why}); failed`,
      );
      const reserved = message.permissionState === 'reserved';
      return this.finish(message, 'failed', {
        sendAttempts: attempts,
        errorCode: error instanceof ParleyError ? error.code : 30008,
        errorMessage: `Not sent after ${attempts} attempts: ${why}`,
        permissionState: reserved
          ? 'settle-failed'
          : message.permissionState === 'reserve'
            ? null
            : message.permissionState,
      });
    }
    this.outcomes.inc({ outcome: 'retry' });
    const delayMs = Math.min(60_000, this.env.MESSAGES_RETRY_BASE_MS * 2 ** Math.min(attempts, 10));
    this.logger.warn(
      { err: error, messageSid: message.sid, attempts, delayMs },
      `message work postponed: ${why}`,
    );
    const updated = await this.messages.update(
      message.sid,
      () => ({
        patch: { sendAttempts: attempts, nextAttemptAt: new Date(Date.now() + delayMs) },
      }),
      this.clock.now(),
    );
    return updated?.message ?? message;
  }
}
