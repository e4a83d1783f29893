import { Inject, Injectable } from '@nestjs/common';
import {
  type CommandRequest,
  type CallStatus,
  type MetaPermissionOpinionV1,
  isTerminalCallStatus,
  newSid,
  ParleyError,
} from '@parley/contracts';
import { type MetaCallWebhook, type CallStatusEvent, MetaGraphError } from '@parley/meta-graph';
import { BackgroundTasks, PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type ApplicationEntity } from '../applications/application.entity';
import { ApplicationsService } from '../applications/applications.service';
import { CallTimeline } from '../call-events/call-timeline.service';
import { Clock } from '../common/clock';
import { recordingCallbackEvents } from '../common/recording-callback-events';
import { parseWhatsAppAddress, type ParsedWhatsAppAddress } from '../common/whatsapp-address';
import { type CallControlEnv } from '../config/env.schema';
import { MetaService } from '../meta/meta.service';
import { ConsentClient } from '../clients/consent.client';
import { InterpreterClient } from '../clients/interpreter.client';
import { MediaClient } from '../clients/media.client';
import { type SenderEntity } from '../senders/sender.entity';
import { SendersService } from '../senders/senders.service';
import { type CallEntity, type CallRecordingOptions } from './call.entity';
import { CallNotKnownYet } from './call-errors';
import { CallEndings } from './call-endings.service';
import { applicationDocument, callDocument, sessionStart, voiceParameters } from './call-session';
import { CallStateService, type NewCall } from './call-state.service';
import { CallsRepository } from './calls.repository';
import { type CreateCallCommand } from './calls.schemas';
import { type CallEffectOutcome } from './call-effect-policy';
import { CallEffects } from './call-effects.service';
import { outboundConnectPlan, outboundStatusPlan } from './meta-event-plans';

/**
 * Business-initiated calls: the REST `Calls.json` and `<Dial><WhatsApp>` children. Checks
 * come first (sender, numbers, permission, the sender's concurrent-call slot), so a refused
 * call sends nothing to Meta; then media makes the offer and Meta's `connect` places it.
 */
@Injectable()
export class OutboundCalls {
  constructor(
    private readonly state: CallStateService,
    private readonly endings: CallEndings,
    private readonly calls: CallsRepository,
    private readonly senders: SendersService,
    private readonly apps: ApplicationsService,
    private readonly consent: ConsentClient,
    private readonly media: MediaClient,
    private readonly meta: MetaService,
    private readonly interpreter: InterpreterClient,
    private readonly timeline: CallTimeline,
    private readonly clock: Clock,
    @Inject(PARLEY_ENV) private readonly env: CallControlEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
    private readonly background: BackgroundTasks,
    private readonly effects: CallEffects,
  ) {
    effects.register('interpreter.start', (call) => this.startInterpreter(call));
  }

