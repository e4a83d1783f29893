import { Injectable } from '@nestjs/common';
import {
  type CallStatus,
  type ErrorCode,
  isTerminalCallStatus,
  ParleyError,
} from '@parley/contracts';
import { type MetaCallWebhook, twilioCodeForMeta } from '@parley/meta-graph';
import { type SenderEntity } from '../senders/sender.entity';
import { type CallEntity } from './call.entity';
import { CallLifecycle, type EndRequest } from './call-lifecycle.service';
import { isUnanswered } from './call-state-machine';
import { CallsRepository } from './calls.repository';
import { CallNotKnownYet } from './call-errors';

/** Meta errors in terminate webhooks that have a closer Twilio meaning than the Graph table. */
const TERMINATE_ERRORS: Readonly<Record<number, ErrorCode>> = {
  // "no media received for a long time": ICE/DTLS never completed or media stopped.
  138021: 53405,
};

export function terminateErrorCode(metaCode: number): ErrorCode {
  return TERMINATE_ERRORS[metaCode] ?? twilioCodeForMeta(metaCode, 0);
}

/** How a call still running is hung up: the status it ends with and what Meta is told. */
export function hangupPlan(call: Pick<CallEntity, 'direction' | 'status'>): {
  to: CallStatus;
  meta: 'terminate' | 'reject';
} {
  if (call.status === 'in-progress') return { to: 'completed', meta: 'terminate' };
  // An inbound call the application hangs up before answering: declined at Meta, and
  // completed as Twilio reports a call its application ended.
  if (call.direction === 'inbound') return { to: 'completed', meta: 'reject' };
  return { to: 'canceled', meta: 'terminate' };
}

/** Calls ending: hung up by the application or the API, or ended by Meta. */
@Injectable()
export class CallEndings {
  constructor(
    private readonly lifecycle: CallLifecycle,
    private readonly calls: CallsRepository,
  ) {}

  /** `calls.v1.call.hangup` (`<Hangup>`, end of the document). Idempotent. */
  async hangup(callSid: string, reason = 'interpreter:hangup'): Promise<CallStatus> {
    const call = await this.calls.findBySid(callSid);
    if (!call) throw new ParleyError(20404, `Call ${callSid} was not found`);
    if (isTerminalCallStatus(call.status)) return call.status;
    const plan = hangupPlan(call);
    const result = await this.lifecycle.end(call, plan.to, { reason, meta: plan.meta });
    return result.call.status;
  }

  /** REST `Status=canceled|completed`. */
  async endFromApi(call: CallEntity, requested: 'canceled' | 'completed'): Promise<void> {
    if (isTerminalCallStatus(call.status)) {
      throw new ParleyError(
        21220,
        `Call is not in-progress or ringing: it already ended (${call.status})`,
      );
    }
    if (requested === 'canceled' && !isUnanswered(call.status)) {
      throw new ParleyError(21220, 'Call is in progress: only Status=completed ends it');
    }
    const plan = hangupPlan(call);
    await this.lifecycle.end(call, plan.to, { reason: `api:status:${requested}`, meta: plan.meta });
  }

  /** Meta's `terminate` webhook, in either direction. */
  async onMetaTerminate(sender: SenderEntity, event: MetaCallWebhook): Promise<void> {
    const call = await this.calls.findForMeta(sender.sid, event.id, event.biz_opaque_callback_data);
    if (!call) throw new CallNotKnownYet(event.id);
    if (isTerminalCallStatus(call.status)) return;
    const metaStatus = event.status?.toUpperCase() ?? null;
    const metaError = event.errors?.[0];
    const answered = call.status === 'in-progress';
    let to: CallStatus;
    const req: EndRequest = {
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
    if (answered) {
      to = 'completed';
      // Meta's own duration is what the user was charged and saw.
      if (event.duration !== undefined)
        req.patch = { duration: Math.max(0, Math.round(event.duration)) };
    } else if (metaStatus === 'FAILED' && metaError) {
      to = 'failed';
    } else {
      to = 'no-answer';
    }
    if (metaError) {
      req.errorCode = terminateErrorCode(metaError.code);
      req.errorMessage = metaError.message ?? metaError.title ?? `Meta error ${metaError.code}`;
    }
    await this.lifecycle.end(call, to, req);
  }
}
