import { z } from 'zod';
import { booleanValue, firstValue, twilioIssue } from '../common/twilio-form';
import { registerComponent } from '../openapi/api-doc';
import { type ContentApprovalEntity } from './content-approval.entity';

/**
 * Body of `POST /v1/Content/{Sid}/ApprovalRequests/whatsapp`: JSON as the SDK and Twilio's
 * docs send it (`{"name": ..., "category": ...}`), or the same fields form-encoded. The
 * rules Meta checks (name format, category...) are the template rules' job, so that the
 * answer names the rule; here only the shapes.
 */
export const ApprovalCreateBody = registerComponent(
  'ContentApprovalRequest',
  z.object({
    name: z
      .preprocess(
        (v, ctx) => {
          const text = typeof v === 'string' ? v.trim() : firstValue(v);
          if (text === undefined) twilioIssue(ctx, 20001, 'name is required');
          return text;
        },
        z.string().max(1024, 'name must be at most 512 characters'),
      )
      .describe('WhatsApp template name: lowercase letters, digits and underscores (at most 512)'),
    category: z
      .preprocess(
        (v, ctx) => {
          const text = typeof v === 'string' ? v.trim() : firstValue(v);
          if (text === undefined) twilioIssue(ctx, 20001, 'category is required');
          return text?.toUpperCase();
        },
        z.string().max(64, 'category must be MARKETING, UTILITY or AUTHENTICATION'),
      )
      .describe('MARKETING, UTILITY or AUTHENTICATION'),
    allow_category_change: z
      .preprocess(
        (v) => (typeof v === 'boolean' ? v : booleanValue(v)),
        z.boolean({ invalid_type_error: 'allow_category_change must be true or false' }).optional(),
      )
      .transform((v) => v ?? true)
      .describe('Whether Meta may change the category (default true)'),
  }),
);
export type ApprovalCreateCommand = z.output<typeof ApprovalCreateBody>;

const WhatsAppApproval = z.object({
  type: z.literal('whatsapp'),
  name: z.string(),
  category: z.string(),
  content_type: z.string(),
  status: z
    .string()
    .describe('unsubmitted, received, pending, approved, rejected, paused, disabled'),
  rejection_reason: z.string(),
  allow_category_change: z.boolean(),
  flows: z.null(),
});

/** `GET /v1/Content/{Sid}/ApprovalRequests`. */
export const ApprovalFetchResource = registerComponent(
  'ContentApprovalFetch',
  z.object({
    sid: z.string(),
    account_sid: z.string(),
    whatsapp: WhatsAppApproval,
    url: z.string(),
  }),
);

/** The answer of `POST .../ApprovalRequests/whatsapp`. */
export const ApprovalCreateResource = registerComponent(
  'ContentApprovalCreate',
  z.object({
    name: z.string(),
    category: z.string(),
    content_type: z.string(),
    status: z.string(),
    rejection_reason: z.string(),
    allow_category_change: z.boolean(),
  }),
);

export function serializeApprovalCreate(
  approval: ContentApprovalEntity,
): z.infer<typeof ApprovalCreateResource> {
  return {
    name: approval.name,
    category: approval.category,
    content_type: approval.contentType,
    status: approval.status,
    rejection_reason: approval.rejectionReason ?? '',
    allow_category_change: approval.allowCategoryChange,
  };
}

/** Twilio's shape; a content never submitted reads `unsubmitted`. */
export function serializeApprovalFetch(
  content: { sid: string; accountSid: string },
  approval: ContentApprovalEntity | null,
  url: string,
): z.infer<typeof ApprovalFetchResource> {
  return {
    sid: content.sid,
    account_sid: content.accountSid,
    whatsapp: {
      type: 'whatsapp',
      name: approval?.name ?? '',
      category: approval?.category ?? '',
      content_type: approval?.contentType ?? '',
      status: approval?.status ?? 'unsubmitted',
      rejection_reason: approval?.rejectionReason ?? '',
      allow_category_change: approval?.allowCategoryChange ?? true,
      flows: null,
    },
    url,
  };
}
