import { Injectable } from '@nestjs/common';
import {
  type CallStatus,
  type ErrorCode,
  isTerminalCallStatus,
  type LegFailedV1,
  ParleyError,
} from '@parley/contracts';
import { MetaGraphError, type MetaCallWebhook } from '@parley/meta-graph';
import { MediaClient } from '../clients/media.client';
import { type CallEffectEntity } from './call-effect.entity';
import {
  type CallEffectOutcome,
  endEffects,
  metaRefusedForGood,
  serviceUnreachable,
} from './call-effect-policy';
import { CallEffects } from './call-effects.service';
import { MetaService } from '../meta/meta.service';
import { type SenderEntity } from '../senders/sender.entity';
import { SendersService } from '../senders/senders.service';
import { type CallEntity } from './call.entity';
import { CallNotKnownYet } from './call-errors';
import { isUnanswered } from './call-state-machine';
import { CallStateService, type CallPatch, type TransitionResult } from './call-state.service';
import { CallsRepository } from './calls.repository';
import { metaTerminatePlan } from './meta-event-plans';

export interface EndRequest {
  reason: string;
  /** What to tell Meta: end the call (`terminate`), decline it (`reject`) or nothing. */
  meta: 'terminate' | 'reject' | 'none';
  /** A Twilio-style code (ErrorCode), or a code another service reported. */
  errorCode?: number | null;
  errorMessage?: string | null;
  patch?: CallPatch;
  detail?: Record<string, unknown>;
}

/** One step of a call's set-up, and how the call ends when that step throws. */
export interface SetupStep {
  reason: string;
  meta: EndRequest['meta'];
  /** The code when the error carries none (neither a ParleyError nor a Meta error). */
  fallbackCode: ErrorCode;
  patch?: CallPatch;
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

/**
 * The one class that ends calls, whoever ends them: the application (`<Hangup>`,
 * `<Reject>`), the REST API, Meta's `terminate`, a timer or a failed set-up step. The
 * transition decides who ends a call (one winner, even across replicas); it commits the
 * end's side effects with the status (Meta `terminate`/`reject`, media `leg.close`), which
 * CallEffects then runs right away and retries until done: a crash or an outage between
 * the commit and Meta leaves a pending effect, never a live WhatsApp call. Which status
 * and which Meta action a hang-up means is the pure `hangupPlan`.
 */
@Injectable()
export class CallEndings {
  constructor(
    private readonly state: CallStateService,
    private readonly calls: CallsRepository,
    private readonly senders: SendersService,
    private readonly meta: MetaService,
    private readonly media: MediaClient,
    private readonly effects: CallEffects,
  ) {
    effects.register('meta.terminate', (call, effect) => this.tellMeta(call, effect, 'terminate'));
    effects.register('meta.reject', (call, effect) => this.tellMeta(call, effect, 'reject'));
    effects.register('media.close', (call) => this.closeLeg(call));
  }

  /**
   * Runs one step of a call's set-up (a media or Graph request, the interpreter hand-off).
   * When it throws, the call ends `failed` with the step's code and the error's message,
   * and null is returned so that the caller simply stops.
   */
  async orFail<T>(
    call: CallEntity,
    step: SetupStep,
    run: () => Promise<T>,
  ): Promise<{ value: T } | null> {
    try {
      return { value: await run() };
    } catch (error) {
      await this.failSetup(call, step, error);
      return null;
    }
  }

  /** Ends a call whose set-up step failed with `error` (see `orFail`). */
  async failSetup(call: CallEntity, step: SetupStep, error: unknown): Promise<void> {
    const code =
      error instanceof ParleyError
        ? error.code
        : error instanceof MetaGraphError
          ? error.twilioCode
          : step.fallbackCode;
    await this.end(call, 'failed', {
      reason: step.reason,
      meta: step.meta,
      errorCode: code,
      errorMessage:
        error instanceof ParleyError || error instanceof MetaGraphError
          ? error.message
          : String(error),
      ...(step.patch ? { patch: step.patch } : {}),
    });
  }

