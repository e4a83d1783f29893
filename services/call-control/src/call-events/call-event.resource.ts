import { z } from 'zod';
import { rfc2822 } from '../common/twilio-format';
import { registerComponent } from '../openapi/api-doc';
import { CALL_EVENT_TYPES, type CallEventEntity } from './call-event.entity';

export const CallEventResource = z.object({
  account_sid: z.string(),
  call_sid: z.string(),
  type: z
    .enum(CALL_EVENT_TYPES)
    .describe(
      'status: a transition; graph: a Meta Graph API request; webhook: a Meta webhook; media, interpreter, consent: requests to those services; setup: how long each step of the set-up took (milliseconds)',
    ),
  name: z.string().describe('e.g. ringing, connect, pre_accept, leg.answer, session.start'),
  sequence: z.number().int().nullable().describe('Status transitions only: their order'),
  detail: z.record(z.string(), z.unknown()),
  date_created: z.string().describe('RFC 2822'),
  timestamp: z.string().describe('ISO 8601 with milliseconds'),
});
registerComponent('CallEvent', CallEventResource);

export function serializeCallEvent(e: CallEventEntity): z.infer<typeof CallEventResource> {
  return {
    account_sid: e.accountSid,
    call_sid: e.callSid,
    type: e.type,
    name: e.name,
    sequence: e.sequence,
    detail: e.detail,
    date_created: rfc2822(e.occurredAt) ?? '',
    timestamp: e.occurredAt.toISOString(),
  };
}
