import { z } from 'zod';
import {
  CallDirection,
  CallStatus,
  HttpMethod,
  RecordingSource,
  RecordingStatus,
  RecordingTrack,
  StatusCallbackEvent,
} from '../enums';
import {
  AccountSid,
  ApplicationSid,
  CallSid,
  RecordingSid,
  SenderSid,
  WhatsAppAddress,
} from '../ids';
import { StreamSid, StreamStatusCallbackConfig } from './media';

/** Where and how a call's status callbacks go (REST `StatusCallback*`, TwiML noun attributes). */
export const StatusCallbackConfig = z.object({
  url: z.string().url(),
  method: HttpMethod,
  events: z.array(StatusCallbackEvent),
});
export type StatusCallbackConfig = z.infer<typeof StatusCallbackConfig>;

/**
 * A call moved to a new status. call-control publishes one per transition, durably
 * (JetStream, de-duplicated by `${callSid}:${sequence}`), and the interpreter, consent
 * and webhook-dispatch consume it. `sequence` orders a call's transitions.
 */
export const CallStatusChangedV1 = z.object({
  callSid: CallSid,
  accountSid: AccountSid,
  parentCallSid: CallSid.nullable(),
  direction: CallDirection,
  from: z.string(),
  to: z.string(),
  status: CallStatus,
  previousStatus: CallStatus.nullable(),
  sequence: z.number().int().nonnegative(),
  occurredAt: z.string().datetime(),
  /** Set once answered / ended; duration in whole seconds from answer to end. */
  startTime: z.string().datetime().nullable(),
  endTime: z.string().datetime().nullable(),
  durationSec: z.number().int().nonnegative().nullable(),
  /** Twilio-style code explaining a failed / busy / no-answer end, when known. */
  errorCode: z.number().int().nullable(),
  statusCallback: StatusCallbackConfig.nullable(),
  /**
   * Meta's call id once Meta placed or announced the call; absent or null means nothing
   * reached Meta (consent gives back the attempt slot of such a call).
   */
  metaCallId: z.string().min(1).nullable().optional(),
  /**
   * Inbound calls: whether the sender's callback permission was on when the user called
   * (a user-initiated call then grants the business permission to call back).
   */
  callbackPermission: z.boolean().optional(),
});
export type CallStatusChangedV1 = z.infer<typeof CallStatusChangedV1>;

/** Where a recording's status callbacks go (`RecordingStatusCallback*`). */
export const RecordingStatusCallbackConfig = z.object({
  url: z.string().url(),
  method: HttpMethod,
  /** Twilio's default is `completed` only. */
  events: z.array(RecordingStatus).min(1),
});
export type RecordingStatusCallbackConfig = z.infer<typeof RecordingStatusCallbackConfig>;

/**
 * A recording (Twilio's Recording resource, owned by call-control) started or ended.
 * Published durably, de-duplicated by `${recordingSid}:${status}`, for webhook-dispatch
 * (`RecordingStatusCallback`) and anyone else who follows recordings.
 */
export const RecordingStatusChangedV1 = z.object({
  recordingSid: RecordingSid,
  accountSid: AccountSid,
  callSid: CallSid,
  status: RecordingStatus,
  source: RecordingSource,
  channels: z.union([z.literal(1), z.literal(2)]),
  track: RecordingTrack,
  startTime: z.string().datetime(),
  /** Whole seconds, once the recording ended. */
  durationSec: z.number().int().nonnegative().nullable(),
  /** Twilio-style code when it failed. */
  errorCode: z.number().int().nullable(),
  /** The recording's media, as clients fetch it (`.../Recordings/RE...`), once stored. */
  mediaUrl: z.string().url().nullable(),
  statusCallback: RecordingStatusCallbackConfig.nullable(),
  occurredAt: z.string().datetime(),
});
export type RecordingStatusChangedV1 = z.infer<typeof RecordingStatusChangedV1>;

/** Twilio's Media Stream status callback events. */
export const StreamStatusEvent = z.enum(['stream-started', 'stream-stopped', 'stream-error']);
export type StreamStatusEvent = z.infer<typeof StreamStatusEvent>;

/**
 * A Media Stream (Twilio's Stream resource, recorded by call-control) started, stopped or
 * failed. Published durably from its committed row, de-duplicated by `${streamSid}:${event}`,
 * for webhook-dispatch (the stream's `statusCallback`).
 */
export const StreamStatusChangedV1 = z.object({
  streamSid: StreamSid,
  accountSid: AccountSid,
  callSid: CallSid,
  name: z.string().nullable(),
  event: StreamStatusEvent,
  /** `stream-error`: what went wrong (Twilio's `StreamError`). */
  error: z.string().nullable(),
  errorCode: z.number().int().nullable(),
  statusCallback: StreamStatusCallbackConfig.nullable(),
  occurredAt: z.string().datetime(),
});
export type StreamStatusChangedV1 = z.infer<typeof StreamStatusChangedV1>;

