import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ParleyError, TERMINAL_CALL_STATUSES } from '@parley/contracts';
import { In, Not, type Repository } from 'typeorm';
import { filterTexts } from '../common/list-query';
import { buildPage, newestFirst, newestFirstKey, type TwilioPage } from '../common/paging';
import { applyTimeFilter } from '../common/time-filter';
import { accountPath } from '../common/twilio-format';
import { CallEntity } from './call.entity';
import { internalCallStatuses, serializeCall } from './call.resource';
import { type ListCallsCommand } from './calls.schemas';

@Injectable()
export class CallsRepository {
  constructor(@InjectRepository(CallEntity) private readonly calls: Repository<CallEntity>) {}

  /** A call of this account, or 404 (also for another account's call). */
  async get(accountSid: string, sid: string): Promise<CallEntity> {
    const call = await this.calls.findOneBy({ sid, accountSid });
    if (!call)
      throw new ParleyError(
        20404,
        `The requested resource ${accountPath(accountSid)}/Calls/${sid}.json was not found`,
      );
    return call;
  }

  /** Settings of a call that are not part of its status (callbacks, limits). */
  async updateFields(
    sid: string,
    fields: Partial<
      Pick<
        CallEntity,
        'statusCallback' | 'statusCallbackMethod' | 'timeLimitSec' | 'timeLimitDeadline'
      >
    >,
  ): Promise<void> {
    await this.calls.update({ sid }, fields);
  }

  findBySid(sid: string): Promise<CallEntity | null> {
    return this.calls.findOneBy({ sid });
  }

  /** A call's `<Dial>` children that have not ended. */
  findRunningChildren(parentCallSid: string): Promise<CallEntity[]> {
    return this.calls.find({
      where: { parentCallSid, status: Not(In([...TERMINAL_CALL_STATUSES])) },
    });
  }

  /**
   * The call a Meta webhook speaks of: by Meta's call id, else by the CallSid Parley put in
   * `biz_opaque_callback_data` (webhooks can overtake the answer to `connect`). Always a
   * call of the sender the webhook was signed for: one number never reaches another's calls.
   */
  async findForMeta(
    senderSid: string,
    metaCallId: string,
    opaque: string | undefined,
  ): Promise<CallEntity | null> {
    const byId = await this.calls.findOneBy({ metaCallId, senderSid });
    if (byId) return byId;
    if (opaque && /^CA[0-9a-f]{32}$/.test(opaque)) {
      const bySid = await this.calls.findOneBy({ sid: opaque, senderSid });
      if (bySid && (bySid.metaCallId === null || bySid.metaCallId === metaCallId)) return bySid;
    }
    return null;
  }

  async list(accountSid: string, { page, filters }: ListCallsCommand): Promise<TwilioPage> {
    const qb = this.calls
      .createQueryBuilder('c')
      .where('c.account_sid = :accountSid', { accountSid });
    if (filters.To) qb.andWhere('c.to = :to', { to: filters.To });
    if (filters.From) qb.andWhere('c.from = :from', { from: filters.From });
    if (filters.ParentCallSid)
      qb.andWhere('c.parent_call_sid = :parent', { parent: filters.ParentCallSid });
    // `queued` as the REST resource shows it: also the calls Meta was asked to place.
    if (filters.Status)
      qb.andWhere('c.status IN (:...statuses)', { statuses: internalCallStatuses(filters.Status) });
    applyTimeFilter(qb, 'c.start_time', 'StartTime', [
      filters.StartTime,
      filters['StartTime<'],
      filters['StartTime>'],
    ]);
    applyTimeFilter(qb, 'c.end_time', 'EndTime', [
      filters.EndTime,
      filters['EndTime<'],
      filters['EndTime>'],
    ]);
    const rows = await newestFirst(qb, 'c', page).getMany();
    return buildPage({
      path: `${accountPath(accountSid)}/Calls.json`,
      resourceKey: 'calls',
      filters: filterTexts(filters),
      request: page,
      rows,
      keyOf: newestFirstKey,
      serialize: serializeCall,
    });
  }

  /** Unanswered calls whose ring deadline passed. */
  async dueRingTimeouts(now: Date, limit: number): Promise<string[]> {
    const rows = await this.calls
      .createQueryBuilder('c')
      .select('c.sid', 'sid')
      .where('c.ring_deadline <= :now', { now })
      .andWhere("c.status IN ('queued', 'initiated', 'ringing')")
      .orderBy('c.ring_deadline', 'ASC')
      .limit(limit)
      .getRawMany<{ sid: string }>();
    return rows.map((r) => r.sid);
  }

  /** Answered calls whose TimeLimit passed. */
  async dueTimeLimits(now: Date, limit: number): Promise<string[]> {
    const rows = await this.calls
      .createQueryBuilder('c')
      .select('c.sid', 'sid')
      .where('c.time_limit_deadline <= :now', { now })
      .andWhere("c.status = 'in-progress'")
      .orderBy('c.time_limit_deadline', 'ASC')
      .limit(limit)
      .getRawMany<{ sid: string }>();
    return rows.map((r) => r.sid);
  }
}
