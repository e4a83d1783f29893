import { z } from 'zod';
import { rfc2822 } from '../common/twilio-format';
import { registerComponent } from '../openapi/api-doc';
import { type ApiKeyEntity } from './api-key.entity';

export const KeyResource = z.object({
  sid: z.string().describe('SK followed by 32 hex digits'),
  friendly_name: z.string(),
  date_created: z.string().describe('RFC 2822'),
  date_updated: z.string().describe('RFC 2822'),
  secret: z
    .string()
    .optional()
    .describe('Only in the answer to the creation: keep it, it is never shown again'),
});
registerComponent('Key', KeyResource);

/** Twilio's Key resource; `secret` only in the answer to its creation. */
export function serializeApiKey(key: ApiKeyEntity, secret?: string): z.infer<typeof KeyResource> {
  return {
    sid: key.sid,
    friendly_name: key.friendlyName,
    date_created: rfc2822(key.dateCreated) ?? '',
    date_updated: rfc2822(key.dateUpdated) ?? '',
    ...(secret !== undefined ? { secret } : {}),
  };
}
