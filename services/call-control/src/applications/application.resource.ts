import { z } from 'zod';
import { accountPath, API_VERSION, rfc2822 } from '../common/twilio-format';
import { registerComponent } from '../openapi/api-doc';
import { type ApplicationEntity } from './application.entity';

const Method = z.enum(['GET', 'POST']);

export const ApplicationResource = z.object({
  account_sid: z.string(),
  api_version: z.literal(API_VERSION),
  date_created: z.string().describe('RFC 2822'),
  date_updated: z.string().describe('RFC 2822'),
  friendly_name: z.string(),
  message_status_callback: z.null(),
  public_application_connect_enabled: z.boolean(),
  sid: z.string(),
  sms_fallback_method: Method,
  sms_fallback_url: z.null(),
  sms_method: Method,
  sms_status_callback: z.null(),
  sms_url: z.null(),
  status_callback: z.string().nullable(),
  status_callback_method: Method,
  uri: z.string(),
  voice_caller_id_lookup: z.boolean(),
  voice_fallback_method: Method,
  voice_fallback_url: z.string().nullable(),
  voice_method: Method,
  voice_url: z.string().nullable(),
});
registerComponent('Application', ApplicationResource);

export function serializeApplication(app: ApplicationEntity): z.infer<typeof ApplicationResource> {
  return {
    account_sid: app.accountSid,
    api_version: API_VERSION,
    date_created: rfc2822(app.dateCreated) ?? '',
    date_updated: rfc2822(app.dateUpdated) ?? '',
    friendly_name: app.friendlyName,
    message_status_callback: null,
    public_application_connect_enabled: false,
    sid: app.sid,
    sms_fallback_method: 'POST',
    sms_fallback_url: null,
    sms_method: 'POST',
    sms_status_callback: null,
    sms_url: null,
    status_callback: app.statusCallback,
    status_callback_method: app.statusCallbackMethod,
    uri: `${accountPath(app.accountSid)}/Applications/${app.sid}.json`,
    voice_caller_id_lookup: false,
    voice_fallback_method: app.voiceFallbackMethod,
    voice_fallback_url: app.voiceFallbackUrl,
    voice_method: app.voiceMethod,
    voice_url: app.voiceUrl,
  };
}
