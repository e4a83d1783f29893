import {
  type CallStatus,
  type ErrorCode,
  isTerminalCallStatus,
  ParleyError,
  type SessionStartRequestV1,
} from '@parley/contracts';
import { type MetaCallWebhook, type Contact, twilioCodeForMeta } from '@parley/meta-graph';
import { type ApplicationEntity } from '../applications/application.entity';
import { type CallEntity } from './call.entity';
import { type EndRequest } from './call-endings.service';
import { applicationDocument } from './call-session';

type SessionDocument = SessionStartRequestV1['document'];

/*
 * What call-control does with Meta's call webhooks, decided without I/O: each function
 * takes the call row as stored and the Meta event, and returns a plan the services
 * execute (as `hangupPlan` does for hang-ups).
 */

/** How a call is ended: the status it ends with and the lifecycle's end request. */
export interface EndPlan {
  kind: 'end';
  to: CallStatus;
  request: EndRequest;
}

/** Which side a Meta `connect` belongs to: user-initiated (inbound) or our own call. */
export function connectDirection(
  event: Pick<MetaCallWebhook, 'direction' | 'session'>,
): 'inbound' | 'outbound' {
  // Older payloads carry no direction: Meta's offer means the user called.
  const userInitiated = event.direction
    ? event.direction === 'USER_INITIATED'
    : event.session?.sdp_type === 'offer';
  return userInitiated ? 'inbound' : 'outbound';
}

// ---- business-initiated calls -------------------------------------------------------------

/**
 * Meta `statuses[]` (RINGING, ACCEPTED, REJECTED) of a business-initiated call. `placeFirst`:
 * the call is still `queued` here (the webhook overtook the answer to `connect`), so it
 * becomes `initiated` before anything else.
 */
export type OutboundStatusPlan =
  /** Ended here while Meta still rings or connects it: end it at Meta too. */
  | { kind: 'terminate-at-meta' }
  /** Ended here and Meta's news changes nothing. */
  | { kind: 'ignore' }
  | { kind: 'ringing'; placeFirst: boolean }
  | { kind: 'answered'; placeFirst: boolean; reason: string }
  | (EndPlan & { placeFirst: boolean })
  | { kind: 'unknown-status'; placeFirst: boolean };

export function outboundStatusPlan(
  call: Pick<CallEntity, 'status'>,
  metaStatus: string,
  metaCallId: string,
): OutboundStatusPlan {
  if (isTerminalCallStatus(call.status)) {
    return metaStatus === 'RINGING' || metaStatus === 'ACCEPTED'
      ? { kind: 'terminate-at-meta' }
      : { kind: 'ignore' };
  }
  const placeFirst = call.status === 'queued';
  switch (metaStatus) {
    case 'RINGING':
      return { kind: 'ringing', placeFirst };
    case 'ACCEPTED':
      return { kind: 'answered', placeFirst, reason: 'meta:status:ACCEPTED' };
    case 'REJECTED':
      return {
        kind: 'end',
        placeFirst,
        to: 'busy',
        request: { reason: 'meta:status:REJECTED', meta: 'none', patch: { metaCallId } },
      };
    default:
      return { kind: 'unknown-status', placeFirst };
  }
}

/** The user's SDP answer in Meta's `connect` of a business-initiated call, if any. */
export function connectAnswerSdp(
  event: Pick<MetaCallWebhook, 'session' | 'connection'>,
): string | undefined {
  return event.session?.sdp_type === 'answer' ? event.session.sdp : event.connection?.webrtc?.sdp;
}

/** Meta `connect` of a business-initiated call: the user answered (or the call ended here). */
export type OutboundConnectPlan =
  | { kind: 'terminate-at-meta' }
  | (EndPlan & { placeFirst: boolean })
  | { kind: 'apply-answer'; placeFirst: boolean; sdp: string };

export function outboundConnectPlan(
  call: Pick<CallEntity, 'status'>,
  event: Pick<MetaCallWebhook, 'id' | 'session' | 'connection'>,
): OutboundConnectPlan {
  if (isTerminalCallStatus(call.status)) return { kind: 'terminate-at-meta' };
  const placeFirst = call.status === 'queued';
  const sdp = connectAnswerSdp(event);
  if (!sdp) {
    return {
      kind: 'end',
      placeFirst,
      to: 'failed',
      request: {
        reason: 'meta:connect-without-answer',
        meta: 'terminate',
        errorCode: 53403,
        errorMessage: "Meta's connect webhook carried no SDP answer",
        patch: { metaCallId: event.id },
      },
    };
  }
  return { kind: 'apply-answer', placeFirst, sdp };
}

