import { Inject, Injectable } from '@nestjs/common';
import { newSid, ParleyError } from '@parley/contracts';
import { PARLEY_ENV } from '@parley/nest-kit';
import { Clock } from '../common/clock';
import { type TwilioPage } from '../common/paging';
import { parseWhatsAppAddress } from '../common/whatsapp-address';
import { type CallControlEnv } from '../config/env.schema';
import { renderBody, renderContent } from '../content/content-rules';
import { ApprovalsRepository } from '../content/approvals.repository';
import { type ContentEntity } from '../content/content.entity';
import { ContentService } from '../content/content.service';
import { templateMessage } from '../content/template-rules';
import { SendersService } from '../senders/senders.service';
import { type MessageEntity } from './message.entity';
import { MessageSender } from './message-sender.service';
import { sessionOpen } from './message-rules';
import { MessagesRepository } from './messages.repository';
import {
  type CreateMessageCommand,
  type ListMessagesCommand,
  parseContentVariables,
} from './messages.schemas';

/**
 * The REST Message resource. Creating one checks everything that can be known before
 * Meta (addresses, the sender, the content and its variables, the 24-hour window), commits
 * the message `queued`, and leaves sending to the MessageSender, which works from the row.
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly senders: SendersService,
    private readonly contents: ContentService,
    private readonly approvals: ApprovalsRepository,
    private readonly sender: MessageSender,
    private readonly clock: Clock,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
  ) {}

  async create(accountSid: string, command: CreateMessageCommand): Promise<MessageEntity> {
    const to = parseWhatsAppAddress(command.To, this.env.WHATSAPP_NUMBER_CHECK);
    if (!to.ok)
      throw new ParleyError(
        21211,
        `Invalid 'To' Phone Number: ${command.To.slice(0, 40)} (a whatsapp:+E.164 address is required)`,
      );
    const from = parseWhatsAppAddress(command.From, 'possible');
    if (!from.ok)
      throw new ParleyError(
        21212,
        `Invalid 'From' Phone Number: ${command.From.slice(0, 40)} (a whatsapp:+E.164 sender is required)`,
      );
    const sender = await this.senders.findByAddress(accountSid, from.value.address);
    if (!sender)
      throw new ParleyError(
        63007,
        `Twilio could not find a Channel with the specified From address: ${from.value.address}`,
      );

    let contentSid: string | null = null;
    let content: ContentEntity | null = null;
    let variables: Record<string, string> | null = null;
    let rendered;
    if (command.ContentSid !== undefined) {
      const found = await this.contents.find(accountSid, command.ContentSid);
      if (!found)
        throw new ParleyError(21655, `The ContentSid ${command.ContentSid} was not found`);
      content = found;
      const values = parseContentVariables(command.ContentVariables);
      if (!values.ok) throw new ParleyError(21656, values.problem);
      const undeclared = Object.keys(values.value).find((k) => !(k in found.variables));
      if (undeclared !== undefined)
        throw new ParleyError(
          21656,
          `ContentVariables: "${undeclared.slice(0, 20)}" is not a variable of ${content.sid}`,
        );
      rendered = renderContent(content, values.value);
      if (!rendered.ok) throw new ParleyError(21656, `ContentVariables: ${rendered.problem}`);
      contentSid = content.sid;
      variables = values.value;
    } else {
      rendered = renderBody(command.Body ?? '');
      if (!rendered.ok) throw new ParleyError(21617, rendered.problem);
    }

    // Within 24 h of the user's last message, everything is sent as a session message (the
    // seed's rules: a VOICE_CALL_REQUEST content needs no approval). Outside it, only a
    // Content template WhatsApp approved for the sender's WABA, sent as a template message.
    const now = this.clock.now();
    const last = await this.messages.lastInboundAt(sender.sid, to.value.address);
    let metaPayload = rendered.value.message;
    const inSession = sessionOpen(last, now, this.env.MESSAGES_SESSION_WINDOW_HOURS * 3_600_000);
    if (!inSession && content && !rendered.value.isPermissionRequest) {
      const approval = await this.approvals.find(content.sid);
      if (approval?.status !== 'approved' || approval.wabaId !== sender.wabaId)
        // Twilio answers a template WhatsApp has not approved with 63027 ("Template does not
        // exist for a language and locale": https://www.twilio.com/docs/errors/63027).
        throw new ParleyError(
          63027,
          `The content ${content.sid} is not a WhatsApp template approved for ${sender.senderId} ` +
            `(approval status: ${approval && approval.wabaId === sender.wabaId ? approval.status : 'unsubmitted'}${
              approval?.status === 'rejected' && approval.rejectionReason
                ? `, rejected: ${approval.rejectionReason}`
                : ''
            }), and ${to.value.address} has not written in the last ` +
            `${this.env.MESSAGES_SESSION_WINDOW_HOURS} hours.`,
        );
      metaPayload = templateMessage(content, approval.name, variables ?? {});
    } else if (!inSession)
      throw new ParleyError(
        63016,
        `Failed to send freeform message because you are outside the allowed window: ` +
          `${to.value.address} has not written to ${sender.senderId} in the last ` +
          `${this.env.MESSAGES_SESSION_WINDOW_HOURS} hours. ` +
          'If you are using WhatsApp, please use a Message Template.',
      );

    const statusCallback = command.StatusCallback ?? sender.webhookStatusCallbackUrl;
    const message = {
      sid: newSid('SM'),
      accountSid,
      senderSid: sender.sid,
      direction: 'outbound-api',
      from: sender.senderId,
      to: to.value.address,
      body: rendered.value.body,
      contentSid,
      contentVariables: variables,
      metaPayload,
      inboundDetail: null,
      permissionState: rendered.value.isPermissionRequest ? 'reserve' : null,
      status: 'queued',
      statusSequence: 0,
      errorCode: null,
      errorMessage: null,
      metaMessageId: null,
      statusCallback: statusCallback ?? null,
      statusCallbackMethod:
        statusCallback === null || statusCallback === undefined
          ? null
          : command.StatusCallback !== undefined
            ? (command.StatusCallbackMethod ?? 'POST')
            : sender.webhookStatusCallbackMethod,
      sendAttempts: 0,
      nextAttemptAt: now,
      dateSent: null,
      dateCreated: now,
      dateUpdated: now,
    } satisfies MessageEntity;
    await this.messages.insertOutbound(message, now);
    this.sender.sendSoon(message.sid);
    return this.messages.get(accountSid, message.sid);
  }

  list(accountSid: string, query: ListMessagesCommand): Promise<TwilioPage> {
    return this.messages.list(accountSid, query);
  }

  get(accountSid: string, sid: string): Promise<MessageEntity> {
    return this.messages.get(accountSid, sid);
  }
}