/**
 * A WhatsApp user answered a call-permission request (Meta `messages` webhook,
 * `interactive.call_permission_reply`). call-control verifies and publishes it durably;
 * consent owns what it means.
 */
export const CallPermissionRepliedV1 = z.object({
  accountSid: AccountSid,
  senderSid: SenderSid,
  /** The business number (`whatsapp:+E.164`) and the user who replied. */
  business: WhatsAppAddress,
  user: WhatsAppAddress,
  response: z.enum(['accept', 'reject']),
  isPermanent: z.boolean(),
  /** Only for temporary grants. */
  expiresAt: z.string().datetime().nullable(),
  responseSource: z.enum(['user_action', 'automatic']),
  /** Meta's message id: the de-duplication key. */
  messageId: z.string().min(1),
  repliedAt: z.string().datetime(),
});
export type CallPermissionRepliedV1 = z.infer<typeof CallPermissionRepliedV1>;

// ---- commands call-control serves to the interpreter -------------------------------------

/** Answer a ringing inbound call (Meta `accept`): the first verb that needs the line open. */
export const CallAcceptRequestV1 = z.object({ callSid: CallSid });
/** `<Reject reason>`: the call ends busy (reason busy) or rejected. */
export const CallRejectRequestV1 = z.object({
  callSid: CallSid,
  reason: z.enum(['rejected', 'busy']).default('rejected'),
});
/** `<Hangup>` or end of the document: terminate the call and complete it. */
export const CallHangupRequestV1 = z.object({ callSid: CallSid });
export const CallCommandReplyV1 = z.object({ callSid: CallSid, status: CallStatus });

/** `<Dial><WhatsApp>`: place a child call from the parent's sender. */
export const CallDialRequestV1 = z.object({
  accountSid: AccountSid,
  parentCallSid: CallSid,
  from: WhatsAppAddress,
  to: WhatsAppAddress,
  timeoutSec: z.number().int().min(1).max(600),
  timeLimitSec: z.number().int().min(1).max(86_400),
  statusCallback: StatusCallbackConfig.nullable(),
});
export const CallDialReplyV1 = z.object({ callSid: CallSid, status: CallStatus });

/**
 * `<Dial record>`: record a call (with `otherCallSid`, the bridged pair: parent on the
 * first channel of a dual recording) as a Recording resource of call-control, with its
 * `recordingStatusCallback`. call-control writes the row, then asks media to record; stop it
 * with `media.v1.recording.stop`, or it ends with the call.
 */
export const CallRecordingStartRequestV1 = z.object({
  accountSid: AccountSid,
  callSid: CallSid,
  otherCallSid: CallSid.optional(),
  channels: z.enum(['mono', 'dual']),
  source: RecordingSource,
  track: RecordingTrack.default('both'),
  trimSilence: z.boolean().default(false),
  statusCallback: RecordingStatusCallbackConfig.nullable(),
});
export const CallRecordingStartReplyV1 = z.object({
  recordingSid: RecordingSid,
  /** Where the recording will be served (`RecordingUrl`), when the public URL is known. */
  mediaUrl: z.string().url().nullable(),
});

/**
 * The account's auth token, which signs every request the interpreter makes for the
 * account (`X-Twilio-Signature`). Only call-control holds it (sealed); the interpreter
 * asks for it per account, caches it briefly and never logs it.
 */
export const AccountSigningKeyRequestV1 = z.object({ accountSid: AccountSid });
export const AccountSigningKeyReplyV1 = z.object({
  accountSid: AccountSid,
  authToken: z.string().min(1).max(128),
});

// ---- twiml-interpreter -------------------------------------------------------------------

/**
 * Run TwiML on a call. call-control sends it when an inbound call is pre-accepted or an
 * outbound-api call is answered. `parameters` are the Twilio request parameters exactly as
 * the business's VoiceUrl receives them (CallSid, AccountSid, From, To, CallStatus,
 * Direction, ApiVersion, ...).
 */
export const SessionStartRequestV1 = z.object({
  callSid: CallSid,
  accountSid: AccountSid,
  applicationSid: ApplicationSid.nullable(),
  document: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('url'),
      url: z.string().url(),
      method: HttpMethod,
      fallbackUrl: z.string().url().nullable(),
      fallbackMethod: HttpMethod,
    }),
    z.object({ kind: z.literal('twiml'), twiml: z.string().min(1).max(65_536) }),
  ]),
  parameters: z.record(z.string(), z.string()),
});
export type SessionStartRequestV1 = z.infer<typeof SessionStartRequestV1>;
export const SessionStartReplyV1 = z.object({ accepted: z.literal(true) });

/**
 * Redirect a running call to new TwiML (REST `POST Calls/{Sid}.json` with `Url` or
 * `Twiml`): the interpreter stops the current verb and runs `document` instead. Same
 * document shape and parameters as `twiml.v1.session.start`.
 */
export const SessionRedirectRequestV1 = SessionStartRequestV1;
export type SessionRedirectRequestV1 = SessionStartRequestV1;