// ---- user-initiated calls -----------------------------------------------------------------

/** The caller's WhatsApp profile name: the contact matching the caller, else the first. */
export function callerProfileName(from: string, contacts: readonly Contact[]): string | null {
  return (
    contacts.find((c) => c.wa_id === from)?.profile?.name ?? contacts[0]?.profile?.name ?? null
  );
}

/** Whether a user-initiated call can run: the sender's voice application and its document. */
export type InboundAdmission =
  { ok: true; document: SessionDocument } | { ok: false; refusal: ParleyError };

export function admitInboundCall(
  sender: { senderId: string },
  app: ApplicationEntity | null,
): InboundAdmission {
  if (!app) {
    return {
      ok: false,
      refusal: new ParleyError(
        37009,
        `The WhatsApp sender ${sender.senderId} has no voice application`,
      ),
    };
  }
  try {
    return { ok: true, document: applicationDocument(app) };
  } catch (error) {
    return {
      ok: false,
      refusal: error instanceof ParleyError ? error : new ParleyError(37009, String(error)),
    };
  }
}

/** Meta `connect` of a user-initiated call, once its call row exists (ringing). */
export type InboundConnectPlan =
  /** `refusal`: why the call could not run (logged), when that is the reason it ends. */
  | (EndPlan & { refusal?: ParleyError })
  | { kind: 'answer'; offer: string; document: SessionDocument };

export function inboundConnectPlan(
  admission: InboundAdmission,
  event: Pick<MetaCallWebhook, 'session'>,
): InboundConnectPlan {
  if (!admission.ok) {
    return {
      kind: 'end',
      to: 'failed',
      refusal: admission.refusal,
      request: {
        reason: 'refused',
        meta: 'reject',
        errorCode: admission.refusal.code,
        errorMessage: admission.refusal.message,
      },
    };
  }
  const offer = event.session?.sdp_type === 'offer' ? event.session.sdp : undefined;
  if (!offer) {
    return {
      kind: 'end',
      to: 'failed',
      request: {
        reason: 'meta:connect-without-offer',
        meta: 'reject',
        errorCode: 53403,
        errorMessage: "Meta's connect webhook carried no SDP offer",
      },
    };
  }
  return { kind: 'answer', offer, document: admission.document };
}

// ---- either direction ---------------------------------------------------------------------

/** Meta errors in terminate webhooks that have a closer Twilio meaning than the Graph table. */
const TERMINATE_ERRORS: Readonly<Record<number, ErrorCode>> = {
  // "no media received for a long time": ICE/DTLS never completed or media stopped.
  138021: 53405,
};

export function terminateErrorCode(metaCode: number): ErrorCode {
  return TERMINATE_ERRORS[metaCode] ?? twilioCodeForMeta(metaCode, 0);
}

/** Meta `terminate`: how a call still running here ends. */
export function metaTerminatePlan(
  call: Pick<CallEntity, 'status'>,
  event: Pick<MetaCallWebhook, 'status' | 'errors' | 'duration'>,
): EndPlan | { kind: 'ignore' } {
  if (isTerminalCallStatus(call.status)) return { kind: 'ignore' };
  const metaStatus = event.status?.toUpperCase() ?? null;
  const metaError = event.errors?.[0];
  const request: EndRequest = {
    reason: `meta:terminate:${metaStatus ?? 'unknown'}`,
    meta: 'none',
    detail: {
      metaStatus,
      metaDuration: event.duration ?? null,
      metaErrors: (event.errors ?? []).map((e) => ({
        code: e.code,
        message: e.message ?? e.title ?? null,
      })),
    },
  };
  let to: CallStatus;
  if (call.status === 'in-progress') {
    to = 'completed';
    // Meta's own duration is what the user was charged and saw.
    if (event.duration !== undefined)
      request.patch = { duration: Math.max(0, Math.round(event.duration)) };
  } else if (metaStatus === 'FAILED' && metaError) {
    to = 'failed';
  } else {
    to = 'no-answer';
  }
  if (metaError) {
    request.errorCode = terminateErrorCode(metaError.code);
    request.errorMessage = metaError.message ?? metaError.title ?? `Meta error ${metaError.code}`;
  }
  return { kind: 'end', to, request };
}
