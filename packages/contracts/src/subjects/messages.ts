import { z } from 'zod';
import { HttpMethod } from '../enums';
import { AccountSid, ContentSid, MessageSid, SenderSid, WhatsAppAddress } from '../ids';

/** Twilio's message statuses as Parley's WhatsApp messages go through them. */
export const MessageStatus = z.enum([
  'queued',
  'sent',
  'delivered',
  'read',
  'failed',
  'undelivered',
  'received',
]);
export type MessageStatus = z.infer<typeof MessageStatus>;

/** Where a request about a message goes: the business URL and its method. */
export const MessageWebhookTarget = z.object({ url: z.string().url(), method: HttpMethod });
export type MessageWebhookTarget = z.infer<typeof MessageWebhookTarget>;

/**
 * An outbound WhatsApp message (Messages.json) changed status. call-control publishes one
 * per transition from its outbox, de-duplicated by `${messageSid}:${sequence}`;
 * webhook-dispatch turns it into the message's StatusCallback request.
 */
export const MessageStatusChangedV1 = z.object({
  messageSid: MessageSid,
  accountSid: AccountSid,
  senderSid: SenderSid,
  from: WhatsAppAddress,
  to: WhatsAppAddress,
  status: MessageStatus,
  /** Orders a message's transitions (its callbacks leave in this order). */
  sequence: z.number().int().nonnegative(),
  /** Twilio-style code of a failed message (63016 outside the 24 h window...). */
  errorCode: z.number().int().nullable(),
  errorMessage: z.string().max(1000).nullable(),
  statusCallback: MessageWebhookTarget.nullable(),
  occurredAt: z.string().datetime(),
});
export type MessageStatusChangedV1 = z.infer<typeof MessageStatusChangedV1>;

/**
 * A WhatsApp user wrote to a business (text, a button, a call-permission reply...).
 * call-control stores it as an inbound Message (`SM...`) and publishes this once,
 * de-duplicated by the message sid; webhook-dispatch forwards it to the sender's
 * messaging webhook (and its fallback URL when the primary fails), as Twilio does.
 */
export const MessageReceivedV1 = z.object({
  messageSid: MessageSid,
  accountSid: AccountSid,
  senderSid: SenderSid,
  /** The user (`whatsapp:+E.164`) and the business number. */
  from: WhatsAppAddress,
  to: WhatsAppAddress,
  /** The user's WhatsApp id (digits) and profile name, as Meta gave them. */
  waId: z.string().min(1).max(64),
  profileName: z.string().max(256).nullable(),
  /** Twilio's `MessageType`: text, interactive, button, image... */
  messageType: z.string().min(1).max(32),
  body: z.string().max(4096),
  /** Buttons and interactive replies (a call-permission reply: VOICE_CALL_REQUEST / ACCEPTED). */
  buttonText: z.string().max(256).nullable(),
  buttonPayload: z.string().max(1024).nullable(),
  webhook: MessageWebhookTarget,
  fallback: MessageWebhookTarget.nullable(),
  receivedAt: z.string().datetime(),
});
export type MessageReceivedV1 = z.infer<typeof MessageReceivedV1>;

/** Twilio's WhatsApp template approval statuses (`whatsapp.status` of ApprovalRequests). */
export const ContentApprovalStatus = z.enum([
  'received',
  'pending',
  'approved',
  'rejected',
  'paused',
  'disabled',
]);
export type ContentApprovalStatus = z.infer<typeof ContentApprovalStatus>;

/**
 * A Content template's WhatsApp approval changed (submitted, approved, rejected, paused,
 * re-categorized...). call-control publishes one per change from its outbox,
 * de-duplicated by `approval:${contentSid}:${sequence}`; webhook-dispatch sends it, signed,
 * to the status callback of the sender that submitted the template, when it has one.
 */
export const ContentApprovalChangedV1 = z.object({
  contentSid: ContentSid,
  accountSid: AccountSid,
  senderSid: SenderSid,
  /** The WhatsApp template name and category (as Meta last classified it). */
  name: z.string().min(1).max(512),
  category: z.string().min(1).max(32),
  status: ContentApprovalStatus,
  rejectionReason: z.string().max(1000).nullable(),
  /** Orders an approval's changes (their callbacks leave in this order). */
  sequence: z.number().int().nonnegative(),
  statusCallback: MessageWebhookTarget.nullable(),
  occurredAt: z.string().datetime(),
});
export type ContentApprovalChangedV1 = z.infer<typeof ContentApprovalChangedV1>;
