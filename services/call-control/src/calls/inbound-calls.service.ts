import { Inject, Injectable } from '@nestjs/common';
import { type CallStatus, isTerminalCallStatus, newSid, ParleyError } from '@parley/contracts';
import { type MetaCallWebhook, type Contact, MetaGraphError } from '@parley/meta-graph';
import {
  callSetupStepHistogram,
  MetricsService,
  PARLEY_ENV,
  PARLEY_LOGGER,
  type ParleyLogger,
  SetupSteps,
} from '@parley/nest-kit';
import { type Histogram } from 'prom-client';
import { type ApplicationEntity } from '../applications/application.entity';
import { ApplicationsService } from '../applications/applications.service';
import { CallTimeline } from '../call-events/call-timeline.service';
import { Clock } from '../common/clock';
import { whatsAppFromDigits } from '../common/whatsapp-address';
import { type CallControlEnv } from '../config/env.schema';
import { MetaService } from '../meta/meta.service';
import { InterpreterClient } from '../clients/interpreter.client';
import { MediaClient } from '../clients/media.client';
import { type SenderEntity } from '../senders/sender.entity';
import { SendersService } from '../senders/senders.service';
import { type CallEntity } from './call.entity';
import { CallEndings } from './call-endings.service';
import { sessionStart, voiceParameters } from './call-session';
import { CallStateService, type NewCall, SenderBusyError } from './call-state.service';
import { CallsRepository } from './calls.repository';
import { type CallEffectEntity } from './call-effect.entity';
import { type CallEffectOutcome, metaRefusedForGood } from './call-effect-policy';
import { CallEffects } from './call-effects.service';
import {
  admitInboundCall,
  callerProfileName,
  type InboundAdmission,
  inboundConnectPlan,
} from './meta-event-plans';

/** What `connect` already read, handed to the set-up it runs at once (no second lookup). */
interface ConnectContext {
  sender: SenderEntity;
  app: ApplicationEntity | null;
  steps: SetupSteps;
}

/**
 * User-initiated calls: Meta's `connect` creates the call (inbound, ringing), media builds
 * the answer, Meta gets `pre_accept`, the interpreter gets the call. The interpreter then
 * accepts (in-progress), rejects or hangs up through call-control's commands.
 */
@Injectable()
export class InboundCalls {
  /** Set-ups started by a `connect` in this process, while it runs them (by CallSid). */
  private readonly connecting = new Map<string, ConnectContext>();
  private readonly setupSteps: Histogram<'step'>;

  constructor(
    private readonly state: CallStateService,
    private readonly endings: CallEndings,
    private readonly calls: CallsRepository,
    private readonly senders: SendersService,
    private readonly apps: ApplicationsService,
    private readonly media: MediaClient,
    private readonly meta: MetaService,
    private readonly interpreter: InterpreterClient,
    private readonly clock: Clock,
    private readonly effects: CallEffects,
    private readonly timeline: CallTimeline,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    metrics: MetricsService,
  ) {
    this.setupSteps = callSetupStepHistogram(metrics.registry);
    effects.register('inbound.setup', (call, effect) => this.setUp(call, effect));
  }