  async end(call: CallEntity, to: CallStatus, req: EndRequest): Promise<TransitionResult> {
    if (!isTerminalCallStatus(to)) throw new Error(`end() needs a terminal status, got ${to}`);
    const metaCallId = req.patch?.metaCallId ?? call.metaCallId;
    const result = await this.state.transition(call.sid, to, {
      reason: req.reason,
      patch: {
        ...(req.errorCode !== undefined ? { errorCode: req.errorCode } : {}),
        ...(req.errorMessage !== undefined ? { errorMessage: req.errorMessage } : {}),
        ...req.patch,
      },
      ...(req.detail ? { detail: req.detail } : {}),
      effects: endEffects(req.meta, metaCallId),
    });
    if (result.changed) await this.effects.runForCall(call.sid);
    return result;
  }

  /**
   * Ends a call at Meta that already ended here (Meta placed or rang it afterwards):
   * recorded as an effect, so it is retried like any other.
   */
  async terminateAtMeta(call: CallEntity, metaCallId: string): Promise<void> {
    await this.effects.enqueue(call.sid, [{ kind: 'meta.terminate', detail: { metaCallId } }]);
  }

  /** Frees a call's media leg (a set-up that found its call ended), retried until done. */
  async releaseMedia(call: CallEntity): Promise<void> {
    await this.effects.enqueue(call.sid, [{ kind: 'media.close' }]);
  }

  /** Closes the leg at media: done, refused by media, or thrown to retry while unreachable. */
  private async closeLeg(call: CallEntity): Promise<CallEffectOutcome> {
    try {
      await this.media.close(call);
      return { kind: 'done' };
    } catch (error) {
      if (serviceUnreachable(error)) throw error;
      // media answered with an error: its answer for this leg, not worth repeating.
      return { kind: 'refused', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Tells Meta to end or decline a call: done, refused for good, or thrown to retry. */
  private async tellMeta(
    call: CallEntity,
    effect: CallEffectEntity,
    action: 'terminate' | 'reject',
  ): Promise<CallEffectOutcome> {
    const metaCallId =
      typeof effect.detail.metaCallId === 'string' ? effect.detail.metaCallId : call.metaCallId;
    if (!metaCallId) return { kind: 'refused', reason: 'Meta never gave the call an id' };
    const sender = call.senderSid ? await this.senders.findBySid(call.senderSid) : null;
    if (!sender) return { kind: 'refused', reason: 'the WhatsApp sender no longer exists' };
    try {
      await this.meta.forCall(call, (graph) =>
        action === 'terminate'
          ? graph.terminateCall(this.meta.credentials(sender), { callId: metaCallId })
          : graph.rejectCall(this.meta.credentials(sender), { callId: metaCallId }),
      );
      return { kind: 'done' };
    } catch (error) {
      if (metaRefusedForGood(error)) return { kind: 'refused', reason: error.message };
      throw error;
    }
  }

  /** `calls.v1.call.hangup` (`<Hangup>`, end of the document). Idempotent. */
  async hangup(callSid: string, reason = 'interpreter:hangup'): Promise<CallStatus> {
    const call = await this.calls.findBySid(callSid);
    if (!call) throw new ParleyError(20404, `Call ${callSid} was not found`);
    if (isTerminalCallStatus(call.status)) return call.status;
    const plan = hangupPlan(call);
    const result = await this.end(call, plan.to, { reason, meta: plan.meta });
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
    await this.end(call, plan.to, { reason: `api:status:${requested}`, meta: plan.meta });
  }

  /**
   * `media.v1.leg.failed`: the call's media is gone (ICE/DTLS never completed, media
   * stopped, the media instance died). The call ends `failed` with 53405 and Meta is told
   * as for a hang-up, so the WhatsApp user is not left on a dead line.
   */
  async onLegFailed(event: LegFailedV1): Promise<void> {
    const call = await this.calls.findBySid(event.callSid);
    if (!call || isTerminalCallStatus(call.status)) return;
    const plan = hangupPlan(call);
    await this.end(call, 'failed', {
      reason: 'media:leg-failed',
      meta: plan.meta,
      errorCode: 53405,
      errorMessage: `Media connection failed: ${event.reason}`.slice(0, 500),
      detail: { legFailedAt: event.failedAt, legReason: event.reason },
    });
  }

  /** Meta's `terminate` webhook, in either direction. */
  async onMetaTerminate(sender: SenderEntity, event: MetaCallWebhook): Promise<void> {
    const call = await this.calls.findForMeta(sender.sid, event.id, event.biz_opaque_callback_data);
    if (!call) throw new CallNotKnownYet(event.id);
    const plan = metaTerminatePlan(call, event);
    if (plan.kind === 'end') await this.end(call, plan.to, plan.request);
  }
}
