import { z } from 'zod';
import { WEEKDAYS } from './types';

/** Digits of a phone number; a leading + and spaces, dashes or dots are dropped. */
export const PhoneDigits = z
  .string()
  .transform((s) => s.replace(/[\s\-.()]/g, '').replace(/^\+/, ''))
  .pipe(z.string().regex(/^[1-9]\d{6,14}$/, 'must be an E.164 number (7-15 digits)'));

export const GraphId = z.string().regex(/^\d{1,20}$/, 'must be a numeric Graph id');

const Hhmm = z.string().regex(/^([01]\d|2[0-3])[0-5]\d$/, 'must be HHMM');

export const CallHoursSchema = z.object({
  status: z.enum(['ENABLED', 'DISABLED']),
  timezone_id: z.string().min(1),
  weekly_operating_hours: z
    .array(z.object({ day_of_week: z.enum(WEEKDAYS), open_time: Hhmm, close_time: Hhmm }))
    .default([]),
  holiday_schedule: z
    .array(z.object({ date: z.string(), start_time: Hhmm, end_time: Hhmm }))
    .default([]),
});

export const CallingSettingsPatch = z
  .object({
    status: z.enum(['ENABLED', 'DISABLED']),
    call_icon_visibility: z.enum(['DEFAULT', 'DISABLE_ALL']),
    callback_permission_status: z.enum(['ENABLED', 'DISABLED']),
    call_hours: CallHoursSchema.nullable(),
    sip: z.object({
      status: z.enum(['ENABLED', 'DISABLED']),
      servers: z
        .array(
          z.object({
            hostname: z.string().min(1),
            port: z.number().int().min(1).max(65535).optional(),
            request_uri_user_params: z.record(z.string()).optional(),
          }),
        )
        .default([]),
    }),
  })
  .partial()
  .strict();
export type CallingSettingsPatch = z.infer<typeof CallingSettingsPatch>;

const WebhookUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

export const CreateBusinessInput = z
  .object({
    displayPhoneNumber: PhoneDigits,
    webhookUrl: WebhookUrl,
    phoneNumberId: GraphId.optional(),
    wabaId: GraphId.optional(),
    verifiedName: z.string().min(1).max(256).optional(),
    accessToken: z.string().min(8).max(1024).optional(),
    appSecret: z.string().min(8).max(256).optional(),
    verifyToken: z.string().min(1).max(256).optional(),
    calling: CallingSettingsPatch.optional(),
    permissionRequestTemplates: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type CreateBusinessInput = z.input<typeof CreateBusinessInput>;

export const UpdateBusinessInput = z
  .object({
    displayPhoneNumber: PhoneDigits,
    webhookUrl: WebhookUrl,
    verifiedName: z.string().min(1).max(256),
    accessToken: z.string().min(8).max(1024),
    appSecret: z.string().min(8).max(256),
    verifyToken: z.string().min(1).max(256),
    calling: CallingSettingsPatch,
    permissionRequestTemplates: z.array(z.string().min(1)),
  })
  .partial()
  .strict();
export type UpdateBusinessInput = z.input<typeof UpdateBusinessInput>;

export const BehaviourPatch = z
  .object({
    onIncomingCall: z.enum(['answer', 'reject', 'ignore']),
    answerAfterMs: z.number().int().min(0).max(3_600_000),
    speak: z.object({ toneHz: z.number().positive().max(20_000) }).nullable(),
    permissionReply: z.enum(['accept', 'reject', 'none']),
    permanent: z.boolean(),
    permissionReplyAfterMs: z.number().int().min(0).max(3_600_000),
    hangupAfterMs: z.number().int().min(0).max(86_400_000).nullable(),
  })
  .partial()
  .strict();
export type BehaviourPatch = z.infer<typeof BehaviourPatch>;

export const CreateUserInput = z
  .object({
    waId: PhoneDigits,
    name: z.string().min(1).max(256).optional(),
    behaviour: BehaviourPatch.optional(),
  })
  .strict();
export type CreateUserInput = z.input<typeof CreateUserInput>;

export const SpeakInput = z.union([
  z.object({ toneHz: z.number().positive().max(20_000) }).strict(),
  z.object({ wavBase64: z.string().min(1) }).strict(),
  z.null(),
]);
export type SpeakInput = z.infer<typeof SpeakInput>;

export const DigitsInput = z
  .object({
    digits: z.string().regex(/^[0-9*#A-Da-dwW]{1,64}$/, 'digits are 0-9 * # A-D, w pauses 0.5 s'),
    durationMs: z.number().int().min(40).max(5000).optional(),
    gapMs: z.number().int().min(0).max(5000).optional(),
  })
  .strict();
export type DigitsInput = z.infer<typeof DigitsInput>;
