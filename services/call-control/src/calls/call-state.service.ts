import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type AccountSid,
  type CallSid,
  type CallStatus,
  type CallStatusChangedV1,
  isTerminalCallStatus,
  ParleyError,
} from '@parley/contracts';
import { PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { type DataSource, type EntityManager } from 'typeorm';
import { CallEventEntity } from '../call-events/call-event.entity';
import { eventRow } from '../call-events/call-timeline.service';
import { StatusOutbox } from '../call-events/status-outbox.service';
import { Clock } from '../common/clock';
import { SenderEntity } from '../senders/sender.entity';
import { CallEntity } from './call.entity';
import { CallDomainEvents } from './call-domain-events';
import { type CallEffectSpec } from './call-effect-policy';
import { enqueueCallEffects } from './call-effects.service';
import { callDuration, decideTransition } from './call-state-machine';

/** Fields of a call that may change along with its status. */
export type CallPatch = Partial<
  Pick<
    CallEntity,
    | 'metaCallId'
    | 'startTime'
    | 'endTime'
    | 'duration'
    | 'errorCode'
    | 'errorMessage'
    | 'ringDeadline'
    | 'timeLimitDeadline'
    | 'answerSdp'
    | 'url'
    | 'method'
    | 'twiml'
  >
>;

export interface TransitionRequest {
  /** Why, for the timeline: `meta:status:RINGING`, `api:update`, `timer:ring-timeout`... */
  reason: string;
  patch?: CallPatch;
  /** Apply `patch` even when the status does not change (the call still running). */
  patchIfUnchanged?: boolean;
  detail?: Record<string, unknown>;
  /** Side effects the change owes (committed with it, run by CallEffects): only if it moves. */
  effects?: readonly CallEffectSpec[];
}

export type TransitionResult =
  | { changed: true; call: CallEntity; previous: CallStatus }
  | { changed: false; call: CallEntity; why: 'same' | 'stale'; reason?: string };

export type NewCall = Omit<
  CallEntity,
  | 'account'
  | 'dateCreated'
  | 'dateUpdated'
  | 'sequence'
  | 'holdsSlot'
  | 'startTime'
  | 'endTime'
  | 'duration'
  | 'errorCode'
  | 'errorMessage'
  | 'metaCallId'
  | 'answerSdp'
  | 'timeLimitDeadline'
> &
  Partial<Pick<CallEntity, 'metaCallId'>>;

/** Sender slot refused: the sender is at its concurrent-call limit. */
export class SenderBusyError extends ParleyError {
  constructor(senderId: string, limit: number) {
    super(
      37004,
      `The WhatsApp sender ${senderId} already has ${limit} calls in progress (its concurrent-call limit)`,
      {
        status: 429,
      },
    );
  }
}

/**
 * The only writer of call status. Each transition is checked against the state machine,
 * applied under a row lock, recorded as a numbered status event (the outbox row of
 * `calls.v1.call.status-changed`) in the same transaction, and gives back the sender's
 * concurrent-call slot when the call ends.
 */
@Injectable()
export class CallStateService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: StatusOutbox,
    private readonly clock: Clock,
    private readonly events: CallDomainEvents,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  /**
   * Creates a call in its first status. With `slot`, first takes one of the sender's
   * concurrent-call slots, atomically: a conditional UPDATE that fails at the limit.
   */
  async create(
    input: NewCall,
    opts: {
      slot?: { senderSid: string; senderId: string; limit: number };
      reason: string;
      /** Side effects the new call owes (committed with it, run by CallEffects). */
      effects?: readonly CallEffectSpec[];
    },
  ): Promise<CallEntity> {
    const call = await this.ds.transaction(async (manager) => {
      if (opts.slot) await this.takeSlot(manager, opts.slot);
      const entity = manager.create(CallEntity, {
        ...input,
        sequence: 0,
        holdsSlot: !!opts.slot,
        metaCallId: input.metaCallId ?? null,
      });
      await manager.insert(CallEntity, entity);
      const saved = await manager.findOneByOrFail(CallEntity, { sid: input.sid });
      await this.insertStatusEvent(manager, saved, null, opts.reason, {});
      if (opts.effects) await enqueueCallEffects(manager, saved.sid, opts.effects);
      return saved;
    });
    void this.outbox.kick(call.sid);
    return call;
  }

  async transition(
    callSid: string,
    to: CallStatus,
    req: TransitionRequest,
  ): Promise<TransitionResult> {
    const result = await this.ds.transaction(async (manager): Promise<TransitionResult> => {
      const call = await manager.findOne(CallEntity, {
        where: { sid: callSid },
        lock: { mode: 'pessimistic_write' },
      });
      if (!call) throw new ParleyError(20404, `Call ${callSid} was not found`);
      const decision = decideTransition(call.status, to);
      if (decision.kind !== 'move') {
        if (
          req.patchIfUnchanged &&
          req.patch &&
          Object.keys(req.patch).length &&
          !isTerminalCallStatus(call.status)
        ) {
          Object.assign(call, req.patch);
          await manager.save(call);
        }
        if (decision.kind === 'stale') {
          await manager.insert(
            CallEventEntity,
            eventRow({
              callSid: call.sid,
              accountSid: call.accountSid,
              type: 'status',
              name: `ignored:${to}`,
              detail: {
                from: call.status,
                to,
                reason: req.reason,
                why: decision.reason,
                ...req.detail,
              },
              sequence: null,
              payload: null,
            }),
          );
        }
        return decision.kind === 'stale'
          ? { changed: false, call, why: 'stale', reason: decision.reason }
          : { changed: false, call, why: 'same' };
      }
      const previous = call.status;
      const now = this.clock.now();
      Object.assign(call, req.patch ?? {});
      call.status = to;
      call.sequence += 1;
      if (to === 'in-progress') {
        call.startTime = call.startTime ?? now;
        call.ringDeadline = null;
      }
      if (isTerminalCallStatus(to)) {
        call.endTime = call.endTime ?? now;
        call.duration = call.duration ?? callDuration(call.startTime, call.endTime);
        call.ringDeadline = null;
        call.timeLimitDeadline = null;
        call.answerSdp = null;
        if (call.holdsSlot) {
          call.holdsSlot = false;
          if (call.senderSid) await this.releaseSlot(manager, call.senderSid);
        }
      }
      await manager.save(call);
      await this.insertStatusEvent(manager, call, previous, req.reason, req.detail ?? {});
      if (req.effects) await enqueueCallEffects(manager, call.sid, req.effects);
      return { changed: true, call, previous };
    });
    if (result.changed) {
      this.logger.info(
        { callSid, from: result.previous, to, reason: req.reason },
        `call ${result.previous} -> ${to}`,
      );
      void this.outbox.kick(callSid);
      // After the commit: subscribers never see a transition that could still roll back.
      const change = { call: result.call, previous: result.previous };
      if (to === 'in-progress') await this.events.emit('call.answered', change);
      if (isTerminalCallStatus(to)) await this.events.emit('call.ended', change);
    } else if (result.why === 'stale') {
      this.logger.debug(
        { callSid, to, reason: req.reason, why: result.reason },
        'stale transition ignored',
      );
    }
    return result;
  }

  /** Changes fields other than the status (e.g. Meta's call id once known). */
  async patch(callSid: string, patch: CallPatch): Promise<void> {
    await this.ds.getRepository(CallEntity).update({ sid: callSid }, patch);
  }

  /**
   * Stores media's answer and reads the call's status in the same statement (one round
   * trip on the set-up path); null when the call is gone.
   */
  async saveAnswer(callSid: string, answerSdp: string): Promise<CallStatus | null> {
    const result = await this.ds
      .createQueryBuilder()
      .update(CallEntity)
      .set({ answerSdp })
      .where('sid = :callSid', { callSid })
      .returning(['status'])
      .execute();
    const row = (result.raw as { status: CallStatus }[])[0];
    return row?.status ?? null;
  }

  private async takeSlot(
    manager: EntityManager,
    slot: { senderSid: string; senderId: string; limit: number },
  ): Promise<void> {
    const result = await manager
      .createQueryBuilder()
      .update(SenderEntity)
      .set({ activeCalls: () => 'active_calls + 1' })
      .where('sid = :sid AND active_calls < :limit', { sid: slot.senderSid, limit: slot.limit })
      .execute();
    if (!result.affected) throw new SenderBusyError(slot.senderId, slot.limit);
  }

  private async releaseSlot(manager: EntityManager, senderSid: string): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(SenderEntity)
      .set({ activeCalls: () => 'active_calls - 1' })
      .where('sid = :sid AND active_calls > 0', { sid: senderSid })
      .execute();
  }

  private async insertStatusEvent(
    manager: EntityManager,
    call: CallEntity,
    previous: CallStatus | null,
    reason: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const payload = statusChangedPayload(call, previous, this.clock.now());
    if (call.direction === 'inbound' && call.senderSid) {
      // What consent needs to grant callback permission (a user-initiated call).
      const sender = await manager.findOne(SenderEntity, {
        where: { sid: call.senderSid },
        select: { sid: true, callbackPermissionStatus: true },
      });
      payload.callbackPermission = sender?.callbackPermissionStatus === 'ENABLED';
    }
    await manager.insert(
      CallEventEntity,
      eventRow({
        callSid: call.sid,
        accountSid: call.accountSid,
        type: 'status',
        name: call.status,
        sequence: call.sequence,
        detail: { from: previous, to: call.status, reason, ...detail },
        payload,
        publishedAt: null,
      }),
    );
  }
}

/** The `calls.v1.call.status-changed` event for a call's current status. */
export function statusChangedPayload(
  call: CallEntity,
  previous: CallStatus | null,
  occurredAt: Date,
): CallStatusChangedV1 {
  return {
    callSid: call.sid as CallSid,
    accountSid: call.accountSid as AccountSid,
    parentCallSid: (call.parentCallSid as CallSid | null) ?? null,
    direction: call.direction,
    from: call.from,
    to: call.to,
    status: call.status,
    previousStatus: previous,
    sequence: call.sequence,
    occurredAt: occurredAt.toISOString(),
    startTime: call.startTime?.toISOString() ?? null,
    endTime: call.endTime?.toISOString() ?? null,
    durationSec: call.duration,
    errorCode: call.errorCode,
    metaCallId: call.metaCallId,
    statusCallback: call.statusCallback
      ? {
          url: call.statusCallback,
          method: call.statusCallbackMethod,
          events: call.statusCallbackEvents.length ? call.statusCallbackEvents : ['completed'],
        }
      : null,
  };
}