  /**
   * Meta's `connect` of a user-initiated call. `receivedAt` (monotonic ms): when the
   * webhook arrived, where the set-up's steps are measured from.
   */
  async onMetaConnect(
    sender: SenderEntity,
    event: MetaCallWebhook,
    contacts: Contact[],
    receivedAt?: number,
  ): Promise<void> {
    const steps = new SetupSteps(undefined, receivedAt);
    if (receivedAt !== undefined) steps.mark('webhook_inbox');
    const known = await this.calls.findForMeta(sender.sid, event.id, undefined);
    if (known) {
      // The same connect again (Meta's retry, or the inbox re-processing an interrupted
      // attempt): the set-up resumes after its last completed step.
      await this.effects.runForCall(known.sid);
      return;
    }
    const profileName = callerProfileName(event.from, contacts);
    const app = sender.voiceApplicationSid
      ? await this.apps.find(sender.accountSid, sender.voiceApplicationSid)
      : null;
    const now = this.clock.now();
    const base: NewCall = {
      sid: newSid('CA'),
      accountSid: sender.accountSid,
      senderSid: sender.sid,
      parentCallSid: null,
      applicationSid: app?.sid ?? null,
      direction: 'inbound',
      from: whatsAppFromDigits(event.from),
      to: sender.senderId,
      status: 'ringing',
      callerName: profileName?.slice(0, 139) ?? null,
      metaCallId: event.id,
      url: null,
      method: 'POST',
      fallbackUrl: null,
      fallbackMethod: 'POST',
      twiml: null,
      statusCallback: app?.statusCallback ?? null,
      statusCallbackMethod: app?.statusCallbackMethod ?? 'POST',
      statusCallbackEvents: [],
      recording: null,
      timeoutSec: this.env.CALL_INBOUND_RING_TIMEOUT_SEC,
      timeLimitSec: this.env.CALL_DEFAULT_TIME_LIMIT_SEC,
      ringDeadline: new Date(now.getTime() + this.env.CALL_INBOUND_RING_TIMEOUT_SEC * 1000),
    };

    let admission = admitInboundCall(sender, app);
    let plan = inboundConnectPlan(admission, event);
    let call: CallEntity;
    try {
      call = await this.state.create(base, {
        reason: 'meta:connect',
        ...(admission.ok
          ? {
              slot: {
                senderSid: sender.sid,
                senderId: sender.senderId,
                limit: this.env.SENDER_MAX_CONCURRENT_CALLS,
              },
            }
          : {}),
        // The set-up is committed with the call: a crash at any step resumes it.
        ...(plan.kind === 'answer'
          ? { effects: [{ kind: 'inbound.setup' as const, detail: { offer: plan.offer } }] }
          : {}),
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return; // the same connect, handled concurrently
      if (!(error instanceof SenderBusyError)) throw error;
      admission = { ok: false, refusal: error };
      plan = inboundConnectPlan(admission, event);
      call = await this.state.create(base, { reason: 'meta:connect' });
    }
    steps.mark('call_row');
    if (plan.kind === 'end') {
      if (plan.refusal) {
        this.logger.warn(
          { callSid: call.sid, code: plan.refusal.code, senderSid: sender.sid },
          `inbound call rejected: ${plan.refusal.message}`,
        );
      }
      await this.endings.end(call, plan.to, plan.request);
      return;
    }
    this.connecting.set(call.sid, { sender, app, steps });
    try {
      await this.effects.runForCall(call.sid, call);
    } finally {
      this.connecting.delete(call.sid);
    }
  }

  /**
   * The `inbound.setup` effect: media's answer, Meta `pre_accept`, the interpreter
   * hand-off, each skipped when an earlier attempt completed it. A step refused for good
   * ends the call `failed`; Meta unreachable for `pre_accept` is retried (the user keeps
   * ringing, up to the ring timeout).
   */
  private async setUp(call: CallEntity, effect: CallEffectEntity): Promise<CallEffectOutcome> {
    if (isTerminalCallStatus(call.status)) return { kind: 'done' };
    const offer = typeof effect.detail.offer === 'string' ? effect.detail.offer : null;
    // Run by the connect that created the call: its sender and application are fresh.
    const context = this.connecting.get(call.sid);
    const steps = context?.steps ?? new SetupSteps();
    if (context) steps.mark('effect_claim');
    const sender =
      context?.sender ?? (call.senderSid ? await this.senders.findBySid(call.senderSid) : null);
    const app = context
      ? context.app
      : sender?.voiceApplicationSid
        ? await this.apps.find(sender.accountSid, sender.voiceApplicationSid)
        : null;
    const admission: InboundAdmission = sender
      ? admitInboundCall(sender, app)
      : { ok: false, refusal: new ParleyError(37008, 'The WhatsApp sender no longer exists') };
    if (!admission.ok || !offer || !sender) {
      const refusal = admission.ok
        ? new ParleyError(53403, "Meta's connect webhook carried no SDP offer")
        : admission.refusal;
      await this.endings.end(call, 'failed', {
        reason: 'refused',
        meta: 'reject',
        errorCode: refusal.code,
        errorMessage: refusal.message,
      });
      return { kind: 'done' };
    }

    let answer = call.answerSdp;
    if (!answer) {
      // An attempt cut short may have left a leg at media without its answer stored here.
      if (effect.attempts > 1) await this.media.close(call).catch(() => undefined);
      const answered = await this.endings.orFail(
        call,
        { reason: 'media:answer-failed', meta: 'reject', fallbackCode: 53401 },
        () => this.media.answer(call, offer),
      );
      steps.mark('media_answer');
      if (!answered) return { kind: 'done' };
      answer = answered.value;
      // The answer is stored and the call's status read back in one statement.
      const status = await this.state.saveAnswer(call.sid, answer);
      steps.mark('answer_saved');
      if (status === null || isTerminalCallStatus(status)) {
        await this.endings.releaseMedia(call);
        return { kind: 'done' };
      }
    }

    if (effect.detail.preAccepted !== true) {
      const sdpAnswer = answer;
      const metaCallId = call.metaCallId ?? '';
      try {
        await this.meta.forCall(call, (graph) =>
          graph.preAcceptCall(this.meta.credentials(sender), { callId: metaCallId, sdpAnswer }),
        );
      } catch (error) {
        if (!metaRefusedForGood(error)) throw error;
        await this.endings.failSetup(
          call,
          { reason: 'meta:pre_accept-failed', meta: 'reject', fallbackCode: 20500 },
          error,
        );
        return { kind: 'done' };
      }
      steps.mark('pre_accept');
      this.recordSetup(call, steps, context !== undefined);
      await this.effects.saveProgress(effect, { preAccepted: true });
      if (await this.endedMeanwhile(call)) return { kind: 'done' };
    }

    await this.endings.orFail(
      call,
      { reason: 'interpreter:start-failed', meta: 'reject', fallbackCode: 20503 },
      () =>
        this.interpreter.startSession(
          sessionStart(
            call,
            admission.document,
            voiceParameters(call, { profileName: call.callerName }),
          ),
        ),
    );
    return { kind: 'done' };
  }

  /**
   * The set-up's steps up to `pre_accept` sent: in `parley_call_setup_step_seconds` and,
   * without holding the set-up up, on the call's timeline. `total` (webhook received to
   * pre_accept sent) only when this process ran the set-up from the webhook on.
   */
  private recordSetup(call: CallEntity, steps: SetupSteps, fromConnect: boolean): void {
    steps.observe(this.setupSteps);
    const detail: Record<string, unknown> = { stepsMs: steps.summary() };
    if (fromConnect) {
      const total = steps.elapsed();
      this.setupSteps.observe({ step: 'total' }, total / 1000);
      detail.totalMs = Math.round(total * 10) / 10;
    }
    void this.timeline.record({
      callSid: call.sid,
      accountSid: call.accountSid,
      type: 'setup',
      name: 'pre_accept',
      detail,
    });
  }

  /** `calls.v1.call.accept`: Meta `accept` with the pre-accepted answer; in-progress. */
  async accept(callSid: string): Promise<CallStatus> {
    const steps = new SetupSteps();
    const call = await this.mustFind(callSid);
    if (call.status === 'in-progress') return call.status;
    if (call.direction !== 'inbound' || call.status !== 'ringing') {
      throw new ParleyError(
        21220,
        `Call ${callSid} cannot be accepted: it is ${call.direction} and ${call.status}`,
      );
    }
    if (!call.answerSdp || !call.metaCallId || !call.senderSid) {
      throw new ParleyError(21220, `Call ${callSid} has no media answer yet`);
    }
    const sender = await this.senders.findBySid(call.senderSid);
    if (!sender) throw new ParleyError(37008, 'The WhatsApp sender of the call no longer exists');
    const sdpAnswer = call.answerSdp;
    const metaCallId = call.metaCallId;
    try {
      await this.meta.forCall(call, (graph) =>
        graph.acceptCall(this.meta.credentials(sender), {
          callId: metaCallId,
          sdpAnswer,
          bizOpaqueCallbackData: call.sid,
        }),
      );
    } catch (error) {
      if (error instanceof MetaGraphError)
        throw new ParleyError(error.twilioCode, error.message, { cause: error });
      throw error;
    }
    steps.mark('accept');
    const result = await this.state.transition(call.sid, 'in-progress', {
      reason: 'interpreter:accept',
      patch: { timeLimitDeadline: new Date(this.clock.now().getTime() + call.timeLimitSec * 1000) },
    });
    steps.mark('accept_saved');
    steps.observe(this.setupSteps);
    return result.call.status;
  }

  /** `calls.v1.call.reject` (`<Reject>`): busy for reason busy, else no-answer (as Twilio). */
  async reject(callSid: string, reason: 'rejected' | 'busy'): Promise<CallStatus> {
    const call = await this.mustFind(callSid);
    if (isTerminalCallStatus(call.status)) return call.status;
    if (call.direction !== 'inbound' || call.status !== 'ringing') {
      throw new ParleyError(
        21220,
        `Call ${callSid} cannot be rejected: it is ${call.direction} and ${call.status}`,
      );
    }
    const result = await this.endings.end(call, reason === 'busy' ? 'busy' : 'no-answer', {
      reason: `interpreter:reject:${reason}`,
      meta: 'reject',
    });
    return result.call.status;
  }

  private async mustFind(callSid: string): Promise<CallEntity> {
    const call = await this.calls.findBySid(callSid);
    if (!call) throw new ParleyError(20404, `Call ${callSid} was not found`);
    return call;
  }

  /** The user hung up while we prepared: make sure nothing is left open. */
  private async endedMeanwhile(call: CallEntity): Promise<boolean> {
    const current = await this.calls.findBySid(call.sid);
    if (current && !isTerminalCallStatus(current.status)) return false;
    await this.endings.releaseMedia(call);
    return true;
  }
}