/**
 * A call's TwiML session now runs on `ownerInstance` (a redirect reached another replica,
 * which took the call over): the replica that ran it stops its document without ending
 * the call. Losing it is safe: the old owner also notices at its next saved step.
 */
export const SessionMovedV1 = z.object({
  callSid: CallSid,
  ownerInstance: z.string().min(1).max(128),
});
export type SessionMovedV1 = z.infer<typeof SessionMovedV1>;

// ---- consent -----------------------------------------------------------------------------

/** Meta's own answer for a user (`GET /{phone-number-id}/call_permissions`), as call-control read it. */
export const MetaPermissionOpinionV1 = z.object({
  /** Meta's `permission.status`: `temporary`, `permanent`, `no_permission`... */
  status: z.string().min(1).max(64),
  /** `can_perform_action` of `start_call`. */
  canStartCall: z.boolean(),
  expiresAt: z.string().datetime().nullable(),
});
export type MetaPermissionOpinionV1 = z.infer<typeof MetaPermissionOpinionV1>;

/**
 * May the business call this user now? Asked before anything is sent to Meta. With
 * `callSid`, an allowed check also reserves one of the user's call slots for that call
 * (asked again for the same call, consent answers as it did the first time); the slot is
 * given back when the call ends without reaching Meta, or by `consent.v1.permission.release`.
 */
export const PermissionCheckRequestV1 = z.object({
  accountSid: AccountSid,
  senderSid: SenderSid,
  business: WhatsAppAddress,
  user: WhatsAppAddress,
  callSid: CallSid.optional(),
  /** Meta's answer, when call-control asked Meta for a second opinion. */
  meta: MetaPermissionOpinionV1.optional(),
});
export const PermissionCheckReplyV1 = z.object({
  allowed: z.boolean(),
  /** Twilio-style code when refused: 37000 no permission, 37006 over the 24 h limit... */
  errorCode: z.number().int().nullable(),
  /** The rule that decided (`permission-missing`, `connected-calls-24h`...), or null. */
  reason: z.string().nullable(),
});
export type PermissionCheckReplyV1 = z.infer<typeof PermissionCheckReplyV1>;

/**
 * The call that reserved a slot never reached Meta (it failed before, or was never
 * created): give the slot back. Releasing twice, or an unknown call, is harmless.
 */
export const PermissionReleaseRequestV1 = z.object({
  accountSid: AccountSid,
  callSid: CallSid,
});
export const PermissionReleaseReplyV1 = z.object({ released: z.boolean() });

/** What a business may do with a user now: the ledger's current state, read only. */
export const PermissionStateRequestV1 = z.object({
  accountSid: AccountSid,
  business: WhatsAppAddress,
  user: WhatsAppAddress,
});
const Allowance = z.object({
  /** ISO 8601 duration of the window: `PT24H`, `P7D`. */
  window: z.string(),
  max: z.number().int().nonnegative(),
  used: z.number().int().nonnegative(),
  remaining: z.number().int().nonnegative(),
});
export const PermissionStateReplyV1 = z.object({
  business: WhatsAppAddress,
  user: WhatsAppAddress,
  /** `none`, `temporary`, `permanent`, `rejected`, `revoked`, `expired`. */
  permission: z.string(),
  permissionSource: z.string().nullable(),
  grantedAt: z.string().datetime().nullable(),
  expiresAt: z.string().datetime().nullable(),
  consecutiveMissedCalls: z.number().int().nonnegative(),
  /** Two missed calls in a row: WhatsApp asks the user again. */
  reprompt: z.boolean(),
  calls: z.array(Allowance),
  requests: z.array(Allowance),
  /** The rule that would refuse a call now (and its code), or null when one is allowed. */
  nextCall: PermissionCheckReplyV1,
  nextRequest: PermissionCheckReplyV1,
});
export type PermissionStateReplyV1 = z.infer<typeof PermissionStateReplyV1>;

/**
 * May the business send this user a call-permission request now (WhatsApp allows 1 per
 * 24 h and 2 per 7 days)? Consent reserves the request under `requestRef`, race-free, before
 * anything reaches Meta; the sender then settles it. Asked again with the same `requestRef`,
 * consent answers as it did the first time (a retried send never takes a second slot).
 */
export const PermissionRequestReserveRequestV1 = z.object({
  accountSid: AccountSid,
  senderSid: SenderSid,
  business: WhatsAppAddress,
  user: WhatsAppAddress,
  /** The Parley message carrying the request (its `SM...` sid): the reservation's key. */
  requestRef: z.string().min(1).max(64),
});
export const PermissionRequestReserveReplyV1 = PermissionCheckReplyV1;

/**
 * The reserved request reached Meta (`sent`: it counts against the limits) or never did
 * (`failed`: the slot is returned). Settling twice is harmless; an unknown ref is ignored.
 */
export const PermissionRequestSettleRequestV1 = z.object({
  accountSid: AccountSid,
  requestRef: z.string().min(1).max(64),
  outcome: z.enum(['sent', 'failed']),
});
export const PermissionRequestSettleReplyV1 = z.object({ ok: z.literal(true) });