  /** `POST Calls.json`: checks what needs the database, creates the call (queued) and dials it. */
  async createFromApi(accountSid: string, command: CreateCallCommand): Promise<CallEntity> {
    const from = this.parseFrom(command.From);
    const to = this.parseTo(command.To);
    let app: ApplicationEntity | null = null;
    if (command.ApplicationSid !== undefined) {
      app = await this.apps.find(accountSid, command.ApplicationSid);
      if (!app)
        throw new ParleyError(20404, `The application ${command.ApplicationSid} was not found`, {
          status: 400,
        });
      applicationDocument(app); // an application without VoiceUrl cannot run
    }
    // Recording starts when the call is answered (RecordingsService.startForAnsweredCall).
    const recording: CallRecordingOptions | null = command.Record
      ? {
          record: true,
          channels: command.RecordingChannels ?? 'mono',
          statusCallback: command.RecordingStatusCallback ?? null,
          statusCallbackMethod: command.RecordingStatusCallbackMethod ?? 'POST',
          statusCallbackEvents: recordingCallbackEvents(command.RecordingStatusCallbackEvent),
        }
      : null;
    const timeoutSec = command.Timeout ?? this.env.CALL_DEFAULT_TIMEOUT_SEC;
    const timeLimitSec = command.TimeLimit ?? this.env.CALL_DEFAULT_TIME_LIMIT_SEC;

    const sender = await this.voiceSender(accountSid, from);
    if (to.address === sender.senderId)
      throw new ParleyError(21211, 'A WhatsApp sender cannot call itself');
    const sid = newSid('CA');
    await this.checkPermission(accountSid, sender, to, sid);

    const call = await this.createChecked(
      accountSid,
      sid,
      {
        ...this.newCallBase(sid, accountSid, sender, to, timeoutSec, timeLimitSec),
        direction: 'outbound-api',
        parentCallSid: null,
        applicationSid: app?.sid ?? null,
        url: command.Url ?? null,
        method: command.Method ?? 'POST',
        fallbackUrl: command.FallbackUrl ?? null,
        fallbackMethod: command.FallbackMethod ?? 'POST',
        twiml: command.Twiml ?? null,
        statusCallback: command.StatusCallback ?? null,
        statusCallbackMethod: command.StatusCallbackMethod ?? 'POST',
        statusCallbackEvents: [...new Set(command.StatusCallbackEvent)],
        recording,
      },
      { reason: 'api:create', slot: this.slot(sender) },
    );
    await this.timeline.record({
      callSid: call.sid,
      accountSid,
      type: 'consent',
      name: 'permission.check',
      detail: { allowed: true },
    });
    this.dialInBackground(call);
    return call;
  }

  /** `calls.v1.call.dial` (`<Dial><WhatsApp>`): a child call of a running call. */
  async createChild(req: CommandRequest<'calls.v1.call.dial'>): Promise<CallEntity> {
    const parent = await this.calls.findBySid(req.parentCallSid);
    if (!parent || parent.accountSid !== req.accountSid) {
      throw new ParleyError(20404, `The parent call ${req.parentCallSid} was not found`);
    }
    if (isTerminalCallStatus(parent.status))
      throw new ParleyError(21220, `The parent call already ended (${parent.status})`);
    const from = this.parseFrom(req.from, 13212);
    const to = this.parseTo(req.to);
    const sender = await this.voiceSender(req.accountSid, from);
    if (to.address === sender.senderId)
      throw new ParleyError(21211, 'A WhatsApp sender cannot call itself');
    const sid = newSid('CA');
    await this.checkPermission(req.accountSid, sender, to, sid);
    const call = await this.createChecked(
      req.accountSid,
      sid,
      {
        ...this.newCallBase(sid, req.accountSid, sender, to, req.timeoutSec, req.timeLimitSec),
        direction: 'outbound-dial',
        parentCallSid: parent.sid,
        applicationSid: null,
        url: null,
        method: 'POST',
        fallbackUrl: null,
        fallbackMethod: 'POST',
        twiml: null,
        statusCallback: req.statusCallback?.url ?? null,
        statusCallbackMethod: req.statusCallback?.method ?? 'POST',
        statusCallbackEvents: req.statusCallback?.events ?? [],
        recording: null,
      },
      { reason: 'interpreter:dial', slot: this.slot(sender) },
    );
    await this.timeline.record({
      callSid: call.sid,
      accountSid: call.accountSid,
      type: 'consent',
      name: 'permission.check',
      detail: { allowed: true },
    });
    await this.dial(call);
    return (await this.calls.findBySid(call.sid)) ?? call;
  }

