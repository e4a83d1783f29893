import { z } from 'zod';

/** Twilio's call statuses, in lifecycle order. */
export const CALL_STATUSES = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
] as const;
export const CallStatus = z.enum(CALL_STATUSES);
export type CallStatus = z.infer<typeof CallStatus>;

/** Statuses after which nothing about the call changes any more. */
export const TERMINAL_CALL_STATUSES: ReadonlySet<CallStatus> = new Set<CallStatus>([
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
]);

export function isTerminalCallStatus(status: CallStatus): boolean {
  return TERMINAL_CALL_STATUSES.has(status);
}

/** Twilio's `direction`: who started the leg. */
export const CallDirection = z.enum(['inbound', 'outbound-api', 'outbound-dial']);
export type CallDirection = z.infer<typeof CallDirection>;

/** The `DialCallStatus` parameter sent to a `<Dial action>` URL. */
export const DialCallStatus = z.enum([
  'completed',
  'answered',
  'busy',
  'no-answer',
  'failed',
  'canceled',
]);
export type DialCallStatus = z.infer<typeof DialCallStatus>;

/** Values of `StatusCallbackEvent` (REST) and `statusCallbackEvent` (TwiML nouns). */
export const StatusCallbackEvent = z.enum(['initiated', 'ringing', 'answered', 'completed']);
export type StatusCallbackEvent = z.infer<typeof StatusCallbackEvent>;

/**
 * What started a recording (Twilio's Recording `source`): `Record` on Calls.json, the
 * `<Record>` verb, `<Dial record>`, or the call's Recordings resource.
 */
export const RecordingSource = z.enum([
  'OutboundAPI',
  'RecordVerb',
  'DialVerb',
  'StartCallRecordingAPI',
]);
export type RecordingSource = z.infer<typeof RecordingSource>;

/** What a recording hears: what the leg says (inbound), hears (outbound), or both. */
export const RecordingTrack = z.enum(['inbound', 'outbound', 'both']);
export type RecordingTrack = z.infer<typeof RecordingTrack>;

/** Twilio's recording statuses (and `RecordingStatusCallbackEvent` values). */
export const RecordingStatus = z.enum(['in-progress', 'completed', 'absent', 'failed']);
export type RecordingStatus = z.infer<typeof RecordingStatus>;

export const HttpMethod = z.enum(['GET', 'POST']);
export type HttpMethod = z.infer<typeof HttpMethod>;

/** The Parley services; each owns one PostgreSQL schema and one NATS domain. */
export const SERVICE_DOMAINS = {
  'call-control': 'calls',
  'twiml-interpreter': 'twiml',
  consent: 'consent',
  'webhook-dispatch': 'webhooks',
  media: 'media',
} as const;
export const ServiceName = z.enum([
  'call-control',
  'twiml-interpreter',
  'consent',
  'webhook-dispatch',
  'media',
]);
export type ServiceName = z.infer<typeof ServiceName>;
export type ServiceDomain = (typeof SERVICE_DOMAINS)[ServiceName];
