import { MessageStatus } from '@parley/contracts';
import { z } from 'zod';
import { accountPath, API_VERSION, rfc2822 } from '../common/twilio-format';
import { registerComponent } from '../openapi/api-doc';
import { type MessageEntity } from './message.entity';

export const MessageResource = z.object({
  account_sid: z.string(),
  api_version: z.literal(API_VERSION),
  body: z.string(),
  date_created: z.string().describe('RFC 2822'),
  date_sent: z.string().nullable(),
  date_updated: z.string(),
  direction: z.enum(['outbound-api', 'inbound']),
  error_code: z.number().int().nullable(),
  error_message: z.string().nullable(),
  from: z.string().describe('whatsapp:+E.164'),
  messaging_service_sid: z.null(),
  num_media: z.literal('0'),
  num_segments: z.literal('1'),
  price: z.null(),
  price_unit: z.literal('USD'),
  sid: z.string().describe('SM followed by 32 hex digits'),
  status: MessageStatus,
  subresource_uris: z.object({ media: z.string() }),
  to: z.string(),
  uri: z.string(),
});
registerComponent('Message', MessageResource);

export function serializeMessage(message: MessageEntity): z.infer<typeof MessageResource> {
  const base = `${accountPath(message.accountSid)}/Messages/${message.sid}`;
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: rfc2822(message.dateCreated) ?? '',
    date_sent: rfc2822(message.dateSent),
    date_updated: rfc2822(message.dateUpdated) ?? '',
    direction: message.direction,
    error_code: message.errorCode,
    error_message: message.errorMessage,
    from: message.from,
    messaging_service_sid: null,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: `${base}/Media.json` },
    to: message.to,
    uri: `${base}.json`,
  };
}
