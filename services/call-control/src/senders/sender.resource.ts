import { z } from 'zod';
import { registerComponent } from '../openapi/api-doc';
import { type SenderEntity } from './sender.entity';

export const SenderResource = z.object({
  sid: z.string().describe('XE followed by 32 hex digits'),
  account_sid: z.string(),
  status: z.enum(['ONLINE', 'OFFLINE']),
  sender_id: z.string().describe('whatsapp:+E.164'),
  configuration: z.object({
    waba_id: z.string(),
    phone_number_id: z.string().describe('The Meta phone_number_id this sender acts for'),
    verification_method: z.null(),
    verification_code: z.null(),
    voice_application_sid: z
      .string()
      .nullable()
      .describe('Setting it enables WhatsApp calling at Meta; null disables it'),
    calling_status: z.enum(['ENABLED', 'DISABLED']).describe('What was last set at Meta'),
    callback_permission_status: z
      .enum(['ENABLED', 'DISABLED'])
      .describe('ENABLED: a user who calls the sender grants it permission to call back'),
  }),
  webhook: z
    .object({
      callback_url: z.string().nullable(),
      callback_method: z.enum(['GET', 'POST']),
      fallback_url: z.string().nullable(),
      fallback_method: z.enum(['GET', 'POST']),
      status_callback_url: z.string().nullable(),
      status_callback_method: z.enum(['GET', 'POST']),
    })
    .describe('Messaging webhooks: incoming messages (with fallback) and message statuses'),
  profile: z.object({ name: z.string().nullable() }).nullable(),
  properties: z.null(),
  offline_reasons: z.null(),
  url: z.string(),
});
registerComponent('Sender', SenderResource);

export const V2PageMeta = z.object({
  page: z.number().int(),
  page_size: z.number().int(),
  first_page_url: z.string(),
  previous_page_url: z.string().nullable(),
  url: z.string(),
  next_page_url: z.string().nullable(),
  key: z.string(),
});
registerComponent('V2PageMeta', V2PageMeta);

export function serializeSender(
  sender: SenderEntity,
  baseUrl: string,
): z.infer<typeof SenderResource> {
  return {
    sid: sender.sid,
    account_sid: sender.accountSid,
    status: sender.status,
    sender_id: sender.senderId,
    configuration: {
      waba_id: sender.wabaId,
      phone_number_id: sender.phoneNumberId,
      verification_method: null,
      verification_code: null,
      voice_application_sid: sender.voiceApplicationSid,
      calling_status: sender.callingStatus,
      callback_permission_status: sender.callbackPermissionStatus,
    },
    webhook: {
      callback_url: sender.webhookCallbackUrl,
      callback_method: sender.webhookCallbackMethod,
      fallback_url: sender.webhookFallbackUrl,
      fallback_method: sender.webhookFallbackMethod,
      status_callback_url: sender.webhookStatusCallbackUrl,
      status_callback_method: sender.webhookStatusCallbackMethod,
    },
    profile: sender.profileName !== null ? { name: sender.profileName } : null,
    properties: null,
    offline_reasons: null,
    url: `${baseUrl}/v2/Channels/Senders/${sender.sid}`,
  };
}
