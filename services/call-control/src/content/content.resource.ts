import { z } from 'zod';
import { iso8601 } from '../common/twilio-format';
import { registerComponent } from '../openapi/api-doc';
import { type ContentEntity } from './content.entity';

const Action = z.object({ title: z.string(), type: z.enum(['VOICE_CALL_REQUEST', 'VOICE_CALL']) });

export const ContentResource = z.object({
  account_sid: z.string(),
  date_created: z.string().describe('ISO 8601'),
  date_updated: z.string().describe('ISO 8601'),
  friendly_name: z.string().nullable(),
  language: z.string(),
  links: z.object({ approval_create: z.string(), approval_fetch: z.string() }),
  sid: z.string().describe('HX followed by 32 hex digits'),
  types: z.object({
    'twilio/text': z.object({ body: z.string() }).optional(),
    'twilio/call-to-action': z.object({ actions: z.array(Action), body: z.string() }).optional(),
    'twilio/card': z
      .object({
        actions: z.array(Action),
        body: z.string().nullable(),
        media: z.null(),
        subtitle: z.string().nullable(),
        title: z.string(),
      })
      .optional(),
  }),
  url: z.string(),
  variables: z.record(z.string(), z.string()),
});
registerComponent('Content', ContentResource);

export const CONTENT_PATH = '/v1/Content';

export function serializeContent(
  content: ContentEntity,
  baseUrl: string,
): z.infer<typeof ContentResource> {
  const url = `${baseUrl}${CONTENT_PATH}/${content.sid}`;
  return {
    account_sid: content.accountSid,
    date_created: iso8601(content.dateCreated) ?? '',
    date_updated: iso8601(content.dateUpdated) ?? '',
    friendly_name: content.friendlyName,
    language: content.language,
    links: {
      approval_create: `${url}/ApprovalRequests/whatsapp`,
      approval_fetch: `${url}/ApprovalRequests`,
    },
    sid: content.sid,
    types: content.types,
    url,
    variables: content.variables,
  };
}
