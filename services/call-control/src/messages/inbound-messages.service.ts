import { Inject, Injectable } from '@nestjs/common';
import { type AccountSid, type MessageReceivedV1, newSid, type SenderSid } from '@parley/contracts';
import { type Contact, type InboundMessage, type MetaWebhookError } from '@parley/meta-graph';
import { PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { Clock } from '../common/clock';
import { whatsAppFromDigits } from '../common/whatsapp-address';
import { type SenderEntity } from '../senders/sender.entity';
import { type MessageEntity } from './message.entity';
import { MessageOutbox } from '../outbox/message-outbox.service';
import {
  inboundContent,
  messageErrorFromMeta,
  nextMessageStatus,
  statusFromMeta,
} from './message-rules';
import { MessagesRepository } from './messages.repository';

/** A status webhook that arrived before the send it speaks of was recorded: retried later. */
export class MessageNotKnownYet extends Error {
  constructor(metaMessageId: string) {
    super(`no message known for Meta message ${metaMessageId} yet`);
    this.name = 'MessageNotKnownYet';
  }
}

/**
 * What Meta's `messages` webhooks mean for messages: a user's message is stored (it opens
 * the 24-hour window) and forwarded to the sender's messaging webhook; a status moves the
 * business's message forward and fires its status callback.
 */
@Injectable()
export class InboundMessages {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly outbox: MessageOutbox,
    private readonly clock: Clock,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  /** Stores a user's message once and forwards it; a redelivery does nothing. */
  async onMessage(
    sender: SenderEntity,
    message: InboundMessage,
    contacts: Contact[],
  ): Promise<void> {
    const content = inboundContent(message);
    const from = whatsAppFromDigits(message.from);
    const profileName = contacts.find((c) => c.wa_id === message.from)?.profile?.name ?? null;
    const sentAt = new Date(message.timestamp * 1000);
    const now = this.clock.now();
    const sid = newSid('SM');
    const row = {
      sid,
      accountSid: sender.accountSid,
      senderSid: sender.sid,
      direction: 'inbound',
      from,
      to: sender.senderId,
      body: content.body,
      contentSid: null,
      contentVariables: null,
      metaPayload: null,
      inboundDetail: {
        messageType: content.messageType,
        buttonText: content.buttonText,
        buttonPayload: content.buttonPayload,
        profileName,
        waId: message.from,
      },
      permissionState: null,
      status: 'received',
      statusSequence: 0,
      errorCode: null,
      errorMessage: null,
      metaMessageId: message.id,
      statusCallback: null,
      statusCallbackMethod: null,
      sendAttempts: 0,
      nextAttemptAt: null,
      dateSent: sentAt,
      dateCreated: now,
      dateUpdated: now,
    } satisfies MessageEntity;
    const webhookUrl = sender.webhookCallbackUrl;
    const forward: MessageReceivedV1 | null =
      webhookUrl === null
        ? null
        : {
            messageSid: sid,
            accountSid: sender.accountSid as AccountSid,
            senderSid: sender.sid as SenderSid,
            from,
            to: sender.senderId,
            waId: message.from.slice(0, 64),
            profileName: profileName?.slice(0, 256) ?? null,
            messageType: content.messageType,
            body: content.body.slice(0, 4096),
            buttonText: content.buttonText?.slice(0, 256) ?? null,
            buttonPayload: content.buttonPayload?.slice(0, 1024) ?? null,
            webhook: { url: webhookUrl, method: sender.webhookCallbackMethod },
            fallback:
              sender.webhookFallbackUrl === null
                ? null
                : { url: sender.webhookFallbackUrl, method: sender.webhookFallbackMethod },
            receivedAt: sentAt.toISOString(),
          };
    const stored = await this.messages.insertInbound(row, forward);
    if (!stored) return;
    if (forward) this.outbox.kick();
    else
      this.logger.info(
        { senderSid: sender.sid, messageSid: sid },
        'incoming WhatsApp message stored; the sender has no messaging webhook to forward it to',
      );
  }

  /** Meta's delivery status of a message the business sent. */
  async onStatus(
    sender: SenderEntity,
    event: { messageId: string; status: string; errors: MetaWebhookError[] },
  ): Promise<void> {
    const incoming = statusFromMeta(event.status);
    if (!incoming) return;
    const message = await this.messages.findByMetaId(sender.sid, event.messageId);
    if (!message) throw new MessageNotKnownYet(event.messageId);
    const error = event.errors[0];
    const result = await this.messages.update(
      message.sid,
      (current) => {
        const next = nextMessageStatus(current.status, incoming);
        if (!next) return null;
        return next === 'failed'
          ? {
              status: next,
              patch: {
                errorCode: messageErrorFromMeta(error?.code),
                errorMessage: (
                  error?.message ??
                  error?.title ??
                  'Meta reported the message failed'
                ).slice(0, 1000),
              },
            }
          : { status: next };
      },
      this.clock.now(),
    );
    if (result?.statusChanged) this.outbox.kick();
  }
}
