import {
  type CallStatus,
  type CallStatusChangedV1,
  type HttpMethod,
  isTerminalCallStatus,
  type RecordingStatusChangedV1,
  type StatusCallbackEvent,
} from '@parley/contracts';

/** Twilio's REST API version, sent as `ApiVersion` on every call callback. */
export const API_VERSION = '2010-04-01';

export type CallbackKind = 'call-status' | 'recording-status';

/**
 * Everything needed to send one callback, computed once from its event and stored with
 * the delivery row, so every attempt (on any replica, after any restart) sends the same
 * request. Only `SequenceNumber` is added at the first attempt: it numbers the callbacks
 * of a call in the order they are actually sent.
 */
export interface CallbackRequest {
  kind: CallbackKind;
  /** One per logical event; a redelivered event maps to the same key (and row). */
  eventKey: string;
  accountSid: string;
  callSid: string;
  /** Callbacks with the same key leave in `eventSequence` order: a call, a recording. */
  orderKey: string;
  eventSequence: number;
  url: string;
  method: HttpMethod;
  params: Record<string, string>;
}

/** Which call statuses fire which `StatusCallbackEvent` (Twilio's call progress events). */
export function statusCallbackEventOf(status: CallStatus): StatusCallbackEvent | null {
  if (status === 'initiated') return 'initiated';
  if (status === 'ringing') return 'ringing';
  if (status === 'in-progress') return 'answered';
  if (isTerminalCallStatus(status)) return 'completed';
  return null; // queued: no progress event
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 2822 date in UTC as Twilio writes it: `Tue, 01 Dec 2026 05:00:00 +0000`. */
export function rfc2822(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

/**
 * The StatusCallback request of a call status change, or null when the call has no
 * callback or the business did not ask for this event.
 */
export function callStatusCallback(event: CallStatusChangedV1): CallbackRequest | null {
  const config = event.statusCallback;
  if (!config) return null;
  const progress = statusCallbackEventOf(event.status);
  if (!progress || !config.events.includes(progress)) return null;
  const params: Record<string, string> = {
    AccountSid: event.accountSid,
    CallSid: event.callSid,
    From: event.from,
    To: event.to,
    Caller: event.from,
    Called: event.to,
    CallStatus: event.status,
    Direction: event.direction,
    ApiVersion: API_VERSION,
    Timestamp: rfc2822(event.occurredAt),
    CallbackSource: 'call-progress-events',
  };
  if (event.parentCallSid) params.ParentCallSid = event.parentCallSid;
  if (progress === 'completed') {
    const seconds = event.durationSec ?? 0;
    params.CallDuration = String(seconds);
    // Twilio's `Duration` is the billed length in whole minutes, rounded up.
    params.Duration = String(Math.ceil(seconds / 60));
  }
  if (event.errorCode !== null) params.ErrorCode = String(event.errorCode);
  return {
    kind: 'call-status',
    eventKey: `${event.callSid}:${event.sequence}`,
    accountSid: event.accountSid,
    callSid: event.callSid,
    orderKey: event.callSid,
    eventSequence: event.sequence,
    url: config.url,
    method: config.method,
    params,
  };
}

/** Order of a recording's statuses, so its callbacks leave in lifecycle order too. */
const RECORDING_STATUS_ORDER: Record<RecordingStatusChangedV1['status'], number> = {
  'in-progress': 0,
  completed: 1,
  absent: 1,
  failed: 1,
};

/** The RecordingStatusCallback request of a recording status change, or null. */
export function recordingStatusCallback(event: RecordingStatusChangedV1): CallbackRequest | null {
  const config = event.statusCallback;
  if (!config || !config.events.includes(event.status)) return null;
  const params: Record<string, string> = {
    AccountSid: event.accountSid,
    CallSid: event.callSid,
    RecordingSid: event.recordingSid,
    RecordingStatus: event.status,
    RecordingChannels: String(event.channels),
    RecordingSource: event.source,
    RecordingTrack: event.track,
    RecordingStartTime: rfc2822(event.startTime),
  };
  if (event.mediaUrl) params.RecordingUrl = event.mediaUrl;
  if (event.durationSec !== null) params.RecordingDuration = String(event.durationSec);
  if (event.errorCode !== null) params.ErrorCode = String(event.errorCode);
  return {
    kind: 'recording-status',
    eventKey: `${event.recordingSid}:${event.status}`,
    accountSid: event.accountSid,
    callSid: event.callSid,
    orderKey: event.recordingSid,
    eventSequence: RECORDING_STATUS_ORDER[event.status],
    url: config.url,
    method: config.method,
    params,
  };
}
