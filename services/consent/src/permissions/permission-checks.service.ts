import { Inject, Injectable } from '@nestjs/common';
import { type CallSid, type CommandReply, type CommandRequest } from '@parley/contracts';
import { PARLEY_ENV, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { Clock } from '../common/clock';
import { ConsentMetrics } from '../common/consent-metrics';
import { type ConsentEnv } from '../config/env.schema';
import { RULE_SETTINGS } from '../config/rule-settings';
import { type CallAttemptEntity, type PermissionRequestEntity } from '../ledger/entities';
import { LedgerRepository, type PairTransaction } from '../ledger/ledger.repository';
import {
  decideCall,
  decideRequest,
  type Decision,
  effectivePermission,
  type RuleSettings,
  withMetaOpinion,
} from '../rules/consent-rules';

type CheckReply = CommandReply<'consent.v1.permission.check'>;

function reply(decision: Decision): CheckReply {
  return {
    allowed: decision.allowed,
    errorCode: decision.errorCode,
    reason: decision.reason,
  };
}

function storedReply(row: CallAttemptEntity | PermissionRequestEntity): CheckReply {
  const refused = row.state === 'refused';
  return {
    allowed: !refused,
    errorCode: refused ? row.errorCode : null,
    reason: refused ? row.reason : null,
  };
}

/**
 * The commands of the consent service: a call check (which reserves the call's slot), its
 * release, the permission-request reservation and its settlement, and the state read. Each
 * decides inside the pair's transaction (`LedgerRepository.withPair`) with the pure rules.
 */
@Injectable()
export class PermissionChecks {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly clock: Clock,
    private readonly metrics: ConsentMetrics,
    @Inject(RULE_SETTINGS) private readonly rules: RuleSettings,
    @Inject(PARLEY_ENV) private readonly env: ConsentEnv,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  /** `consent.v1.permission.check`: may the business call the user now (and hold a slot)? */
  async checkCall(req: CommandRequest<'consent.v1.permission.check'>): Promise<CheckReply> {
    const key = { accountSid: req.accountSid, business: req.business, user: req.user };
    const now = this.clock.now();
    const result = await this.ledger.withPair(key, now, async (tx) => {
      if (req.callSid) {
        const earlier = await tx.attempt(req.callSid);
        // Asked again for the same call: the first answer stands (no second slot).
        if (earlier) return { reply: storedReply(earlier), repeated: true, disagreement: null };
      }
      const ours = decideCall(this.rules, now, key, tx.state, await tx.callsUsed(now));
      const { decision, disagreement } = withMetaOpinion(ours, req.meta);
      if (req.callSid) await this.recordCallDecision(tx, req.callSid, decision, now, req.meta);
      return { reply: reply(decision), repeated: false, disagreement, rule: decision.rule };
    });
    if (result.repeated) return result.reply;
    this.metrics.decisions.inc({
      kind: 'call',
      outcome: result.reply.allowed ? 'allowed' : 'refused',
      rule: result.reply.allowed ? 'none' : (result.reply.reason?.split(':')[0] ?? 'unknown'),
    });
    if (result.disagreement) {
      this.metrics.metaDisagreements.inc({ disagreement: result.disagreement });
      this.logger.warn(
        {
          callSid: req.callSid,
          user: req.user,
          disagreement: result.disagreement,
          meta: req.meta,
          decision: result.reply,
        },
        'Meta disagrees with the consent ledger; the stricter answer wins',
      );
    }
    return result.reply;
  }

  private async recordCallDecision(
    tx: PairTransaction,
    callSid: CallSid,
    decision: Decision,
    now: Date,
    meta: CommandRequest<'consent.v1.permission.check'>['meta'],
  ): Promise<void> {
    await tx.insertAttempt({
      callSid,
      state: decision.allowed ? 'reserved' : 'refused',
      reservedAt: now,
      holdUntil: decision.allowed
        ? new Date(now.getTime() + this.env.CONSENT_CALL_RESERVATION_HOLD_MS)
        : null,
      connectedAt: null,
      endedAt: null,
      rule: decision.rule,
      errorCode: decision.errorCode,
      reason: decision.reason,
    });
    await tx.record({
      kind: decision.allowed ? 'call.reserved' : 'call.refused',
      at: now,
      callSid,
      rule: decision.rule,
      dedupKey: `call:${callSid}:checked`,
      detail: meta ? { meta } : {},
    });
  }

  /** `consent.v1.permission.release`: the call never reached Meta; its slot is free again. */
  async release(
    req: CommandRequest<'consent.v1.permission.release'>,
  ): Promise<CommandReply<'consent.v1.permission.release'>> {
    const found = await this.ledger.findAttempt(req.callSid);
    if (!found || found.accountSid !== req.accountSid) return { released: false };
    const now = this.clock.now();
    const released = await this.ledger.withPair(found, now, async (tx) => {
      const attempt = await tx.attempt(req.callSid);
      if (!attempt || !['reserved', 'placed'].includes(attempt.state)) return false;
      await tx.advanceAttempt(attempt, 'released', { endedAt: now });
      await tx.record({
        kind: 'call.released',
        at: now,
        callSid: req.callSid,
        dedupKey: `call:${req.callSid}:outcome`,
        detail: { why: 'release command' },
      });
      return true;
    });
    return { released };
  }

  /** `consent.v1.permission-request.reserve`: may a permission request be sent now? */
  async reserveRequest(
    req: CommandRequest<'consent.v1.permission-request.reserve'>,
  ): Promise<CheckReply> {
    const key = { accountSid: req.accountSid, business: req.business, user: req.user };
    const now = this.clock.now();
    const result = await this.ledger.withPair(key, now, async (tx) => {
      const earlier = await tx.request(req.requestRef);
      if (earlier) return { reply: storedReply(earlier), repeated: true };
      const decision = decideRequest(this.rules, key, await tx.requestsUsed(now));
      await tx.insertRequest({
        requestRef: req.requestRef,
        state: decision.allowed ? 'reserved' : 'refused',
        reservedAt: now,
        settledAt: null,
        rule: decision.rule,
        errorCode: decision.errorCode,
        reason: decision.reason,
      });
      await tx.record({
        kind: decision.allowed ? 'request.reserved' : 'request.refused',
        at: now,
        requestRef: req.requestRef,
        rule: decision.rule,
        dedupKey: `request:${req.accountSid}:${req.requestRef}:reserved`,
      });
      return { reply: reply(decision), repeated: false };
    });
    if (!result.repeated)
      this.metrics.decisions.inc({
        kind: 'request',
        outcome: result.reply.allowed ? 'allowed' : 'refused',
        rule: result.reply.allowed ? 'none' : (result.reply.reason?.split(':')[0] ?? 'unknown'),
      });
    return result.reply;
  }

  /** `consent.v1.permission-request.settle`: the request reached Meta, or never did. */
  async settleRequest(
    req: CommandRequest<'consent.v1.permission-request.settle'>,
  ): Promise<CommandReply<'consent.v1.permission-request.settle'>> {
    const found = await this.ledger.findRequest(req.accountSid, req.requestRef);
    if (!found) return { ok: true };
    const now = this.clock.now();
    await this.ledger.withPair(found, now, async (tx) => {
      const request = await tx.request(req.requestRef);
      if (!request || request.state !== 'reserved') return;
      await tx.settleRequest(request, req.outcome, now);
      await tx.record({
        kind: req.outcome === 'sent' ? 'request.sent' : 'request.failed',
        at: now,
        requestRef: req.requestRef,
        dedupKey: `request:${req.accountSid}:${req.requestRef}:settled`,
      });
    });
    return { ok: true };
  }

  /** `consent.v1.permission.state`: the pair's permission, allowances and next refusals. */
  async state(
    req: CommandRequest<'consent.v1.permission.state'>,
  ): Promise<CommandReply<'consent.v1.permission.state'>> {
    const key = { accountSid: req.accountSid, business: req.business, user: req.user };
    const now = this.clock.now();
    return this.ledger.readPair(key, async (tx) => {
      const callsUsed = await tx.callsUsed(now);
      const requestsUsed = await tx.requestsUsed(now);
      const allowance = (window: string, max: number, used: number) => ({
        window,
        max,
        used,
        remaining: Math.max(0, max - used),
      });
      const pair = tx.state;
      const permission = effectivePermission(pair, now);
      return {
        business: req.business,
        user: req.user,
        permission,
        permissionSource: pair.source,
        grantedAt: pair.grantedAt?.toISOString() ?? null,
        expiresAt: pair.expiresAt?.toISOString() ?? null,
        consecutiveMissedCalls: pair.consecutiveMissed,
        reprompt: pair.reprompt,
        calls: [allowance('PT24H', this.rules.connectedCallsPer24h, callsUsed)],
        requests: [
          allowance('PT24H', this.rules.permissionRequestsPer24h, requestsUsed.last24h),
          allowance('P7D', this.rules.permissionRequestsPer7d, requestsUsed.last7d),
        ],
        nextCall: reply(decideCall(this.rules, now, key, pair, callsUsed)),
        nextRequest: reply(decideRequest(this.rules, key, requestsUsed)),
      };
    });
  }
}
