import type { MediaStats } from '../media/rtp-audio-endpoint';

export type EnabledStatus = 'ENABLED' | 'DISABLED';

export const WEEKDAYS = [
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
  'SUNDAY',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface CallHours {
  status: EnabledStatus;
  timezone_id: string;
  weekly_operating_hours: Array<{ day_of_week: Weekday; open_time: string; close_time: string }>;
  holiday_schedule: Array<{ date: string; start_time: string; end_time: string }>;
}

/** The `calling` object of `GET/POST /{phone-number-id}/settings`. */
export interface CallingSettings {
  status: EnabledStatus;
  call_icon_visibility: 'DEFAULT' | 'DISABLE_ALL';
  callback_permission_status: EnabledStatus;
  call_hours: CallHours | null;
  sip: {
    status: EnabledStatus;
    servers: Array<{
      hostname: string;
      port?: number;
      request_uri_user_params?: Record<string, string>;
    }>;
  };
}

/** One business phone number on the simulated Cloud API, secrets included. */
export interface BusinessRecord {
  phoneNumberId: string;
  /** Digits only, as Meta writes it in webhooks (`display_phone_number`). */
  displayPhoneNumber: string;
  verifiedName: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
  webhookUrl: string;
  verifyToken: string;
  calling: CallingSettings;
  /** Template names whose sends count as call-permission requests. */
  permissionRequestTemplates: string[];
  createdAt: string;
}

export type IncomingCallAction = 'answer' | 'reject' | 'ignore';
export type PermissionReply = 'accept' | 'reject' | 'none';

/** How a simulated WhatsApp user reacts. */
export interface Behaviour {
  onIncomingCall: IncomingCallAction;
  /** Delay before answering or rejecting a business-initiated call. */
  answerAfterMs: number;
  /** What the user says once a call is connected; null means silence. */
  speak: { toneHz: number } | null;
  /** The reply to a call-permission request. */
  permissionReply: PermissionReply;
  /** Accept permanently rather than for 7 days. */
  permanent: boolean;
  /** Delay before replying to a call-permission request. */
  permissionReplyAfterMs: number;
  /** Hang up this long after a call is answered; null means never. */
  hangupAfterMs: number | null;
}

export const DEFAULT_BEHAVIOUR: Behaviour = {
  onIncomingCall: 'answer',
  answerAfterMs: 500,
  speak: null,
  permissionReply: 'accept',
  permanent: false,
  permissionReplyAfterMs: 100,
  hangupAfterMs: null,
};

export interface UserRecord {
  waId: string;
  name: string;
  behaviour: Behaviour;
  createdAt: string;
}

export type CallDirection = 'USER_INITIATED' | 'BUSINESS_INITIATED';

/**
 * ringing -> (pre_accepted) -> accepted -> ended. `refused` calls never reached the business
 * (calling disabled, outside call hours, over the concurrency limit): Meta sends nothing.
 */
export type SimCallStatus = 'ringing' | 'pre_accepted' | 'accepted' | 'ended' | 'refused';

export type CallEndReason =
  | 'user_hangup'
  | 'user_reject'
  | 'business_terminate'
  | 'business_reject'
  | 'unanswered'
  | 'media_timeout'
  | 'media_error'
  | 'sim_reset'
  | 'refused_calling_disabled'
  | 'refused_outside_call_hours'
  | 'refused_concurrency_limit';

/** One entry of `errors[]` in a terminate webhook. */
export interface CallError {
  code: number;
  title: string;
  message: string;
  error_data: { details: string };
}

export interface SimCall {
  id: string;
  direction: CallDirection;
  status: SimCallStatus;
  /** Caller and callee as Meta writes them (digits). */
  from: string;
  to: string;
  phoneNumberId: string;
  waId: string;
  bizOpaqueCallbackData: string | null;
  /** Simulated-clock ISO times. */
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  terminateStatus: 'COMPLETED' | 'FAILED' | null;
  endReason: CallEndReason | null;
  errors: CallError[];
  sdp: { offer: string | null; answer: string | null };
  /** Why the business's SDP cannot carry media (ice-lite, setup:passive...). */
  mediaDefects: string[];
  /** What the simulated user's side sent and heard. */
  media: MediaStats;
}

export type PermissionStatus = 'no_permission' | 'temporary' | 'permanent';
