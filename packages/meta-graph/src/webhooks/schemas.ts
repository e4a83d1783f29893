import { z } from 'zod';

/**
 * Meta's WhatsApp Business Account webhook payloads, as far as calling needs them.
 * Unknown fields are stripped, never rejected: Meta adds fields without notice and an
 * unknown field must never make a delivery fail. Required fields are the ones Parley acts on.
 */

/** Meta sends UNIX timestamps as strings of digits, sometimes as numbers. */
export const UnixTimestamp = z
  .union([z.string().regex(/^\d{1,12}$/, 'must be a UNIX timestamp'), z.number().int()])
  .transform((v) => Number(v));

/** One error object as Meta puts it in webhooks (`errors[]`). */
export const MetaWebhookError = z.object({
  code: z.number().int(),
  title: z.string().optional(),
  message: z.string().optional(),
  href: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
});
export type MetaWebhookError = z.infer<typeof MetaWebhookError>;

export const SdpSession = z.object({
  sdp_type: z.enum(['offer', 'answer']),
  sdp: z.string().min(1),
});

export const CallDirection = z.enum(['USER_INITIATED', 'BUSINESS_INITIATED']);
export type MetaCallDirection = z.infer<typeof CallDirection>;

/**
 * Meta's webhook call event (not call-control's CallEvent timeline row): one entry of
 * `calls[]` of a `calls` change: `connect` (user-initiated: Meta's SDP offer;
 * business-initiated: the answer to the business's offer) and `terminate`.
 */
export const MetaCallWebhook = z.object({
  id: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  event: z.string().min(1),
  timestamp: UnixTimestamp,
  direction: CallDirection.optional(),
  session: SdpSession.optional(),
  connection: z.object({ webrtc: z.object({ sdp: z.string() }).optional() }).optional(),
  biz_opaque_callback_data: z.string().max(512).optional(),
  // The reference shows `status: [FAILED | COMPLETED]`; captured traffic has a string.
  status: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v[0] : v))
    .optional(),
  start_time: UnixTimestamp.optional(),
  end_time: UnixTimestamp.optional(),
  duration: z
    .union([z.number(), z.string().regex(/^\d+$/)])
    .transform(Number)
    .optional(),
  errors: z.array(MetaWebhookError).optional(),
});
export type MetaCallWebhook = z.infer<typeof MetaCallWebhook>;

/** `statuses[]` of a `calls` change: a business-initiated call's RINGING/ACCEPTED/REJECTED. */
export const CallStatusEvent = z.object({
  id: z.string().min(1),
  type: z.literal('call').optional(),
  status: z.string().min(1),
  timestamp: UnixTimestamp,
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().max(512).optional(),
  errors: z.array(MetaWebhookError).optional(),
});
export type CallStatusEvent = z.infer<typeof CallStatusEvent>;

export const CallPermissionReply = z.object({
  response: z.enum(['accept', 'reject']),
  is_permanent: z.boolean().default(false),
  expiration_timestamp: UnixTimestamp.optional(),
  response_source: z.enum(['user_action', 'automatic']).default('user_action'),
});
export type CallPermissionReply = z.infer<typeof CallPermissionReply>;

/** `messages[]` of a `messages` change. Only `call_permission_reply` is read in detail. */
export const InboundMessage = z
  .object({
    id: z.string().min(1),
    from: z.string().min(1),
    timestamp: UnixTimestamp,
    type: z.string().min(1),
    text: z.object({ body: z.string() }).optional(),
    button: z.object({ text: z.string().optional(), payload: z.string().optional() }).optional(),
    interactive: z
      .object({
        type: z.string(),
        call_permission_reply: CallPermissionReply.optional(),
        button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
      })
      .optional(),
  })
  .superRefine((m, ctx) => {
    if (m.interactive?.type === 'call_permission_reply' && !m.interactive.call_permission_reply) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['interactive', 'call_permission_reply'],
        message: 'call_permission_reply is required for that interactive type',
      });
    }
  });
export type InboundMessage = z.infer<typeof InboundMessage>;

/** `statuses[]` of a `messages` change (sent, delivered, read, failed). */
export const MessageStatusEvent = z.object({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: UnixTimestamp,
  recipient_id: z.string().optional(),
  errors: z.array(MetaWebhookError).optional(),
});
export type MessageStatusEvent = z.infer<typeof MessageStatusEvent>;

export const Contact = z.object({
  wa_id: z.string().min(1),
  profile: z.object({ name: z.string().optional() }).optional(),
});
export type Contact = z.infer<typeof Contact>;

export const Metadata = z.object({
  phone_number_id: z.string().min(1),
  display_phone_number: z.string().min(1),
});

