import { type CallStatus } from '@parley/contracts';
import { z } from 'zod';
import { accountPath, API_VERSION, rfc2822 } from '../common/twilio-format';
import { registerComponent } from '../openapi/api-doc';
import { type CallEntity } from './call.entity';

/**
 * The statuses Twilio's REST Call resource (and the official SDKs' `CallStatus` type) has.
 * `initiated` is a status-callback event only: the REST resource shows such a call `queued`.
 */
export const REST_CALL_STATUSES = [
  'queued',
  'ringing',
  'in-progress',
  'canceled',
  'completed',
  'failed',
  'busy',
  'no-answer',
] as const;
export type RestCallStatus = (typeof REST_CALL_STATUSES)[number];

/** A call's status as the REST resource shows it. */
export function restCallStatus(status: CallStatus): RestCallStatus {
  return status === 'initiated' ? 'queued' : status;
}

/** The stored statuses a REST `Status` filter matches (`queued` includes `initiated`). */
export function storedCallStatuses(status: RestCallStatus): CallStatus[] {
  return status === 'queued' ? ['queued', 'initiated'] : [status];
}

export const CallResource = z.object({
  account_sid: z.string(),
  annotation: z.null(),
  answered_by: z.null(),
  api_version: z.literal(API_VERSION),
  caller_name: z.string().nullable(),
  date_created: z.string().describe('RFC 2822'),
  date_updated: z.string().describe('RFC 2822'),
  direction: z.enum(['inbound', 'outbound-api', 'outbound-dial']),
  duration: z.string().nullable().describe('Seconds from answer to end, once ended'),
  end_time: z.string().nullable(),
  forwarded_from: z.null(),
  from: z.string().describe('whatsapp:+E.164'),
  from_formatted: z.string(),
  group_sid: z.null(),
  parent_call_sid: z.string().nullable(),
  phone_number_sid: z
    .string()
    .nullable()
    .describe('The WhatsApp sender (XE...) the call went through'),
  price: z.null(),
  price_unit: z.literal('USD'),
  queue_time: z.string(),
  sid: z.string(),
  start_time: z.string().nullable(),
  status: z.enum(REST_CALL_STATUSES),
  subresource_uris: z.object({
    events: z.string(),
    notifications: z.string(),
    recordings: z.string(),
  }),
  to: z.string(),
  to_formatted: z.string(),
  trunk_sid: z.null(),
  uri: z.string(),
});
registerComponent('Call', CallResource);

export function serializeCall(call: CallEntity): z.infer<typeof CallResource> {
  const base = `${accountPath(call.accountSid)}/Calls/${call.sid}`;
  return {
    account_sid: call.accountSid,
    annotation: null,
    answered_by: null,
    api_version: API_VERSION,
    caller_name: call.callerName,
    date_created: rfc2822(call.dateCreated) ?? '',
    date_updated: rfc2822(call.dateUpdated) ?? '',
    direction: call.direction,
    duration: call.duration === null ? null : String(call.duration),
    end_time: rfc2822(call.endTime),
    forwarded_from: null,
    from: call.from,
    from_formatted: call.from,
    group_sid: null,
    parent_call_sid: call.parentCallSid,
    phone_number_sid: call.senderSid,
    price: null,
    price_unit: 'USD',
    queue_time: '0',
    sid: call.sid,
    start_time: rfc2822(call.startTime),
    status: restCallStatus(call.status),
    subresource_uris: {
      events: `${base}/Events.json`,
      notifications: `${base}/Notifications.json`,
      recordings: `${base}/Recordings.json`,
    },
    to: call.to,
    to_formatted: call.to,
    trunk_sid: null,
    uri: `${base}.json`,
  };
}
