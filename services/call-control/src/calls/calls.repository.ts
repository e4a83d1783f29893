import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ParleyError, TERMINAL_CALL_STATUSES } from '@parley/contracts';
import { In, Not, type Repository } from 'typeorm';
import {
  applyKeyset,
  buildPage,
  type PageRequest,
  type QueryParams,
  type TwilioPage,
} from '../common/paging';
import { firstValue } from '../common/twilio-form';
import { applyTimeFilter } from '../common/time-filter';
import { accountPath } from '../common/twilio-format';
import { CallEntity } from './call.entity';
import { REST_CALL_STATUSES, serializeCall, storedCallStatuses } from './call.resource';

/** The list filters Twilio's `Calls.json` takes. */
export const CALL_LIST_FILTERS = [
  'To',
  'From',
  'ParentCallSid',
  'Status',
  'StartTime',
  'StartTime<',
  'StartTime>',
  'EndTime',
  'EndTime<',
  'EndTime>',
] as const;

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

  async list(accountSid: string, query: QueryParams, request: PageRequest): Promise<TwilioPage> {
    const filters: Record<string, string | undefined> = {};
    for (const name of CALL_LIST_FILTERS) filters[name] = firstValue(query[name]);
    const qb = this.calls
      .createQueryBuilder('c')
      .where('c.account_sid = :accountSid', { accountSid });
    if (filters.To) qb.andWhere('c.to = :to', { to: filters.To });
    if (filters.From) qb.andWhere('c.from = :from', { from: filters.From });
    if (filters.ParentCallSid)
      qb.andWhere('c.parent_call_sid = :parent', { parent: filters.ParentCallSid });
    if (filters.Status) {
      const status = REST_CALL_STATUSES.find((s) => s === filters.Status);
      if (!status) {
        throw new ParleyError(20001, `Status must be one of ${REST_CALL_STATUSES.join(', ')}`);
      }
      qb.andWhere('c.status IN (:...statuses)', { statuses: storedCallStatuses(status) });
    }
    applyTimeFilter(qb, 'c.start_time', 'StartTime', filters);
    applyTimeFilter(qb, 'c.end_time', 'EndTime', filters);
    const rows = await applyKeyset(
      qb,
      [{ expr: 'c.date_created', cast: 'timestamptz' }, { expr: 'c.sid' }],
      'DESC',
      request,
    ).getMany();
    return buildPage({
      path: `${accountPath(accountSid)}/Calls.json`,
      resourceKey: 'calls',
      filters,
      request,
      rows,
      keyOf: (c) => [c.dateCreated.toISOString(), c.sid],
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
