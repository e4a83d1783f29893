import { z } from 'zod';
import { listQuery, textFilter } from '../common/list-query';
import { isHttpUrl, requiredJsonText, twilioIssue, truncate } from '../common/twilio-form';
import { parseWhatsAppAddress } from '../common/whatsapp-address';
import { registerComponent } from '../openapi/api-doc';

/** A sender's own hub.verify_token: at least 8 characters once trimmed (blank clears it on update). */
function verifyToken(allowBlank: boolean) {
  return z
    .string()
    .transform((value, ctx) => {
      const token = value.trim();
      if ((token.length || !allowBlank) && token.length < 8)
        twilioIssue(ctx, 20001, 'configuration.webhook_verify_token must be at least 8 characters');
      return token;
    })
    .describe("This sender's hub.verify_token for Meta's subscription check");
}

/** The profile name shown with the sender, cut to Meta's 139 characters. */
const profile = z
  .object({
    name: z
      .string()
      .transform((name) => name.slice(0, 139))
      .optional(),
  })
  .optional();

const voiceApplicationSid = z
  .string()
  .nullable()
  .optional()
  .describe('An AP sid turns WhatsApp calling on at Meta; null turns it off');

const callbackPermissionStatus = z
  .enum(['ENABLED', 'DISABLED'])
  .optional()
  .describe(
    "Meta's callback_permission_status, set at Meta: ENABLED lets a user's call grant call permission",
  );

/** A webhook URL: absolute http(s); null (on update) clears it. */
function webhookUrl(name: string) {
  return z
    .string()
    .transform((value, ctx) => {
      const url = value.trim();
      if (!isHttpUrl(url))
        twilioIssue(ctx, 11100, `webhook.${name} is not a valid URL: ${truncate(url)}`);
      return url;
    })
    .nullable()
    .optional();
}

const webhookMethod = z
  .string()
  .transform((v) => v.trim().toUpperCase())
  .pipe(z.enum(['GET', 'POST']))
  .optional();

/**
 * Twilio's sender `webhook`: where incoming messages (and call-permission replies) go,
 * the fallback asked when that fails, and the default status callback of messages.
 */
const webhook = z
  .object({
    callback_url: webhookUrl('callback_url'),
    callback_method: webhookMethod,
    fallback_url: webhookUrl('fallback_url'),
    fallback_method: webhookMethod,
    status_callback_url: webhookUrl('status_callback_url'),
    status_callback_method: webhookMethod,
  })
  .optional();
export type SenderWebhookCommand = z.output<typeof webhook>;

/** Body of `POST /v2/Channels/Senders` (JSON). Secrets are write-only. */
export const SenderCreateBody = registerComponent(
  'SenderCreateRequest',
  z.object({
    sender_id: z
      .string()
      .transform((raw, ctx) => {
        const address = parseWhatsAppAddress(raw, 'possible');
        if (address.ok) return address.value.address;
        twilioIssue(
          ctx,
          21212,
          `sender_id must be whatsapp:+ followed by an E.164 number, got "${raw.slice(0, 40)}"`,
        );
        return raw;
      })
      .describe('whatsapp:+E.164 of the business number'),
    configuration: z.object({
      phone_number_id: requiredJsonText('configuration.phone_number_id', 64)
        .superRefine((id, ctx) => {
          if (!/^\d{1,64}$/.test(id))
            twilioIssue(ctx, 20001, 'configuration.phone_number_id must be digits');
        })
        .describe('Meta phone_number_id of the business number'),
      waba_id: requiredJsonText('configuration.waba_id', 64).describe(
        'WhatsApp Business Account id',
      ),
      access_token: requiredJsonText('configuration.access_token', 4096).describe(
        'Meta access token (system user) for this number; stored encrypted, never returned',
      ),
      app_secret: requiredJsonText('configuration.app_secret', 512).describe(
        "Meta app secret signing this number's webhooks; stored encrypted, never returned",
      ),
      webhook_verify_token: verifyToken(false).optional(),
      voice_application_sid: voiceApplicationSid,
      callback_permission_status: callbackPermissionStatus,
    }),
    webhook,
    profile,
  }),
);
export type SenderCreateCommand = z.output<typeof SenderCreateBody>;

/** Body of `POST /v2/Channels/Senders/{Sid}` (JSON): every field optional. */
export const SenderUpdateBody = registerComponent(
  'SenderUpdateRequest',
  z.object({
    configuration: z
      .object({
        access_token: requiredJsonText('configuration.access_token', 4096).optional(),
        app_secret: requiredJsonText('configuration.app_secret', 512).optional(),
        webhook_verify_token: verifyToken(true).nullable().optional(),
        voice_application_sid: voiceApplicationSid,
        callback_permission_status: callbackPermissionStatus,
      })
      .optional(),
    webhook,
    profile,
  }),
);
export type SenderUpdateCommand = z.output<typeof SenderUpdateBody>;

/** Query of `GET /v2/Channels/Senders`: paging; `Channel` is always WhatsApp here. */
export const ListSendersQuery = listQuery({
  Channel: textFilter('whatsapp (the only channel; the list is the same without it)'),
});