export const CallsChangeValue = z.object({
  messaging_product: z.literal('whatsapp'),
  metadata: Metadata,
  contacts: z.array(Contact).optional(),
  calls: z.array(MetaCallWebhook).optional(),
  statuses: z.array(CallStatusEvent).optional(),
  errors: z.array(MetaWebhookError).optional(),
});
export type CallsChangeValue = z.infer<typeof CallsChangeValue>;

export const MessagesChangeValue = z.object({
  messaging_product: z.literal('whatsapp'),
  metadata: Metadata,
  contacts: z.array(Contact).optional(),
  messages: z.array(InboundMessage).optional(),
  statuses: z.array(MessageStatusEvent).optional(),
  errors: z.array(MetaWebhookError).optional(),
});
export type MessagesChangeValue = z.infer<typeof MessagesChangeValue>;

export const Change = z.discriminatedUnion('field', [
  z.object({ field: z.literal('calls'), value: CallsChangeValue }),
  z.object({ field: z.literal('messages'), value: MessagesChangeValue }),
]);

/**
 * A change of a field Parley does not subscribe to: kept (so the delivery is still
 * acknowledged) but not interpreted.
 */
/** Meta writes template ids as numbers in webhooks and as strings in Graph answers. */
const TemplateId = z
  .union([z.string().regex(/^\d{1,32}$/), z.number().int().nonnegative()])
  .transform((v) => String(v));

/**
 * `message_template_status_update`: a template of the WABA was approved, rejected,
 * paused, disabled... (`event`), with Meta's `reason` for a rejection.
 */
export const TemplateStatusUpdate = z.object({
  event: z.string().min(1).max(64),
  message_template_id: TemplateId,
  message_template_name: z.string().min(1).max(512),
  message_template_language: z.string().min(1).max(16),
  reason: z.string().max(1000).nullable().optional(),
  other_info: z
    .object({ title: z.string().optional(), description: z.string().optional() })
    .optional(),
});
export type TemplateStatusUpdate = z.infer<typeof TemplateStatusUpdate>;

/** `message_template_quality_update`: the template's quality score moved (GREEN, YELLOW, RED). */
export const TemplateQualityUpdate = z.object({
  previous_quality_score: z.string().max(32).optional(),
  new_quality_score: z.string().min(1).max(32),
  message_template_id: TemplateId,
  message_template_name: z.string().min(1).max(512),
  message_template_language: z.string().min(1).max(16),
});
export type TemplateQualityUpdate = z.infer<typeof TemplateQualityUpdate>;

/** `template_category_update`: Meta moved the template to another category. */
export const TemplateCategoryUpdate = z.object({
  message_template_id: TemplateId,
  message_template_name: z.string().min(1).max(512),
  message_template_language: z.string().min(1).max(16),
  previous_category: z.string().max(32).optional(),
  new_category: z.string().min(1).max(32),
});
export type TemplateCategoryUpdate = z.infer<typeof TemplateCategoryUpdate>;

/** Template changes are about the WABA (`entry[].id`): they carry no phone number metadata. */
export const TemplateChange = z.discriminatedUnion('field', [
  z.object({ field: z.literal('message_template_status_update'), value: TemplateStatusUpdate }),
  z.object({ field: z.literal('message_template_quality_update'), value: TemplateQualityUpdate }),
  z.object({ field: z.literal('template_category_update'), value: TemplateCategoryUpdate }),
]);
export type TemplateChange = z.infer<typeof TemplateChange>;

export const TEMPLATE_FIELDS: readonly string[] = [
  'message_template_status_update',
  'message_template_quality_update',
  'template_category_update',
];

export const OtherChange = z.object({
  field: z
    .string()
    .refine((f) => f !== 'calls' && f !== 'messages' && !TEMPLATE_FIELDS.includes(f)),
  value: z.unknown(),
});

export type KnownChange = z.infer<typeof Change>;
export type AnyChange = KnownChange | TemplateChange | z.infer<typeof OtherChange>;

/** Narrows a change to the template fields (WABA-level, no phone number). */
export function isTemplateChange(change: AnyChange): change is TemplateChange {
  return TEMPLATE_FIELDS.includes(change.field);
}

/** Narrows a change to the fields Parley interprets. */
export function isKnownChange(change: AnyChange): change is KnownChange {
  return change.field === 'calls' || change.field === 'messages';
}

export const WebhookPayload = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: z.string().min(1),
      /** When Meta sent it (UNIX seconds); template webhooks carry it. */
      time: UnixTimestamp.optional(),
      changes: z.array(z.union([Change, TemplateChange, OtherChange])),
    }),
  ),
});
export type WebhookPayload = z.infer<typeof WebhookPayload>;

/** A readable one-line account of what is wrong with a payload. */
export function describeWebhookIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
