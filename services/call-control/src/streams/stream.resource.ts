import { z } from 'zod';
import { accountPath, rfc2822 } from '../common/twilio-format';
import { registerComponent } from '../openapi/api-doc';
import { STREAM_STATUSES, type StreamEntity } from './stream.entity';

/** Twilio's Stream resource, field for field. */
export const StreamResource = z.object({
  sid: z.string(),
  account_sid: z.string(),
  call_sid: z.string(),
  name: z.string().nullable().describe('The name given, or the sid when none was'),
  status: z.enum(STREAM_STATUSES),
  date_updated: z.string().describe('RFC 2822'),
  uri: z.string(),
});
registerComponent('Stream', StreamResource);

export function serializeStream(s: StreamEntity): z.infer<typeof StreamResource> {
  return {
    sid: s.sid,
    account_sid: s.accountSid,
    call_sid: s.callSid,
    name: s.name ?? s.sid,
    status: s.status,
    date_updated: rfc2822(s.dateUpdated) ?? '',
    uri: `${accountPath(s.accountSid)}/Calls/${s.callSid}/Streams/${s.sid}.json`,
  };
}