  /** Media offer, then Meta `connect` with the CallSid as opaque data; never retried blindly. */
  async dial(call: CallEntity): Promise<void> {
    const offered = await this.endings.orFail(
      call,
      { reason: 'media:offer-failed', meta: 'none', fallbackCode: 53401 },
      () => this.media.offer(call),
    );
    if (!offered) return;
    const offer = offered.value;
    const current = await this.calls.findBySid(call.sid);
    if (!current || isTerminalCallStatus(current.status)) {
      // Canceled while media prepared the offer: nothing was sent to Meta.
      await this.endings.releaseMedia(call);
      return;
    }
    const sender = call.senderSid ? await this.senders.findBySid(call.senderSid) : null;
    if (!sender) {
      await this.endings.end(call, 'failed', {
        reason: 'sender-gone',
        meta: 'none',
        errorCode: 37008,
        errorMessage: 'The WhatsApp sender no longer exists',
      });
      return;
    }
    let metaCallId: string;
    try {
      const result = await this.meta.forCall(call, (graph) =>
        graph.connectCall(this.meta.credentials(sender), {
          to: call.to.replace(/^whatsapp:\+/, ''),
          sdpOffer: offer,
          bizOpaqueCallbackData: call.sid,
        }),
      );
      metaCallId = result.callId;
    } catch (error) {
      const e = error instanceof MetaGraphError ? error : undefined;
      await this.endings.end(call, 'failed', {
        reason: 'meta:connect-failed',
        meta: 'none',
        errorCode: e?.twilioCode ?? 20500,
        errorMessage: error instanceof Error ? error.message : String(error),
        detail: e ? { metaCode: e.metaCode ?? null, sent: e.sent } : {},
      });
      return;
    }
    const result = await this.state.transition(call.sid, 'initiated', {
      reason: 'meta:connect',
      patch: { metaCallId },
      patchIfUnchanged: true,
      detail: { metaCallId },
    });
    if (isTerminalCallStatus(result.call.status)) {
      // Ended (canceled, timed out) while Meta was placing it: end it at Meta too.
      await this.endings.terminateAtMeta(result.call, metaCallId);
    }
  }

  /** Meta `statuses[]` of a business-initiated call: RINGING, ACCEPTED, REJECTED. */
  async onMetaStatus(sender: SenderEntity, status: CallStatusEvent): Promise<void> {
    const call = await this.calls.findForMeta(
      sender.sid,
      status.id,
      status.biz_opaque_callback_data,
    );
    if (!call) throw new CallNotKnownYet(status.id);
    const plan = outboundStatusPlan(call, status.status, status.id);
    if (plan.kind === 'ignore') return;
    if (plan.kind === 'terminate-at-meta') {
      await this.endings.terminateAtMeta(call, status.id);
      return;
    }
    if (plan.placeFirst) await this.placed(call, status.id);
    switch (plan.kind) {
      case 'ringing':
        await this.state.transition(call.sid, 'ringing', {
          reason: 'meta:status:RINGING',
          patch: { metaCallId: status.id },
          patchIfUnchanged: true,
        });
        return;
      case 'answered':
        await this.answered(call, plan.reason, status.id);
        return;
      case 'end':
        await this.endings.end(call, plan.to, plan.request);
        return;
      case 'unknown-status':
        this.logger.info(
          { callSid: call.sid, metaStatus: status.status },
          'unknown Meta call status ignored',
        );
    }
  }

  /** Meta `connect` of a business-initiated call: the user's SDP answer. */
  async onMetaConnect(sender: SenderEntity, event: MetaCallWebhook): Promise<void> {
    const call = await this.calls.findForMeta(sender.sid, event.id, event.biz_opaque_callback_data);
    if (!call) throw new CallNotKnownYet(event.id);
    const plan = outboundConnectPlan(call, event);
    if (plan.kind === 'terminate-at-meta') {
      await this.endings.terminateAtMeta(call, event.id);
      return;
    }
    if (plan.placeFirst) await this.placed(call, event.id);
    if (plan.kind === 'end') {
      await this.endings.end(call, plan.to, plan.request);
      return;
    }
    const applied = await this.endings.orFail(
      call,
      {
        reason: 'media:apply-answer-failed',
        meta: 'terminate',
        fallbackCode: 53403,
        patch: { metaCallId: event.id },
      },
      () => this.media.applyAnswer(call, plan.sdp),
    );
    if (!applied) return;
    await this.answered(call, 'meta:connect', event.id);
  }

