import { Inject, Injectable } from '@nestjs/common';
import { type CallPermissionRepliedV1, type CallStatusChangedV1 } from '@parley/contracts';
import { DurableEventHandler, PARLEY_LOGGER, type ParleyLogger } from '@parley/nest-kit';
import { ConsentMetrics } from '../common/consent-metrics';
import { RULE_SETTINGS } from '../config/rule-settings';
import {
  type LedgerRecord,
  LedgerRepository,
  type PairTransaction,
} from '../ledger/ledger.repository';
import {
  applyConnected,
  applyMissed,
  applyReply,
  applyUserCall,
  type RuleSettings,
} from '../rules/consent-rules';
import { callOutcome } from './call-outcome';

/**
 * Feeds the ledger from call-control's durable events (JetStream consumers
 * `consent.call-outcomes` and `consent.permission-replies`, shared by every replica). Each
 * event is applied in one transaction under the pair's lock, keyed by what it records
 * (`dedup_key`): a redelivered event finds its entry and changes nothing, and an event is
 * acked only once its transaction committed, so a restart loses nothing.
 */
@Injectable()
export class LedgerIntake {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly metrics: ConsentMetrics,
    @Inject(RULE_SETTINGS) private readonly rules: RuleSettings,
    @Inject(PARLEY_LOGGER) private readonly logger: ParleyLogger,
  ) {}

  @DurableEventHandler('consent.call-outcomes')
  async onCallStatus(event: CallStatusChangedV1): Promise<void> {
    if (event.direction === 'inbound') await this.userInitiated(event);
    else await this.businessInitiated(event);
  }

  @DurableEventHandler('consent.permission-replies')
  async onPermissionReply(event: CallPermissionRepliedV1): Promise<void> {
    const at = new Date(event.repliedAt);
    const key = { accountSid: event.accountSid, business: event.business, user: event.user };
    await this.ledger.withPair(key, at, async (tx) => {
      const accept = event.response === 'accept';
      const fresh = await this.record(tx, {
        kind: accept ? 'reply.accepted' : 'reply.rejected',
        at,
        dedupKey: `reply:${event.messageId}`,
        detail: {
          permanent: event.isPermanent,
          expiresAt: event.expiresAt,
          source: event.responseSource,
          messageId: event.messageId,
        },
      });
      if (!fresh) return;
      await tx.saveState(
        applyReply(this.rules, tx.state, {
          accept,
          permanent: event.isPermanent,
          expiresAt: event.expiresAt ? new Date(event.expiresAt) : null,
          source: event.responseSource,
          at,
        }),
        at,
      );
    });
  }

  /** The user called the business: recorded once; with callback permission on, a grant. */
  private async userInitiated(event: CallStatusChangedV1): Promise<void> {
    const at = new Date(event.occurredAt);
    const key = { accountSid: event.accountSid, business: event.to, user: event.from };
    await this.ledger.withPair(key, at, async (tx) => {
      const fresh = await this.record(tx, {
        kind: 'call.user-initiated',
        at,
        callSid: event.callSid,
        dedupKey: `call:${event.callSid}:user-initiated`,
        detail: { callbackPermission: event.callbackPermission ?? null },
      });
      if (!fresh) return;
      const result = applyUserCall(this.rules, tx.state, {
        callbackPermission: event.callbackPermission === true,
        at,
      });
      if (!result.granted) return;
      await tx.saveState(result.pair, at);
      await this.record(tx, {
        kind: 'permission.callback-granted',
        at,
        callSid: event.callSid,
        rule: 'callback-permission',
        dedupKey: `call:${event.callSid}:callback-granted`,
        detail: { expiresAt: result.pair.expiresAt?.toISOString() ?? null },
      });
    });
  }

  /** A business-initiated call moved: its slot is confirmed, counted, or given back. */
  private async businessInitiated(event: CallStatusChangedV1): Promise<void> {
    const outcome = callOutcome(event);
    const at = new Date(event.occurredAt);
    const key = { accountSid: event.accountSid, business: event.from, user: event.to };
    await this.ledger.withPair(key, at, async (tx) => {
      let attempt = await tx.attempt(event.callSid);
      if (!attempt) {
        // A call placed without a reserving check (an older call-control): follow it anyway.
        await tx.insertAttempt({
          callSid: event.callSid,
          state: 'placed',
          reservedAt: at,
          holdUntil: null,
          connectedAt: null,
          endedAt: null,
          rule: null,
          errorCode: null,
          reason: null,
        });
        attempt = await tx.attempt(event.callSid);
        if (!attempt) return;
      }
      if (attempt.accountSid !== event.accountSid) {
        this.logger.warn({ callSid: event.callSid }, 'status event of another account ignored');
        return;
      }
      if (outcome.kind === 'placed') {
        await tx.advanceAttempt(attempt, 'placed', { holdUntil: null });
        return;
      }
      const moved = await tx.advanceAttempt(
        attempt,
        outcome.kind,
        outcome.kind === 'connected'
          ? { connectedAt: outcome.at, holdUntil: null }
          : { endedAt: outcome.at, holdUntil: null },
      );
      if (!moved) return;
      const base = {
        at: outcome.at,
        callSid: event.callSid,
        dedupKey: `call:${event.callSid}:outcome`,
      };
      if (outcome.kind === 'released') {
        await this.record(tx, { ...base, kind: 'call.released', detail: { why: outcome.why } });
        return;
      }
      if (outcome.kind === 'connected') {
        if (!(await this.record(tx, { ...base, kind: 'call.connected' }))) return;
        await tx.saveState(applyConnected(tx.state), at);
        return;
      }
      if (
        !(await this.record(tx, { ...base, kind: 'call.missed', detail: { status: event.status } }))
      )
        return;
      const missed = applyMissed(this.rules, tx.state, outcome.at);
      await tx.saveState(missed.pair, at);
      if (missed.reprompted)
        await this.record(tx, {
          kind: 'permission.reprompt',
          at: outcome.at,
          callSid: event.callSid,
          rule: 'missed-calls-reprompt',
          dedupKey: `call:${event.callSid}:reprompt`,
        });
      if (missed.revoked) {
        await this.record(tx, {
          kind: 'permission.revoked',
          at: outcome.at,
          callSid: event.callSid,
          rule: 'missed-calls-revoke',
          dedupKey: `call:${event.callSid}:revoked`,
        });
        this.logger.info(
          { callSid: event.callSid, user: key.user },
          'permission revoked after consecutive missed calls',
        );
      }
    });
  }

  private async record(tx: PairTransaction, entry: LedgerRecord): Promise<boolean> {
    const fresh = await tx.record(entry);
    if (fresh) this.metrics.ledgerEvents.inc({ kind: entry.kind });
    return fresh;
  }
}
