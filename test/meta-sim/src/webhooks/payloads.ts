import type { BusinessRecord, CallError, SimCall, UserRecord } from '../sim/types';

/**
 * Builders for the exact webhook documents Meta posts (field order as captured in
 * fixtures/meta/*.json): every payload is one `whatsapp_business_account` entry with one change.
 */

export type TemplateWebhookField =
  'message_template_status_update' | 'message_template_quality_update' | 'template_category_update';
export type WebhookField = 'calls' | 'messages' | TemplateWebhookField;

export interface WebhookPayload {
  object: 'whatsapp_business_account';
  entry: Array<{
    id: string;
    /** Template webhooks carry when Meta sent them (UNIX seconds). */
    time?: number;
    changes: Array<{ value: Record<string, unknown>; field: WebhookField }>;
  }>;
}

/**
 * A template webhook: about the WhatsApp Business Account (`entry[].id`), with no phone
 * number metadata, as Meta sends `message_template_status_update` and its siblings.
 */
export function templateWebhook(
  wabaId: string,
  time: number,
  change: { field: TemplateWebhookField; value: Record<string, unknown> },
): WebhookPayload {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: wabaId, time, changes: [{ value: change.value, field: change.field }] }],
  };
}

function envelope(
  business: BusinessRecord,
  field: WebhookField,
  value: Record<string, unknown>,
): WebhookPayload {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: business.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: business.displayPhoneNumber,
                phone_number_id: business.phoneNumberId,
              },
              ...value,
            },
            field,
          },
        ],
      },
    ],
  };
}

function contact(user: UserRecord): Record<string, unknown> {
  return { profile: { name: user.name }, wa_id: user.waId };
}

/** A user calls the business: `connect` with WhatsApp's SDP offer. */
export function userInitiatedConnect(
  business: BusinessRecord,
  user: UserRecord,
  call: SimCall,
  offerSdp: string,
  timestamp: number,
): WebhookPayload {
  return envelope(business, 'calls', {
    contacts: [contact(user)],
    calls: [
      {
        id: call.id,
        from: call.from,
        to: call.to,
        event: 'connect',
        timestamp: String(timestamp),
        direction: 'USER_INITIATED',
        session: { sdp: offerSdp, sdp_type: 'offer' },
      },
    ],
  });
}

/** The user picked up a business-initiated call: `connect` with WhatsApp's SDP answer. */
export function businessInitiatedConnect(
  business: BusinessRecord,
  call: SimCall,
  answerSdp: string,
  timestamp: number,
): WebhookPayload {
  return envelope(business, 'calls', {
    contacts: [{ wa_id: call.waId }],
    calls: [
      {
        id: call.id,
        to: call.to,
        from: call.from,
        event: 'connect',
        timestamp: String(timestamp),
        direction: 'BUSINESS_INITIATED',
        ...(call.bizOpaqueCallbackData === null
          ? {}
          : { biz_opaque_callback_data: call.bizOpaqueCallbackData }),
        session: { sdp_type: 'answer', sdp: answerSdp },
      },
    ],
  });
}

/**
 * The call ended. `start_time`, `end_time` and `duration` only when it had been answered;
 * `errors` (in the call and in the value, as captured) only when it failed.
 */
export function callTerminate(
  business: BusinessRecord,
  user: UserRecord | null,
  call: SimCall,
  times: { timestamp: number; startTime: number | null; endTime: number },
  status: 'COMPLETED' | 'FAILED',
  errors: CallError[],
): WebhookPayload {
  const answered =
    times.startTime === null
      ? {}
      : {
          start_time: String(times.startTime),
          end_time: String(times.endTime),
          duration: Math.max(0, times.endTime - times.startTime),
        };
  const callEntry: Record<string, unknown> = {
    id: call.id,
    from: call.from,
    to: call.to,
    event: 'terminate',
    timestamp: String(times.timestamp),
    direction: call.direction,
    ...(call.bizOpaqueCallbackData === null
      ? {}
      : { biz_opaque_callback_data: call.bizOpaqueCallbackData }),
    ...answered,
    status,
    ...(errors.length > 0 ? { errors } : {}),
  };
  return envelope(business, 'calls', {
    ...(user && call.direction === 'USER_INITIATED' ? { contacts: [contact(user)] } : {}),
    calls: [callEntry],
    ...(errors.length > 0 ? { errors } : {}),
  });
}

export type CallStatusValue = 'RINGING' | 'ACCEPTED' | 'REJECTED';

/** Progress of a business-initiated call. */
export function callStatus(
  business: BusinessRecord,
  call: SimCall,
  status: CallStatusValue,
  timestamp: number,
): WebhookPayload {
  return envelope(business, 'calls', {
    statuses: [
      {
        id: call.id,
        timestamp: String(timestamp),
        type: 'call',
        status,
        recipient_id: call.waId,
        ...(call.bizOpaqueCallbackData === null
          ? {}
          : { biz_opaque_callback_data: call.bizOpaqueCallbackData }),
      },
    ],
  });
}

export interface PermissionReplyContent {
  response: 'accept' | 'reject';
  isPermanent: boolean;
  /** Unix seconds; temporary acceptances only. */
  expirationTimestamp: number | null;
  responseSource: 'user_action' | 'automatic';
}

/** The user answered a call-permission request (or granted one by calling in). */
export function callPermissionReply(
  business: BusinessRecord,
  user: UserRecord,
  reply: PermissionReplyContent,
  message: { id: string; timestamp: number; contextMessageId: string | null },
): WebhookPayload {
  return envelope(business, 'messages', {
    contacts: [contact(user)],
    messages: [
      {
        ...(message.contextMessageId === null
          ? {}
          : { context: { from: business.displayPhoneNumber, id: message.contextMessageId } }),
        from: user.waId,
        id: message.id,
        timestamp: String(message.timestamp),
        type: 'interactive',
        interactive: {
          type: 'call_permission_reply',
          call_permission_reply: {
            response: reply.response,
            is_permanent: reply.isPermanent,
            ...(reply.expirationTimestamp === null
              ? {}
              : { expiration_timestamp: reply.expirationTimestamp }),
            response_source: reply.responseSource,
          },
        },
      },
    ],
  });
}

/** The user writes to the business (a text message): it opens the 24-hour window. */
export function userTextMessage(
  business: BusinessRecord,
  user: UserRecord,
  message: { id: string; timestamp: number; text: string },
): WebhookPayload {
  return envelope(business, 'messages', {
    contacts: [contact(user)],
    messages: [
      {
        from: user.waId,
        id: message.id,
        timestamp: String(message.timestamp),
        text: { body: message.text },
        type: 'text',
      },
    ],
  });
}

/** Delivery status of a message the business sent. */
export function messageStatus(
  business: BusinessRecord,
  messageId: string,
  recipientId: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  timestamp: number,
  errors: Array<{
    code: number;
    title: string;
    message: string;
    error_data: { details: string };
  }> = [],
): WebhookPayload {
  return envelope(business, 'messages', {
    statuses: [
      {
        id: messageId,
        status,
        timestamp: String(timestamp),
        recipient_id: recipientId,
        ...(errors.length > 0 ? { errors } : {}),
      },
    ],
  });
}
