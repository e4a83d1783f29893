import { z } from 'zod';
import { twilioIssue } from '../common/twilio-form';
import { parseWhatsAppAddress } from '../common/whatsapp-address';
import { registerComponent } from '../openapi/api-doc';

function whatsAppAddress(name: string, code: 21210 | 21211) {
  return z.preprocess(
    (value) => (Array.isArray(value) ? (value[0] as unknown) : value),
    z.string({ required_error: `${name} is required` }).transform((raw, ctx) => {
      const parsed = parseWhatsAppAddress(raw, 'possible');
      if (parsed.ok) return parsed.value.address;
      twilioIssue(
        ctx,
        code,
        `${name} must be whatsapp:+E.164 or whatsapp:<BSUID>, got "${raw.slice(0, 40)}"`,
      );
      return raw;
    }),
  );
}

/**
 * `GET /2010-04-01/Accounts/{AccountSid}/CallPermissions/{To}.json?From=...`: the path's
 * user (`To`) and the sender asking (`From`, a WhatsApp sender of the account).
 */
export const FetchCallPermissionQuery = registerComponent(
  'FetchCallPermissionQuery',
  z.object({
    To: whatsAppAddress('To', 21211).describe('The WhatsApp user: whatsapp:+E.164 or a BSUID'),
    From: whatsAppAddress('From', 21210).describe('The business sender: whatsapp:+E.164'),
  }),
);
export type FetchCallPermissionCommand = z.output<typeof FetchCallPermissionQuery>;

const Allowance = z.object({
  window: z.string().describe('ISO 8601 duration: PT24H, P7D'),
  max: z.number().int(),
  used: z.number().int(),
  remaining: z.number().int(),
});

const NextAction = z.object({
  allowed: z.boolean(),
  rule: z.string().nullable().describe('The rule that would refuse it (null: allowed)'),
  error_code: z.number().int().nullable(),
  message: z.string().nullable(),
});

/** A Parley extension in Twilio's style: a WhatsApp user's call permission for one sender. */
export const CallPermissionResource = registerComponent(
  'CallPermission',
  z.object({
    account_sid: z.string(),
    from: z.string().describe('The business sender'),
    to: z.string().describe('The WhatsApp user'),
    status: z
      .enum(['none', 'temporary', 'permanent', 'rejected', 'revoked', 'expired'])
      .describe('What the user last granted, and whether it still holds'),
    source: z
      .string()
      .nullable()
      .describe('user_action, automatic, callback (the user called in) or missed-calls'),
    date_granted: z.string().nullable().describe('RFC 2822'),
    date_expires: z.string().nullable().describe('RFC 2822; null for permanent grants'),
    consecutive_missed_calls: z.number().int(),
    reprompt: z.boolean().describe('Missed calls made WhatsApp ask the user again'),
    calls: z.array(Allowance).describe('Connected business-initiated calls'),
    permission_requests: z.array(Allowance),
    next_call: NextAction,
    next_permission_request: NextAction,
    api_version: z.string(),
    uri: z.string(),
  }),
);
export type CallPermissionResource = z.infer<typeof CallPermissionResource>;