  /**
   * Meta spoke of the call before the answer to `connect` was handled (webhooks can overtake
   * it): the call was evidently placed, so it is `initiated` before anything else, and
   * status callbacks always see `initiated`.
   */
  private async placed(call: CallEntity, metaCallId: string): Promise<void> {
    await this.state.transition(call.sid, 'initiated', {
      reason: 'meta:webhook-before-connect-answer',
      patch: { metaCallId },
      patchIfUnchanged: true,
      detail: { metaCallId },
    });
  }

  /**
   * The user answered (Meta's connect answer or ACCEPTED, whichever comes first): the call
   * is in progress; a REST call's TwiML starts now (the `interpreter.start` effect,
   * committed with the status). A `<Dial>` child is bridged by the interpreter when it
   * sees the status change.
   */
  private async answered(call: CallEntity, reason: string, metaCallId: string): Promise<void> {
    const result = await this.state.transition(call.sid, 'in-progress', {
      reason,
      patch: {
        metaCallId,
        timeLimitDeadline: new Date(this.clock.now().getTime() + call.timeLimitSec * 1000),
      },
      ...(call.direction === 'outbound-api'
        ? { effects: [{ kind: 'interpreter.start' as const }] }
        : {}),
    });
    // `Record=true` started the recording on `call.answered` (RecordingsService), which the
    // transition awaited: before the TwiML starts, so it has the whole conversation.
    if (result.changed) await this.effects.runForCall(call.sid);
  }

  /** The `interpreter.start` effect: the answered REST call's TwiML, from its Url or app. */
  private async startInterpreter(answered: CallEntity): Promise<CallEffectOutcome> {
    if (isTerminalCallStatus(answered.status)) return { kind: 'done' };
    await this.endings.orFail(
      answered,
      { reason: 'interpreter:start-failed', meta: 'terminate', fallbackCode: 20503 },
      async () => {
        const app = answered.applicationSid
          ? await this.apps.find(answered.accountSid, answered.applicationSid)
          : null;
        const document = callDocument(answered) ?? (app ? applicationDocument(app) : null);
        if (!document)
          throw new ParleyError(21205, 'The call has no Url, Twiml or application to run');
        await this.interpreter.startSession(
          sessionStart(answered, document, voiceParameters(answered)),
        );
      },
    );
    return { kind: 'done' };
  }

  private dialInBackground(call: CallEntity): void {
    const task = this.dial(call).catch((error: unknown) => {
      this.logger.error({ err: error, callSid: call.sid }, 'dialing failed unexpectedly');
    });
    this.background.track(task, `dial ${call.sid}`);
  }

  private parseFrom(raw: string, code: 21212 | 13212 = 21212): ParsedWhatsAppAddress {
    const from = parseWhatsAppAddress(raw, 'possible');
    if (!from.ok) {
      throw new ParleyError(
        code,
        from.problem === 'not-whatsapp'
          ? `From must be a WhatsApp sender (whatsapp:+E.164), got "${raw.slice(0, 40)}"`
          : `From is not a valid WhatsApp address: "${raw.slice(0, 40)}"`,
      );
    }
    return from.value;
  }

  private parseTo(raw: string): ParsedWhatsAppAddress {
    const to = parseWhatsAppAddress(raw, this.env.WHATSAPP_NUMBER_CHECK);
    if (!to.ok) {
      throw new ParleyError(
        21211,
        to.problem === 'not-whatsapp'
          ? `WhatsApp calls cannot be connected to PSTN numbers: To must be whatsapp:+E.164, got "${raw.slice(0, 40)}"`
          : `To is not a valid WhatsApp number: "${raw.slice(0, 40)}"`,
      );
    }
    return to.value;
  }

