import {
  type CallStatus,
  type CallStatusChangedV1,
  type ContentApprovalChangedV1,
  type HttpMethod,
  isTerminalCallStatus,
  type MessageReceivedV1,
  type MessageStatusChangedV1,
  type RecordingStatusChangedV1,
  type StatusCallbackEvent,
  type StreamStatusChangedV1,
} from '@parley/contracts';

/** Twilio's REST API version, sent as `ApiVersion` on every call callback. */
export const API_VERSION = '2010-04-01';

export const CALLBACK_KINDS = [
  'call-status',
  'recording-status',
  'message-status',
  'incoming-message',
  'stream-status',
  'content-approval',
] as const;
export type CallbackKind = (typeof CALLBACK_KINDS)[number];

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
  /** The call it is about; null for messages. */
  callSid: string | null;
  /** Callbacks with the same key leave in `eventSequence` order: a call, a recording. */
  orderKey: string;
  eventSequence: number;
  url: string;
  method: HttpMethod;
  params: Record<string, string>;
  /** Asked (with ErrorCode and ErrorUrl) when a request to `url` fails: messaging webhooks. */
  fallback?: { url: string; method: HttpMethod } | null;
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

/**
 * The statusCallback request of a Media Stream event (Twilio's `stream-started`,
 * `stream-stopped`, `stream-error`), or null when the stream has no callback.
 * `StreamName` is the stream's name, or its sid when it has none (as Twilio sends it).
 */
export function streamStatusCallback(event: StreamStatusChangedV1): CallbackRequest | null {
  const config = event.statusCallback;
  if (!config) return null;
  const params: Record<string, string> = {
    AccountSid: event.accountSid,
    CallSid: event.callSid,
    StreamSid: event.streamSid,
    StreamName: event.name ?? event.streamSid,
    StreamEvent: event.event,
    Timestamp: event.occurredAt,
  };
  if (event.event === 'stream-error') {
    params.StreamError =
      event.error ?? `Stream failed${event.errorCode ? ` (${event.errorCode})` : ''}`;
  }
  return {
    kind: 'stream-status',
    eventKey: `${event.streamSid}:${event.event}`,
    accountSid: event.accountSid,
    callSid: event.callSid,
    orderKey: event.streamSid,
    eventSequence: event.event === 'stream-started' ? 0 : 1,
    url: config.url,
    method: config.method,
    params,
  };
}

/**
 * The StatusCallback request of a WhatsApp message's status change (queued, sent,
 * delivered, read, failed), with Twilio's message callback parameters.
 */
export function messageStatusCallback(event: MessageStatusChangedV1): CallbackRequest | null {
  const config = event.statusCallback;
  if (!config) return null;
  const params: Record<string, string> = {
    AccountSid: event.accountSid,
    ApiVersion: API_VERSION,
    ChannelPrefix: 'whatsapp',
    ChannelToAddress: event.to.replace(/^whatsapp:/, ''),
    From: event.from,
    MessageSid: event.messageSid,
    MessageStatus: event.status,
    SmsSid: event.messageSid,
    SmsStatus: event.status,
    To: event.to,
  };
  if (event.errorCode !== null) params.ErrorCode = String(event.errorCode);
  if (event.errorCode !== null && event.errorMessage) params.ErrorMessage = event.errorMessage;
  return {
    kind: 'message-status',
    eventKey: `${event.messageSid}:${event.sequence}`,
    accountSid: event.accountSid,
    callSid: null,
    orderKey: event.messageSid,
    eventSequence: event.sequence,
    url: config.url,
    method: config.method,
    params,
  };
}

/**
 * The messaging webhook request of a message a WhatsApp user sent, exactly as Twilio's
 * incoming WhatsApp message webhook (seed 001 shows a call-permission reply: Body and
 * ButtonText VOICE_CALL_REQUEST, ButtonPayload ACCEPTED or REJECTED).
 */
export function incomingMessageWebhook(event: MessageReceivedV1): CallbackRequest {
  const params: Record<string, string> = {
    SmsMessageSid: event.messageSid,
    NumMedia: '0',
    MessageType: event.messageType,
    SmsSid: event.messageSid,
    WaId: event.waId,
    SmsStatus: 'received',
    Body: event.body,
    To: event.to,
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: event.messageSid,
    AccountSid: event.accountSid,
    From: event.from,
    ApiVersion: API_VERSION,
  };
  if (event.profileName !== null) params.ProfileName = event.profileName;
  if (event.buttonText !== null) params.ButtonText = event.buttonText;
  if (event.buttonPayload !== null) params.ButtonPayload = event.buttonPayload;
  return {
    kind: 'incoming-message',
    eventKey: event.messageSid,
    accountSid: event.accountSid,
    callSid: null,
    orderKey: event.messageSid,
    eventSequence: 0,
    url: event.webhook.url,
    method: event.webhook.method,
    params,
    fallback: event.fallback,
  };
}

/**
 * The status callback of a Content template's WhatsApp approval (received, pending,
 * approved, rejected, paused, disabled, or a new category), sent to the submitting
 * sender's `webhook.status_callback_url`. Twilio has no such callback: the parameters are
 * Parley's, named like the ApprovalRequests resource (Channel, ContentSid, TemplateName,
 * Category, ApprovalStatus, RejectionReason) and signed like every other callback.
 */
export function contentApprovalCallback(event: ContentApprovalChangedV1): CallbackRequest | null {
  const config = event.statusCallback;
  if (!config) return null;
  const params: Record<string, string> = {
    AccountSid: event.accountSid,
    ApiVersion: API_VERSION,
    Channel: 'whatsapp',
    ContentSid: event.contentSid,
    TemplateName: event.name,
    Category: event.category,
    ApprovalStatus: event.status,
  };
  if (event.rejectionReason !== null) params.RejectionReason = event.rejectionReason;
  return {
    kind: 'content-approval',
    eventKey: `approval:${event.contentSid}:${event.sequence}`,
    accountSid: event.accountSid,
    callSid: null,
    orderKey: event.contentSid,
    eventSequence: event.sequence,
    url: config.url,
    method: config.method,
    params,
  };
}
