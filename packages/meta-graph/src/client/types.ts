import { z } from 'zod';

/** Which business number a request acts for, and the token allowed to act for it. */
export interface GraphCredentials {
  phoneNumberId: string;
  accessToken: string;
}

export const ConnectResponse = z
  .object({
    messaging_product: z.literal('whatsapp').optional(),
    calls: z.array(z.object({ id: z.string().min(1) }).passthrough()).min(1),
  })
  .passthrough();

/** `GET /{PHONE_NUMBER_ID}`: the number, as its token can read it. */
export const PhoneNumberResponse = z
  .object({ id: z.string().min(1), display_phone_number: z.string().optional() })
  .passthrough();
export type PhoneNumberResponse = z.infer<typeof PhoneNumberResponse>;

export const SuccessResponse = z
  .object({ messaging_product: z.literal('whatsapp').optional(), success: z.literal(true) })
  .passthrough();

export const MessageResponse = z
  .object({
    messaging_product: z.literal('whatsapp').optional(),
    messages: z.array(z.object({ id: z.string().min(1) }).passthrough()).min(1),
  })
  .passthrough();

const Limit = z
  .object({
    time_period: z.string(),
    max_allowed: z.number().int(),
    current_usage: z.number().int(),
    limit_expiration_time: z.number().int().optional(),
  })
  .passthrough();

/** `GET /{PHONE_NUMBER_ID}/call_permissions?user_wa_id=`. */
export const CallPermissionsResponse = z
  .object({
    messaging_product: z.literal('whatsapp').optional(),
    permission: z
      .object({ status: z.string(), expiration_time: z.number().int().optional() })
      .passthrough(),
    actions: z
      .array(
        z
          .object({
            action_name: z.string(),
            can_perform_action: z.boolean(),
            limits: z.array(Limit).optional(),
          })
          .passthrough(),
      )
      .default([]),
  })
  .passthrough();
export type CallPermissionsResponse = z.infer<typeof CallPermissionsResponse>;

/** The `calling` object of `POST /{PHONE_NUMBER_ID}/settings`. */
export interface CallingSettings {
  status?: 'ENABLED' | 'DISABLED';
  call_icon_visibility?: 'DEFAULT' | 'DISABLE_ALL';
  callback_permission_status?: 'ENABLED' | 'DISABLED';
  call_hours?: Record<string, unknown>;
  sip?: Record<string, unknown>;
}

/** What the client reports about each request (never the token or the SDP). */
export interface GraphRequestRecord {
  operation: string;
  method: 'GET' | 'POST';
  /** Path below the version, e.g. `/123/calls`. */
  path: string;
  /** Meta's `action` for calls requests. */
  action?: string;
  attempt: number;
  httpStatus?: number;
  metaCode?: number;
  durationMs: number;
  outcome: 'ok' | 'error';
  error?: string;
}

/** `POST /{WABA_ID}/message_templates`: the new template's id, status and category. */
export const TemplateCreateResponse = z
  .object({
    id: z.union([z.string().min(1), z.number().int()]).transform(String),
    status: z.string().min(1),
    category: z.string().optional(),
  })
  .passthrough();
export type TemplateCreateResponse = z.infer<typeof TemplateCreateResponse>;

/** `GET /{WABA_ID}/message_templates?name=`: the WABA's templates of that name. */
export const TemplateListResponse = z
  .object({
    data: z.array(
      z
        .object({
          id: z.union([z.string().min(1), z.number().int()]).transform(String),
          name: z.string(),
          language: z.string(),
          status: z.string(),
          category: z.string().optional(),
          rejected_reason: z.string().optional(),
        })
        .passthrough(),
    ),
  })
  .passthrough();
export type TemplateListResponse = z.infer<typeof TemplateListResponse>;

/** A message template as `POST /{WABA_ID}/message_templates` takes it. */
export interface MessageTemplateDefinition {
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  allow_category_change?: boolean;
  components: Record<string, unknown>[];
}