  /** The account's sender for this address, with calling on. */
  private async voiceSender(
    accountSid: string,
    from: ParsedWhatsAppAddress,
  ): Promise<SenderEntity> {
    const sender = await this.senders.findByAddress(accountSid, from.address);
    if (!sender)
      throw new ParleyError(21210, `${from.address} is not a WhatsApp sender of this account`);
    if (!sender.voiceApplicationSid || sender.callingStatus !== 'ENABLED') {
      throw new ParleyError(
        37008,
        `The WhatsApp sender ${from.address} is not enabled for calling (set its voice application)`,
      );
    }
    if (sender.status !== 'ONLINE')
      throw new ParleyError(37008, `The WhatsApp sender ${from.address} is ${sender.status}`);
    return sender;
  }

  private slot(sender: SenderEntity) {
    return {
      senderSid: sender.sid,
      senderId: sender.senderId,
      limit: this.env.SENDER_MAX_CONCURRENT_CALLS,
    };
  }

  /**
   * Asks consent (with Meta's own answer when the second opinion is on): an allowed check
   * holds one of the user's call slots for `callSid`.
   */
  private async checkPermission(
    accountSid: string,
    sender: SenderEntity,
    to: ParsedWhatsAppAddress,
    callSid: string,
  ): Promise<void> {
    const meta = await this.metaOpinion(sender, to);
    await this.consent.assertAllowed({
      accountSid,
      senderSid: sender.sid,
      business: sender.senderId,
      user: to.address,
      callSid,
      ...(meta ? { meta } : {}),
    });
  }

  /** Creates a checked call; a call that cannot be created gives its consent slot back. */
  private async createChecked(
    accountSid: string,
    callSid: string,
    input: NewCall,
    opts: Parameters<CallStateService['create']>[1],
  ): Promise<CallEntity> {
    try {
      return await this.state.create(input, opts);
    } catch (error) {
      await this.consent.release(accountSid, callSid);
      throw error;
    }
  }

  /**
   * Meta's `call_permissions` for the user (the second opinion). Meta not answering is
   * logged and leaves the decision to the ledger.
   */
  private async metaOpinion(
    sender: SenderEntity,
    to: ParsedWhatsAppAddress,
  ): Promise<MetaPermissionOpinionV1 | undefined> {
    if (!this.env.CONSENT_META_SECOND_OPINION) return undefined;
    try {
      const res = await this.meta.graph.getCallPermissions(this.meta.credentials(sender), {
        userWaId: to.digits,
      });
      const startCall = res.actions.find((a) => a.action_name === 'start_call');
      const expiry = res.permission.expiration_time;
      return {
        status: res.permission.status,
        canStartCall: startCall?.can_perform_action ?? false,
        expiresAt: expiry !== undefined ? new Date(expiry * 1000).toISOString() : null,
      };
    } catch (error) {
      this.logger.warn(
        { err: error, senderSid: sender.sid },
        "Meta's call_permissions not available; the ledger decides alone",
      );
      return undefined;
    }
  }

  private newCallBase(
    sid: string,
    accountSid: string,
    sender: SenderEntity,
    to: ParsedWhatsAppAddress,
    timeoutSec: number,
    timeLimitSec: number,
  ): Pick<
    NewCall,
    | 'sid'
    | 'accountSid'
    | 'senderSid'
    | 'from'
    | 'to'
    | 'status'
    | 'callerName'
    | 'timeoutSec'
    | 'timeLimitSec'
    | 'ringDeadline'
  > & { status: CallStatus } {
    return {
      sid,
      accountSid,
      senderSid: sender.sid,
      from: sender.senderId,
      to: to.address,
      status: 'queued',
      callerName: null,
      timeoutSec,
      timeLimitSec,
      ringDeadline: new Date(this.clock.now().getTime() + timeoutSec * 1000),
    };
  }
}
